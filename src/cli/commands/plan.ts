// `assetctl plan`: the diff between the manifests and the registry, as text, JSON or markdown.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { hasErrors } from "../../diagnostics.js";
import { planHasChanges } from "../../plan/plan.js";
import type { Plan } from "../../plan/types.js";
import { makePlan, readDesired, type Desired } from "../../reconcile.js";
import { connectRegistry, resolveRoot } from "../context.js";
import type { Io } from "../io.js";
import { lineSource } from "../lines.js";
import { renderDiagnosticsText } from "../render/diagnostics.js";
import { renderPlanMarkdown } from "../render/plan-markdown.js";
import { renderPlanText } from "../render/plan-text.js";
import { common, flag, json, outputFormat, str, strs, type Command, type Values } from "./command.js";

export const planOptions = {
  ...common,
  ref: { type: "string" },
  target: { type: "string", multiple: true },
  prune: { type: "boolean" },
} as const;

export const planCommand: Command = {
  usage: "[--ref REF] [--out FILE] [--format text|json|markdown] [--detailed-exitcode] [--target ADDR]… [--prune]",
  description:
    "Diffs the manifests (the working tree, or a git ref without checking it out) against the registry and prints what apply would change. Exit 0 (or 2 with --detailed-exitcode when there are changes), 1 on errors or conflicts.",
  options: { ...planOptions, out: { type: "string" }, format: { type: "string" }, "detailed-exitcode": { type: "boolean" } },
  async run(values, _positionals, io) {
    const format = outputFormat(values, ["text", "json", "markdown"]);
    const { plan: result, desired } = await planFromFlags(values, io);
    const out = str(values, "out");
    if (out) {
      const file = path.resolve(io.cwd, out);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
    }
    if (format === "json") json(io, publicPlan(result));
    else if (format === "markdown") io.out(renderPlanMarkdown(result));
    else await printPlan(result, desired, io);
    if (result.errors.length > 0 || result.summary.conflict > 0) return 1;
    return flag(values, "detailed-exitcode") && planHasChanges(result) ? 2 : 0;
  },
};

export async function planFromFlags(values: Values, io: Io): Promise<{ plan: Plan; desired: Desired }> {
  const root = await resolveRoot(str(values, "dir"), io.cwd);
  const ref = str(values, "ref");
  const desired = await readDesired({ root, ...(ref ? { ref } : {}) });
  const registry = await connectRegistry(root, str(values, "registry"), io.env);
  try {
    const result = await makePlan(desired, registry, { prune: flag(values, "prune"), targets: strs(values, "target") });
    return { plan: result, desired };
  } finally {
    await registry.close();
  }
}

/** The plan as the JSON contract shows it: the records apply would write stay in the saved file only. */
export function publicPlan(p: Plan): unknown {
  return { ...p, changes: p.changes.map(({ record: _record, mutable: _mutable, ...rest }) => rest) };
}

export async function printPlan(result: Plan, desired: Desired, io: Io): Promise<void> {
  const diagnostics = desired.state.diagnostics;
  if (diagnostics.length > 0) {
    io.err(renderDiagnosticsText(diagnostics, await lineSource(desired.tree, diagnostics), io.errStyle));
  }
  const planOnly = result.errors.filter((e) => !diagnostics.some((d) => d.code === e.code && d.file === e.file && d.line === e.line));
  for (const e of planOnly) io.err(`${e.file}:${e.line}:${e.column}: ${io.errStyle.red("error")} ${e.message} [${e.code}]`);
  if (hasErrors(diagnostics) || planOnly.length > 0) {
    io.err(`\nThe manifests have errors; no plan can be made until they are fixed.`);
    return;
  }
  io.out(renderPlanText(result, { style: io.style }));
}
