// The read commands' view models (cli/views/read.ts) as text: tables for list and alias moves, a
// version's fields for show, a version-by-version log for history, a patch for diff. Pure.
import { appliedByText } from "../../apply/identity.js";
import { shortDigest } from "../../digest.js";
import type { AliasRecord, AppliedBy, Provenance } from "../../registry/types.js";
import { differs, updateText, type AliasHistoryView, type DiffView, type HistoryView, type ListView, type VersionView } from "../views/read.js";
import { artifactLines, patchLines } from "./plan-text.js";

/** Columns padded to their widest cell, the last one left ragged. */
function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd()).join("\n");
}

function commitText(commit: string | null, dirty: boolean): string {
  return commit ? `${commit.slice(0, 12)}${dirty ? "+dirty" : ""}` : "(no commit)";
}

/** `  by WHO` after a history line, when the record says who. */
function byText(by: AppliedBy | null | undefined): string {
  return by ? `  by ${appliedByText(by)}` : "";
}

export function listText(view: ListView, kind: string | undefined): string {
  if (view.assets.length === 0) return "The registry is empty." + (kind ? ` (no ${kind})` : "");
  return table([
    ["KIND", "NAME", "LATEST", "VERSIONS", "COMMIT", "DIGEST", "CREATED"],
    ...view.assets.map((r) => [r.kind, r.name + (r.deleted ? " (deleted by gc)" : r.archived ? " (archived)" : ""), r.latest, String(r.versions), commitText(r.commit, r.dirty), shortDigest(r.digest), r.created_at]),
  ]);
}

/**
 * A version's provenance as `show` prints it. Records written before the author and who applied were
 * kept have neither: those lines are left out rather than guessed.
 */
export function provenanceLines(p: Provenance): string[] {
  const lines = [`  commit:      ${p.commit ?? "(no commit)"}${p.dirty ? " (dirty)" : ""}${p.branch ? ` on ${p.branch}` : ""}`];
  if (p.author) lines.push(`  author:      ${p.author}`);
  if (p.applied_by) lines.push(`  applied by:  ${appliedByText(p.applied_by)}`);
  lines.push(`  manifest:    ${p.manifest}`, `  tool:        assetctl ${p.tool_version}`);
  return lines;
}

export function versionText(v: VersionView): string {
  const deleted = v.deleted === undefined ? "" : ` (deleted by gc, journal #${v.deleted.journal ?? "?"})`;
  const via = v.via_alias === undefined ? "" : `  (${v.kind}:${v.name}@${v.via_alias.alias}${v.via_alias.at === null ? "" : ` at ${v.via_alias.at}`})`;
  const lines = [
    `${v.kind}:${v.name}:${v.version}${deleted}${v.archived ? " (archived)" : ""}${v.anonymous ? " (anonymous)" : ""}${via}`,
    `  digest:      ${v.digest}`,
    `  created:     ${v.created_at}`,
    ...provenanceLines(v.provenance),
  ];
  if (v.mutable.description !== undefined) lines.push(`  description: ${v.mutable.description}`);
  if (v.mutable.display_name !== undefined) lines.push(`  display:     ${v.mutable.display_name}`);
  if (v.mutable.tags && Object.keys(v.mutable.tags).length > 0) {
    lines.push(`  tags:        ${Object.entries(v.mutable.tags).map(([k, val]) => `${k}=${val}`).join(", ")}`);
  }
  if (v.dependencies.length > 0) lines.push(`  depends on:  ${v.dependencies.join(", ")}`);
  for (const a of v.artifacts) {
    lines.push(`  artifact ${a.pointer}: ${a.source} (${a.type}, ${a.files.length} file${a.files.length === 1 ? "" : "s"}, ${a.size} bytes, ${a.git}) ${shortDigest(a.digest)}`);
  }
  if (v.files_at !== undefined) lines.push(`  files at:    ${v.files_at} (not stored in the registry)`);
  lines.push("  spec:");
  lines.push(...JSON.stringify(v.spec, null, 2).split("\n").map((l) => `    ${l}`));
  return lines.join("\n");
}

/** An alias move as a table row: time, from → to, commit, author, message. */
function moveCells(m: AliasRecord): string[] {
  return [
    m.at,
    m.from === null ? `→ ${m.to ?? ""}` : m.to === null ? `${m.from} → (removed)` : `${m.from} → ${m.to}`,
    m.commit?.slice(0, 12) ?? "(no commit)",
    m.author ?? "",
    m.message ?? "",
  ];
}

const MOVE_HEADER = ["TIME", "MOVE", "COMMIT", "AUTHOR", "MESSAGE"];

export function historyText(view: HistoryView): string {
  const lines: string[] = [];
  for (const v of view.versions) {
    lines.push(`${v.version.padEnd(8)} ${v.created_at}  ${commitText(v.commit, v.dirty)}  ${shortDigest(v.digest)}${v.archived ? "  (archived)" : ""}${v.deleted ? "  (deleted by gc)" : ""}${byText(v.applied_by)}`);
    for (const u of v.updates) {
      lines.push(`         ${u.updated_at}  ${u.provenance.commit?.slice(0, 12) ?? "(no commit)"}  ${updateText(u)}${byText(u.provenance.applied_by)}`);
    }
  }
  if (view.alias_moves.length > 0) {
    lines.push("", table([["ALIAS", ...MOVE_HEADER], ...view.alias_moves.map((m) => [`@${m.alias}`, ...moveCells(m)])]));
  }
  return lines.join("\n");
}

export function aliasHistoryText(view: AliasHistoryView): string {
  return table([MOVE_HEADER, ...view.moves.map(moveCells)]);
}

export function diffText(view: DiffView): string {
  return differs(view) ? [...patchLines(view.patch, Number.MAX_SAFE_INTEGER), ...artifactLines(view.artifacts, Number.MAX_SAFE_INTEGER)].join("\n") : "The two versions have the same content.";
}
