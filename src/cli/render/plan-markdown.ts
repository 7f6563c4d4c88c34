// Plan as a pull-request comment: summary, conflicts and errors first, a table, patches folded away,
// bounded in size so a huge plan still fits a comment.
import type { Plan } from "../../plan/types.js";
import { patchLines, summaryLine, symbolOf } from "./plan-text.js";

/** GitHub comments are limited to 65,536 characters; stay well below. */
const MAX_LENGTH = 60_000;

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

export function renderPlanMarkdown(plan: Plan, maxLength = MAX_LENGTH): string {
  const out: string[] = [];
  const src = plan.source;
  out.push(`### assetctl plan`);
  out.push("");
  out.push(`**${summaryLine(plan.summary)}**`);
  out.push("");
  out.push(
    `Registry \`${plan.registry.url}\` (serial ${plan.registry.serial}) · manifests from ${src.commit ? `\`${src.commit.slice(0, 12)}\`${src.dirty ? " (dirty)" : ""}` : "the working tree"}`,
  );
  if (plan.errors.length > 0) {
    out.push("", `#### ❌ Errors (${plan.errors.length})`, "");
    for (const e of plan.errors) out.push(`- \`${e.file}:${e.line}:${e.column}\` ${cell(e.message)} (\`${e.code}\`)`);
  }
  const conflicts = plan.changes.filter((c) => c.action === "conflict");
  if (conflicts.length > 0) {
    out.push("", `#### ⚠️ Conflicts (${conflicts.length})`, "");
    for (const c of conflicts) out.push(`- \`${c.address}\`: ${cell(c.reason)}`);
  }
  const visible = plan.changes.filter((c) => c.action !== "noop" && c.action !== "conflict");
  if (visible.length > 0) {
    out.push("", "| | asset | change |", "|---|---|---|");
    for (const c of visible) out.push(`| \`${symbolOf(c)}\` | \`${c.address}\` | ${cell(c.reason)} |`);
    const withPatch = visible.filter((c) => c.patch.length > 0 && c.previous !== null);
    for (const c of withPatch) {
      out.push("", `<details><summary><code>${c.address}</code></summary>`, "", "```diff", ...patchLines(c.patch), "```", "", "</details>");
    }
  }
  const text = out.join("\n");
  if (text.length <= maxLength) return text;
  const note = `\n\n_…truncated: the full plan is ${text.length} characters; run \`assetctl plan\` or see the plan artifact._`;
  return text.slice(0, maxLength - note.length) + note;
}
