// Plan as people read it, in Terraform's manner: one line per change, the changed fields, a summary.
import { cascadeLines, cascades } from "../../plan/cascade.js";
import { formatSpan } from "../../plan/alias-plan.js";
import type { PatchOperation } from "../../plan/patch.js";
import type { AliasChange, ArtifactChange, Change, Plan, PlanSummary, Upload } from "../../plan/types.js";
import { formatBytes } from "./progress.js";
import { plain, type Style } from "./style.js";

/** A value longer than this is cut in a terminal's plan (the markdown plan shows values whole). */
const MAX_VALUE = 80;

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function symbolOf(change: Change): string {
  switch (change.action) {
    case "create":
      return change.previous === null ? "+" : "+v";
    case "update":
      return "~";
    case "conflict":
      return "!";
    case "archive":
      return "-";
    case "unarchive":
      return "^";
    case "orphan":
      return "?";
    case "noop":
      return change.adopt === true ? "=" : " ";
  }
}

function paint(change: Change, text: string, style: Style): string {
  switch (change.action) {
    case "create":
      return style.green(text);
    case "update":
    case "unarchive":
      return style.yellow(text);
    case "conflict":
    case "archive":
      return style.red(text);
    default:
      return change.adopt === true ? style.cyan(text) : style.dim(text);
  }
}

export interface ValueOptions {
  /** Cut values longer than this many characters, and show digests by their first 12 digits (default 80). */
  maxValue?: number;
}

