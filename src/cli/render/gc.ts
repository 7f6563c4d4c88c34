// A gc plan and its outcome for people: text for the terminal, markdown for a job summary. Deletions are
// listed one per line; kept versions are counted by the first rule that keeps them (the JSON has them all).
import type { GcPlan, KeepReason } from "../../gc/plan.js";
import type { GcOutcome, GcRestoreOutcome } from "../../apply/gc.js";
import { code, escapeCell, MAX_MARKDOWN_LENGTH } from "./plan-markdown.js";
import { formatBytes } from "./progress.js";
import { plain, type Style } from "./style.js";

/** How many rows the markdown lists before it says how many more there are. */
const MAX_ROWS = 200;

function keptByRule(plan: GcPlan): string {
  const counts = new Map<KeepReason["rule"], number>();
  for (const v of plan.versions) {
    const first = v.reasons[0];
    if (first) counts.set(first.rule, (counts.get(first.rule) ?? 0) + 1);
  }
  const names: Record<KeepReason["rule"], string> = {
    latest: "latest",
    declared: `declared on ${plan.ref}`,
    aliased: "aliased",
    dependency: "depended on",
    keep_last: "keep_last",
    keep_within: "keep_within",
  };
  return [...counts].map(([rule, n]) => `${n} ${names[rule]}`).join(", ");
}

export function gcSummaryLine(plan: GcPlan): string {
  const s = plan.summary;
  const versions = `${s.versions_delete} version${s.versions_delete === 1 ? "" : "s"} to delete, ${s.versions_keep} kept`;
  const objects = plan.objects === null ? "objects left to the store's own collector" : `${s.objects_sweep} object${s.objects_sweep === 1 ? "" : "s"} to sweep (${formatBytes(s.bytes_sweep)})`;
  return `Gc: ${versions}, ${objects}.`;
}

function objectsNote(plan: GcPlan): string[] {
  if (plan.objects !== null) {
    const grace = plan.summary.objects_in_grace;
    return grace > 0 ? [`${grace} unused object${grace === 1 ? " is" : "s are"} within the grace period and kept for now.`] : [];
  }
  return plan.objects_note ? [plan.objects_note] : [];
}

export function renderGcText(plan: GcPlan, style: Style = plain): string {
  const lines = [`gc of ${plan.registry.url} (serial ${plan.registry.serial}), keeping what ${plan.ref} declares`, ""];
  const deleting = plan.versions.filter((v) => v.action === "delete");
  for (const v of deleting) lines.push(`  ${style.red("-")} ${v.address}  ${style.dim(`created ${v.created_at.slice(0, 10)}; no rule keeps it`)}`);
  for (const o of plan.objects ?? []) {
    if (o.action === "sweep") lines.push(`  ${style.red("-")} ${o.digest.slice(0, 19)}…  ${style.dim(`${formatBytes(o.size)}, stored ${o.stored_at.slice(0, 10)}, used by no live version`)}`);
  }
  if (deleting.length > 0 || plan.summary.objects_sweep > 0) lines.push("");
  const kept = keptByRule(plan);
  if (kept !== "") lines.push(`Kept: ${kept}.`);
  lines.push(...objectsNote(plan));
  if (plan.summary.versions_deleted_before > 0) lines.push(`${plan.summary.versions_deleted_before} version(s) were deleted by an earlier gc.`);
  lines.push(style.bold(gcSummaryLine(plan)));
  return lines.join("\n");
}

export function renderGcMarkdown(plan: GcPlan): string {
  const out = [`### assetctl gc (dry run)`, "", `${gcSummaryLine(plan)} Registry ${code(plan.registry.url)} at serial ${plan.registry.serial}; manifests of ${code(plan.ref)}.`, ""];
  const deleting = plan.versions.filter((v) => v.action === "delete");
  if (deleting.length > 0) {
    out.push("| version | created |", "| --- | --- |");
    for (const v of deleting.slice(0, MAX_ROWS)) out.push(`| ${escapeCell(code(v.address))} | ${v.created_at.slice(0, 10)} |`);
    if (deleting.length > MAX_ROWS) out.push("", `…and ${deleting.length - MAX_ROWS} more (\`assetctl gc --json\` lists them all).`);
    out.push("");
  }
  const sweeping = (plan.objects ?? []).filter((o) => o.action === "sweep");
  if (sweeping.length > 0) out.push(`<details><summary>${sweeping.length} object(s) to sweep, ${formatBytes(plan.summary.bytes_sweep)}</summary>`, "", ...sweeping.slice(0, MAX_ROWS).map((o) => `- ${code(o.digest)} (${formatBytes(o.size)})`), "", "</details>", "");
  const kept = keptByRule(plan);
  if (kept !== "") out.push(`Kept: ${kept}.`);
  out.push(...objectsNote(plan));
  const text = out.join("\n");
  return text.length <= MAX_MARKDOWN_LENGTH ? text : `${text.slice(0, MAX_MARKDOWN_LENGTH - 40)}\n\n…(cut: too long)`;
}

export function renderGcOutcome(outcome: GcOutcome, trashDays: number): string {
  const serials = outcome.deleted.map((d) => d.serial).filter((s): s is number => s !== null);
  const lines = outcome.deleted.map((d) => `deleted ${d.address} (journal #${d.serial ?? "?"})`);
  lines.push(
    `Deleted ${outcome.deleted.length} version(s)${serials.length > 0 ? ` (journal #${Math.min(...serials)}–#${Math.max(...serials)})` : ""}; their records and numbers stay.`,
  );
  if (outcome.plan.objects === null) lines.push(outcome.plan.objects_note ?? "Objects are left to the store's own collector.");
  else {
    lines.push(`Swept ${outcome.swept.length} object(s), ${formatBytes(outcome.bytes_swept)}, into the trash for ${trashDays} day(s): \`assetctl gc --restore\` brings them back.`);
    if (outcome.purged.length > 0) lines.push(`Purged ${outcome.purged.length} object(s) kept in the trash longer than that.`);
  }
  return lines.join("\n");
}

export function renderRestore(outcome: GcRestoreOutcome): string {
  const lines = outcome.versions.map((a) => `restored ${a}`);
  lines.push(`Brought back ${outcome.objects.length} object(s) from the trash and ${outcome.versions.length} version(s).`);
  return lines.join("\n");
}
