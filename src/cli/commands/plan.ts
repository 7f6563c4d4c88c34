// `assetctl plan`: the diff between the manifests and the registry, as text, JSON or markdown.
import { mkdir, writeFile } from "node:fs/promises";
import { parseAddress } from "../../plan/address.js";
import path from "node:path";
import { hasErrors, type Diagnostic } from "../../diagnostics.js";
import { planHasChanges } from "../../plan/changes.js";
import type { Plan } from "../../plan/types.js";
import { keepPlan, recallPlan, reusePlan, surveyForPlan } from "../../plan-memo.js";
import { WorkTree, type SourceTree } from "../../source/tree.js";
import { connectRegistry, resolveRoot } from "../context.js";
import type { Io } from "../io.js";
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
    else if (format === "markdown") io.out((await import("../render/plan-markdown.js")).renderPlanMarkdown(result));
    else await printPlan(result, desired, io);
    // What to run next, as Terraform says it: on stderr, so the plan on stdout stays as it was.
    if (out && format === "text" && planHasChanges(result) && result.errors.length === 0 && result.summary.conflict === 0) {
      io.err(`\nSaved the plan to ${out}. To apply exactly this plan, run:\n  assetctl apply ${quoteArg(out)}`);
    }
    if (result.errors.length > 0 || result.summary.conflict > 0) return 1;
    return flag(values, "detailed-exitcode") && planHasChanges(result) ? 2 : 0;
  },
};

/** A path as a shell would take it back: quoted only when it needs to be. */
function quoteArg(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

/** What printing a plan shows beside it: the diagnostics, with source lines from the tree. */
export interface PlanContext {
  tree: SourceTree;
  state: { diagnostics: Diagnostic[] };
}

/**
 * The plan the flags ask for. A plan of the working tree is reused from the last run when nothing it is
 * made from has changed (see plan-memo.ts); the pipeline itself is loaded only when it has to run.
 */
export async function planFromFlags(values: Values, io: Io): Promise<{ plan: Plan; desired: PlanContext }> {
  const root = await resolveRoot(str(values, "dir"), io.cwd);
  const ref = str(values, "ref");
  const options = { prune: flag(values, "prune"), targets: strs(values, "target") };
  const registry = await connectRegistry(root, str(values, "registry"), io.env);
  try {
    const tree = ref === undefined ? new WorkTree(root, { shareStats: true }) : undefined;
    // Git is asked about the kept plan first: it answers while this process surveys the tree.
    const recalled = tree ? recallPlan(root) : undefined;
    const memo = tree ? surveyForPlan(root, tree, options) : undefined;
    const token = memo ? await registry.stateToken?.() : undefined;
    const reused = memo ? await reusePlan(memo, registry, token, recalled) : undefined;
    if (memo && reused) return { plan: reused.plan, desired: { tree: memo.tree, state: { diagnostics: reused.diagnostics } } };

    const { makePlan, readDesiredWithGit } = await import("../../reconcile.js");
    const { desired, git } = await readDesiredWithGit({ root, ...(ref ? { ref } : {}), ...(tree ? { tree } : {}) });
    const result = await makePlan(desired, registry, options);
    if (memo && git) await keepPlan(memo, registry, token, { plan: result, diagnostics: desired.state.diagnostics, git });
    return { plan: result, desired };
  } finally {
    await registry.close();
  }
}

/** The plan as the JSON contract shows it: the records apply would write stay in the saved file only. */
export function publicPlan(p: Plan): unknown {
  return { ...p, changes: p.changes.map(({ record: _record, mutable: _mutable, ...rest }) => rest) };
}

export async function printPlan(result: Plan, desired: PlanContext, io: Io): Promise<void> {
  // The plan's own errors (a reference nothing defines, a cycle) read like the manifests': with the line and a hint.
  const planOnly: Diagnostic[] = result.errors
    .filter((e) => !desired.state.diagnostics.some((d) => d.code === e.code && d.file === e.file && d.line === e.line))
    .map((e) => ({ ...e, severity: "error" }));
  const diagnostics = [...desired.state.diagnostics, ...planOnly];
  if (diagnostics.length > 0) {
    // Loaded only when there is something to show: a clean plan needs neither.
    const [{ lineSource }, { renderDiagnosticsText }] = await Promise.all([import("../lines.js"), import("../render/diagnostics.js")]);
    io.err(renderDiagnosticsText(diagnostics, await lineSource(desired.tree, diagnostics), io.errStyle));
  }
  if (hasErrors(diagnostics)) {
    io.err(`\nThe manifests have errors; no plan can be made until they are fixed.`);
    return;
  }
  io.out(renderPlanText(result, { style: io.style }));
  for (const target of unmatchedTargets(result)) {
    io.err(`${io.errStyle.yellow("warning")} --target ${target} matches no asset of the manifests or the registry; it selected nothing [target-unmatched]`);
    io.err(`  ${io.errStyle.cyan("hint:")} check the address: \`assetctl list\` shows the registry's assets, \`assetctl plan\` every change`);
  }
}

/** The --target addresses no change of the plan answers to (a typo makes a plan of nothing, silently otherwise). */
function unmatchedTargets(result: Plan): string[] {
  return (result.options?.targets ?? []).filter((target) => {
    const t = parseAddress(target);
    return !result.changes.some((c) => c.kind === t.kind && c.name === t.name && (t.version === undefined || t.version === "latest" || t.version === c.version));
  });
}
