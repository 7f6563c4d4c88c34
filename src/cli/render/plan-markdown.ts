// Plan as a pull-request comment: what blocks the merge first (errors, conflicts), then a narrow table of
// changes and each change's patch folded in <details>; bounded in size, cut only between whole sections.
import type { Change, Plan } from "../../plan/types.js";
import { cascadeLines, cascades } from "../../plan/cascade.js";
import { aliasSymbol, aliasText, artifactLines, patchLines, summaryLine, symbolOf, uploadText } from "./plan-text.js";

/** GitHub refuses comments over 65,536 characters; the workflow adds its markers, so stay below. */
export const MAX_MARKDOWN_LENGTH = 60_000;

/** Table cells stay short so the table fits a phone screen; the full reason is in the details. */
const MAX_REASON = 60;

/** A new asset's spec up to this many lines is shown open; a longer one is folded in <details>. */
const OPEN_SPEC_LINES = 20;

export interface PlanMarkdownOptions {
  /** Upper bound of the output's length in characters. */
  maxLength?: number;
  /** The root the manifests were read from and where the registry is, both absolute: named in the header. */
  where?: { root: string; registry: string };
}

/** Text from manifests and registries goes into HTML-capable markdown: it must not open tags or comments. */
function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r?\n/g, " ");
}

/** In a table row a pipe ends the cell, even inside a code span. */
export function escapeCell(markdown: string): string {
  return markdown.replace(/\|/g, "\\|");
}