export function formatValue(value: unknown, options: ValueOptions = {}): string {
  const max = options.maxValue ?? MAX_VALUE;
  if (max !== Infinity && typeof value === "string" && DIGEST.test(value)) return `"${value.slice(0, 19)}…"`;
  const text = JSON.stringify(value) ?? "undefined";
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** One line per operation: `+ /path: new`, `~ /path: old → new`, `- /path: old`. */
export function patchLines(patch: readonly PatchOperation[], limit = 20, options: ValueOptions = {}): string[] {
  const lines = patch.slice(0, limit).map((op) => {
    const old = "old" in op && op.old !== undefined ? `${formatValue(op.old, options)}` : undefined;
    switch (op.op) {
      case "add":
        return `+ ${op.path}: ${formatValue(op.value, options)}`;
      case "replace":
        return `~ ${op.path}: ${old === undefined ? "" : `${old} → `}${formatValue(op.value, options)}`;
      case "remove":
        return `- ${op.path}${old === undefined ? "" : `: ${old}`}`;
      default:
        return `${op.op} ${op.path}`;
    }
  });
  if (patch.length > limit) lines.push(`… ${patch.length - limit} more`);
  return lines;
}

/** The files of each changed artifact: a count line, then `+ path  size`, `~ path  old → new`, `- path  size`. */
export function artifactLines(artifacts: readonly ArtifactChange[], limit = 20): string[] {
  const lines: string[] = [];
  for (const a of artifacts) {
    lines.push(`files of ${a.source}: ${a.added.length} added, ${a.changed.length} changed, ${a.removed.length} removed`);
    const files = [
      ...a.added.map((f) => `  + ${f.path}  ${formatBytes(f.size)}`),
      ...a.changed.map((f) => `  ~ ${f.path}  ${formatBytes(f.old_size)} → ${formatBytes(f.size)}`),
      ...a.removed.map((f) => `  - ${f.path}  ${formatBytes(f.size)}`),
    ];
    lines.push(...files.slice(0, limit));
    if (files.length > limit) lines.push(`  … ${files.length - limit} more`);
  }
  return lines;
}

/** `2.0 KiB to upload (3 objects)`, or undefined when nothing is. */
export function uploadText(upload: Upload | undefined, withCount = true): string | undefined {
  if (upload === undefined || upload.objects === 0) return undefined;
  return `${formatBytes(upload.bytes)} to upload${withCount ? ` (${plural(upload.objects, "object")})` : ""}`;
}

function plural(n: number, word: string, words = `${word}s`): string {
  return `${n} ${n === 1 ? word : words}`;
}

export function summaryLine(s: PlanSummary): string {
  const a = s.aliases;
  const aliasWork = a === undefined ? 0 : a.new + a.move + a.remove + a.refused;
  if (s.create + s.update + s.archive + (s.unarchive ?? 0) + (s.adopt ?? 0) + s.conflict + s.orphan + aliasWork === 0) {
    return a === undefined ? "No changes. The registry matches the manifests." : "No changes. The registry matches the manifests and aliases.yaml.";
  }
  const parts = [
    plural(s.new_assets, "new asset"),
    plural(s.create - s.new_assets, "new version"),
    plural(s.update, "update"),
    plural(s.conflict, "conflict"),
  ];
  if (s.archive > 0) parts.push(`${s.archive} to archive`);
  if (s.unarchive > 0) parts.push(`${s.unarchive} to unarchive`);
  if (s.orphan > 0) parts.push(`${s.orphan} orphaned`);
  if ((s.adopt ?? 0) > 0) parts.push(`${s.adopt} to adopt`);
  parts.push(`${s.noop - (s.adopt ?? 0)} unchanged`);
  if (a !== undefined && aliasWork > 0) {
    const moves = [plural(a.move, "alias move"), `${a.new} new`, `${a.remove} removed`, `${a.refused} refused`];
    return `Plan: ${parts.join(", ")}; ${moves.join(", ")}.`;
  }
  return `Plan: ${parts.join(", ")}.`;
}

export function aliasSymbol(change: AliasChange): string {
  switch (change.action) {
    case "new":
      return "+@";
    case "move":
      return "→";
    case "remove":
      return "-@";
    case "refused":
      return "!@";
    case "noop":
      return " ";
  }
}

/** `model:churn@production 3 → 4 (staging since 11-30, 3d)`, without the symbol. */
export function aliasText(change: AliasChange): string {
  const versions = change.from === null ? `→ ${change.to ?? "?"}` : `${change.from} → ${change.to ?? "(removed)"}`;
  const held = change.held === undefined ? "" : ` (${change.held.alias} since ${change.held.since.slice(5, 10)}, ${formatSpan(change.held.ms)})`;
  const flag = change.protected ? " [protected]" : "";
  const reason = change.action === "refused" ? `  refused: ${change.reason}` : change.action === "remove" ? `  ${change.reason}` : "";
  return `${change.address} ${versions}${held}${flag}${reason}`;
}

function paintAlias(change: AliasChange, text: string, style: Style): string {
  if (change.action === "refused" || change.action === "remove") return style.red(text);
  return change.action === "noop" ? style.dim(text) : style.green(text);
}

/** The reason, dim; a conflict's fix (after "versions are immutable: ") bold, as it is what to do next. */
function reasonText(change: Change, upload: string | undefined, style: Style): string {
  const text = `${change.reason}${upload ? `; ${upload}` : ""}`;
  const fix = change.action === "conflict" ? text.indexOf(": bump ") : -1;
  if (fix < 0) return style.dim(text);
  return `${style.dim(text.slice(0, fix + 2))}${style.bold(text.slice(fix + 2))}`;
}

export interface PlanTextOptions {
  style?: Style;
  /** Show every field of new assets rather than a count. */
  verbose?: boolean;
  /** The root the manifests were read from and where the registry is, both absolute: named in the header. */
  where?: { root: string; registry: string };
  /** `--quiet`: the change lines (aliases' too) and the summary only, without blank lines. */
  quiet?: boolean;
}

/** The changes a plan shows, conflicts first (they are what blocks the apply), and the width of their addresses. */
function shownChanges(plan: Plan): { ordered: Change[]; width: number } {
  const visible = plan.changes.filter((c) => c.action !== "noop" || c.adopt === true);
  const ordered = [...visible.filter((c) => c.action === "conflict"), ...visible.filter((c) => c.action !== "conflict")];
  return { ordered, width: Math.min(60, Math.max(0, ...ordered.map((c) => c.address.length))) };
}

/** `+v data:sales:4  new version (previous 3); 1.5 KiB to upload` */
function changeLine(change: Change, width: number, style: Style): string {
  const upload = uploadText(change.upload, false);
  return `${paint(change, `${symbolOf(change).padEnd(2)} ${change.address.padEnd(width)}`, style)}  ${reasonText(change, upload, style)}`;
}

function aliasLine(change: AliasChange, style: Style): string {
  return paintAlias(change, `${aliasSymbol(change).padEnd(2)} ${aliasText(change)}`, style);
}

/** The plan as `--quiet` prints it: one line per change, then the summary line. */
function renderQuietPlanText(plan: Plan, style: Style): string {
  const { ordered, width } = shownChanges(plan);
  const aliases = (plan.aliases ?? []).filter((a) => a.action !== "noop");
  return [...ordered.map((c) => changeLine(c, width, style)), ...aliases.map((a) => aliasLine(a, style)), style.bold(summaryLine(plan.summary))].join("\n");
}

export function renderPlanText(plan: Plan, options: PlanTextOptions = {}): string {
  const style = options.style ?? plain;
  if (options.quiet === true) return renderQuietPlanText(plan, style);
  const out: string[] = [];
  const src = plan.source;
  const from = src.commit ? `commit ${src.commit.slice(0, 12)}${src.dirty ? " (with uncommitted changes)" : ""}` : "the working tree (not a git commit)";
  const where = options.where;
  out.push(style.dim(`Registry ${where?.registry ?? plan.registry.url} (serial ${plan.registry.serial}); manifests from ${from}${where ? `, root ${where.root}` : ""}.`));
  const { ordered, width } = shownChanges(plan);
  if (ordered.length > 0) out.push("");
  for (const change of ordered) {
    out.push(changeLine(change, width, style));
    const showPatch = change.action === "update" || change.action === "unarchive" || change.action === "conflict" || (change.action === "create" && change.previous !== null) || options.verbose === true;
    if (showPatch) for (const line of patchLines(change.patch)) out.push(`      ${line}`);
    for (const line of artifactLines(change.artifacts ?? [])) out.push(`        ${line}`);
  }
  const aliases = (plan.aliases ?? []).filter((a) => a.action !== "noop");
  if (aliases.length > 0) {
    out.push("", "Aliases (moved after the versions they point at):");
    for (const a of aliases) out.push(`  ${aliasLine(a, style)}`);
  }
  const groups = cascades(ordered);
  if (groups.length > 0) {
    out.push("", "Cascades (a new version re-versions what uses it):");
    for (const group of groups) for (const line of cascadeLines(group)) out.push(`  ${line}`);
  }
  out.push("");
  out.push(style.bold(summaryLine(plan.summary)));
  const upload = uploadText(plan.summary.upload);
  if (upload) out.push(`${upload}.`);
  return out.join("\n");
}