/** A code span that survives backticks in its content (CommonMark: a longer backtick fence). */
export function code(text: string): string {
  const flat = text.replace(/\r?\n/g, " ");
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A fenced block whose fence no line of the content can close early. */
function fenced(lang: string, lines: readonly string[]): string {
  const longest = Math.max(2, ...lines.flatMap((l) => l.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  return [`${fence}${lang}`, ...lines, fence].join("\n");
}

function shorten(text: string, max = MAX_REASON): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The table's reason column: the planner's reason, or for long ones the gist of it. */
function shortReason(change: Change): string {
  switch (change.action) {
    case "conflict":
      return `exists with other content: ${(change.fields ?? []).join(", ") || "see diff"}`;
    case "orphan":
      return "no manifest declares it (--prune archives)";
    case "archive":
      return "no manifest declares it; archived";
    default:
      return change.reason;
  }
}

function where(e: Plan["errors"][number]): string {
  return e.line > 0 ? `${e.file}:${e.line}:${e.column}` : e.file || "assetctl";
}

function summaryOf(change: Change): string {
  const upload = uploadText(change.upload, false);
  return `<code>${escapeText(change.address)}</code> ${escapeText(change.reason)}${upload ? `; ${escapeText(upload)}` : ""}`;
}

/** A change's patch, values whole (never cut), and the files of its changed artifacts, folded. */
function details(change: Change): string {
  const lines = [...patchLines(change.patch, Number.MAX_SAFE_INTEGER, { maxValue: Infinity }), ...artifactLines(change.artifacts ?? [], Number.MAX_SAFE_INTEGER)];
  return [`<details><summary>${summaryOf(change)}</summary>`, "", fenced("diff", lines), "", "</details>"].join("\n");
}

/** A new asset: its whole document (spec, dependencies, mutable fields), open when short, folded when long. */
function wholeSpec(change: Change): string {
  const document: Record<string, unknown> = {};
  for (const op of change.patch) if (op.op === "add") document[op.path.slice(1).replace(/~1/g, "/").replace(/~0/g, "~")] = op.value;
  const lines = JSON.stringify(document, null, 2).split("\n");
  const block = fenced("json", lines);
  if (lines.length <= OPEN_SPEC_LINES) return `${summaryOf(change)}\n\n${block}`;
  return [`<details><summary>${summaryOf(change)}</summary>`, "", block, "", "</details>"].join("\n");
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

type Omitted = "errors" | "changes" | "diffs";

/**
 * Sections are added in order while they fit; the first part that does not fit ends the output with a
 * note, so a cut never falls inside a table row, a <details> or a code fence. A heading travels with its
 * first item, so no section is cut down to a bare heading.
 */
class Bounded {
  private readonly parts: string[] = [];
  private length = 0;
  readonly omitted: Record<Omitted, number> = { errors: 0, changes: 0, diffs: 0 };
  full = false;

  constructor(private readonly budget: number) {}

  /** Adds `block` (after `sep`) when it fits; once one does not fit, every later one is refused too. */
  add(block: string, sep = "\n\n"): boolean {
    const cost = (this.parts.length > 0 ? sep.length : 0) + block.length;
    if (this.full || this.length + cost > this.budget) {
      this.full = true;
      return false;
    }
    this.parts.push(this.parts.length > 0 ? `${sep}${block}` : block);
    this.length += cost;
    return true;
  }

  /** A heading and its items, `sep` between items (and after the heading); what does not fit is counted as `what`. */
  section(heading: string, items: readonly string[], sep: string, what: Omitted): void {
    items.forEach((item, i) => {
      if (!this.add(i === 0 ? `${heading}${sep}${item}` : item, i === 0 ? "\n\n" : sep)) this.omitted[what] += 1;
    });
  }

  text(): string {
    return this.parts.join("");
  }
}

export function renderPlanMarkdown(plan: Plan, options: PlanMarkdownOptions = {}): string {
  const maxLength = options.maxLength ?? MAX_MARKDOWN_LENGTH;
  // Room kept for the truncation note, so that the note itself never breaks the bound.
  const noteRoom = 300;
  const out = new Bounded(Math.max(0, maxLength - noteRoom));

  const src = plan.source;
  const from = src.commit ? `${code(src.commit.slice(0, 12))}${src.dirty ? " (with uncommitted changes)" : ""}` : "the working tree";
  const conflicts = plan.changes.filter((c) => c.action === "conflict");
  const visible = plan.changes.filter((c) => (c.action !== "noop" || c.adopt === true) && c.action !== "conflict");
  const headline =
    plan.errors.length > 0
      ? `❌ **${plural(plan.errors.length, "error")}: no plan until ${plan.errors.length === 1 ? "it is" : "they are"} fixed.**`
      : conflicts.length > 0
        ? `⚠️ **${summaryLine(plan.summary)}** Apply is refused until the ${conflicts.length === 1 ? "conflict is" : "conflicts are"} resolved.`
        : `**${summaryLine(plan.summary)}**`;
  const located = options.where;
  const registry = code(located?.registry ?? plan.registry.url);
  out.add(`### assetctl plan\n\n${headline}\n\n<sub>Registry ${registry} at serial ${plan.registry.serial}; manifests from ${from}${located ? `, root ${code(located.root)}` : ""}.</sub>`);
  if (plan.options.targets.length > 0) {
    out.add(`> Targeted plan: only ${plan.options.targets.map(code).join(", ")} and what ${plan.options.targets.length === 1 ? "it depends" : "they depend"} on.`);
  }

  out.section(
    "#### ❌ Errors\n",
    plan.errors.map((e) => `- ${code(where(e))} ${escapeText(e.message)} (${code(e.code)})`),
    "\n",
    "errors",
  );
  out.section(
    "#### ⚠️ Conflicts\n\nA version never changes once created: bump `version`, or remove it to let assetctl number the next one.",
    conflicts.map(details),
    "\n\n",
    "diffs",
  );
  // With errors the changes are not a plan anyone can apply; showing them would invite review of noise.
  if (plan.errors.length === 0) {
    const rows = visible.map((c) => `| ${escapeCell(code(symbolOf(c)))} | ${escapeCell(code(c.address))} | ${escapeCell(escapeText(shorten(shortReason(c))))} |`);
    out.section("#### Changes\n\n| | asset | change |\n|:-:|---|---|", rows, "\n", "changes");
    const aliases = (plan.aliases ?? []).filter((a) => a.action !== "noop");
    out.section(
      "#### Aliases\n\nMoved after the versions they point at.\n\n| | alias |\n|:-:|---|",
      aliases.map((a) => `| ${escapeCell(code(aliasSymbol(a)))} | ${escapeCell(code(aliasText(a)))} |`),
      "\n",
      "changes",
    );
    out.section(
      "#### Cascades\n\nA new version re-versions what uses it:",
      cascades(visible).map((group) => fenced("", cascadeLines(group))),
      "\n\n",
      "changes",
    );
    const isNewAsset = (c: Change): boolean => c.action === "create" && c.previous === null;
    out.section("#### Diffs", visible.filter((c) => c.patch.length > 0).map((c) => (isNewAsset(c) ? wholeSpec(c) : details(c))), "\n\n", "diffs");
  }

  const text = out.text();
  if (!out.full) return text;
  const { changes, errors, diffs } = out.omitted;
  const missing = [changes > 0 && plural(changes, "change"), errors > 0 && plural(errors, "error"), diffs > 0 && plural(diffs, "diff")].filter(Boolean);
  const note = `> **Truncated** to fit a comment${missing.length > 0 ? `: ${missing.join(", ")} not shown` : ""}. Run \`assetctl plan\` for the whole plan, or see the plan file kept with the workflow run.`;
  return text === "" ? note : `${text}\n\n${note}`;
}
