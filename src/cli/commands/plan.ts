// `assetctl plan`: the diff between the manifests and the registry, as text, JSON or markdown.
import { mkdir, writeFile } from "node:fs/promises";
import { parseAddress } from "../../plan/address.js";
import { existsSync } from "node:fs";
import path from "node:path";
import { ALIASES_FILE } from "../../manifest/aliases.js";
import { isError, sortDiagnostics, type Diagnostic } from "../../diagnostics.js";
import { planHasChanges } from "../../plan/changes.js";
import type { Plan } from "../../plan/types.js";
import { keepPlan, recallDesired, recallPlan, reusePlan, surveyForPlan, trustedStamp, type PlanMemo } from "../../plan-memo.js";
import { keepable } from "../../tree-memo.js";
import { witnessOf, type AnswerBasis, type Witness } from "../answer.js";
import { gitStamp } from "../../source/git-stamp.js";
import { ignoreRules, isGitRepository } from "../../source/provenance.js";
import { readSnippetLines, type SnippetLines } from "../../source/snippets.js";
import { WorkTree, type SourceTree } from "../../source/tree.js";
import { printable } from "../render/printable.js";
import { connectRegistry, registryLocation, resolveRoot } from "../context.js";
import type { Io } from "../io.js";
import { renderPlanText } from "../render/plan-text.js";
import { common, flag, json, outputFormat, progressOf, str, strs, type Command, type Values } from "./command.js";

export const planOptions = {
  ...common,
  ref: { type: "string" },
  target: { type: "string", multiple: true },
  prune: { type: "boolean" },
  "allow-protected": { type: "boolean" },
} as const;

/** Plans of a repository with aliases.yaml are made afresh: a move's soak depends on the clock. */
export function aliasesManaged(root: string): boolean {
  return existsSync(path.join(root, ALIASES_FILE));
}

export const planCommand: Command = {
  usage: "[--ref REF] [--out FILE] [--format text|json|markdown] [--detailed-exitcode] [--target ADDR]… [--prune] [--allow-protected]",
  description:
    "Diffs the manifests (the working tree, or a git ref without checking it out) against the registry and prints what apply would change. Exit 0 (or 2 with --detailed-exitcode when there are changes), 1 on errors or conflicts.",
  options: { ...planOptions, out: { type: "string" }, format: { type: "string" }, "detailed-exitcode": { type: "boolean" } },
  async run(values, _positionals, io) {
    const format = outputFormat(values, ["text", "json", "markdown"]);
    const { plan: result, desired, basis } = await planFromFlags(values, io);
    const out = str(values, "out");
    // An answer that writes nothing but its output can be replayed (see cli/answer.ts).
    if (basis && !out) io.vouch?.(basis);
    if (out) {
      const file = path.resolve(io.cwd, out);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
    }
    if (format === "json") json(io, publicPlan(result));
    else if (format === "markdown") {
      const root = desired.tree.root;
      io.out((await import("../render/plan-markdown.js")).renderPlanMarkdown(result, { where: { root, registry: registryLocation(result.registry.url, root) } }));
    }
    else await printPlan(result, desired, io);
    // What to run next, as Terraform says it: on stderr, so the plan on stdout stays as it was.
    if (out && format === "text" && !io.quiet && planHasChanges(result) && result.errors.length === 0 && result.summary.conflict === 0) {
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
  /** The source lines of those diagnostics, when already read (kept with a reused plan). */
  lines?: SnippetLines;
}

/**
 * The plan the flags ask for. A plan of the working tree is reused from the last run when nothing it is
 * made from has changed (see plan-memo.ts); the pipeline itself is loaded only when it has to run.
 */
export async function planFromFlags(values: Values, io: Io): Promise<{ plan: Plan; desired: PlanContext; basis?: AnswerBasis }> {
  const root = await resolveRoot(str(values, "dir"), io.cwd);
  const ref = str(values, "ref");
  const options = { prune: flag(values, "prune"), targets: strs(values, "target"), ...(flag(values, "allow-protected") ? { allowProtected: true } : {}) };
  const registry = await connectRegistry(root, str(values, "registry"), io.env);
  try {
    const tree = ref === undefined && !aliasesManaged(root) ? new WorkTree(root, { shareStats: true }) : undefined;
    // Git's files are stamped before anything is read; git, when it must be asked about the kept plan, is
    // asked first: it answers while this process surveys the tree.
    const stamp = tree ? gitStamp(root, io.env) : undefined;
    const recalled = tree ? recallPlan(root, stamp) : undefined;
    const memo = tree ? surveyForPlan(root, tree, options, stamp) : undefined;
    // The registry's witness files are read before its token, so that a write after it shows in them.
    const witnessed = memo ? registry.stateWitness?.() : undefined;
    const witness = witnessed ? witnessOf(witnessed) : undefined;
    const token = memo ? await registry.stateToken?.() : undefined;
    const reused = memo ? await reusePlan(memo, registry, token, recalled) : undefined;
    if (memo && reused) {
      const basis = answerBasis(memo, witness);
      return { plan: reused.plan, desired: { tree: memo.tree, state: { diagnostics: reused.diagnostics }, ...(reused.lines ? { lines: reused.lines } : {}) }, ...(basis ? { basis } : {}) };
    }

    // The registry is read while the manifests are: a remote one answers while this process hashes files.
    const snapshot = registry.snapshot();
    snapshot.catch(() => undefined);
    const { makePlan, readDesiredOfRef, readDesiredOfTree } = await import("../../plan-desired.js");
    // Files unchanged since the last plan or apply (only the registry moved): the desired state it kept is planned again.
    const { desired, git } = memo
      ? await readDesiredOfTree(memo, recallDesired(root, stamp), progressOf(io))
      : await readDesiredOfRef(root, ref, progressOf(io));
    const result = await makePlan(desired, registry, options, snapshot);
    if (!memo || !git) return { plan: result, desired };
    const diagnostics = desired.state.diagnostics;
    const lines = diagnostics.length > 0 ? await readSnippetLines(memo.tree, diagnostics) : undefined;
    const kept = await keepPlan(memo, registry, token, { plan: result, diagnostics, git, ...(lines ? { lines } : {}) });
    const basis = kept ? answerBasis(memo, witness) : undefined;
    return { plan: result, desired: { tree: desired.tree, state: desired.state, ...(lines ? { lines } : {}) }, ...(basis ? { basis } : {}) };
  } finally {
    await registry.close();
  }
}

/**
 * What vouches for the answer of a plan the memo vouches for, when git's stamp and the registry's witness
 * files do too (older than the filesystem's clock, so that no later write can leave them as they are).
 */
function answerBasis(memo: PlanMemo, witness: Witness | undefined): AnswerBasis | undefined {
  const git = trustedStamp(memo);
  if (git === undefined || witness === undefined || witness.newestNs >= memo.clockNs || !keepable(memo)) return undefined;
  return { root: memo.root, survey: memo.survey.digest, git, witness };
}

/** The plan as the JSON contract shows it: the records apply would write stay in the saved file only. */
export function publicPlan(p: Plan): unknown {
  return { ...p, changes: p.changes.map(({ record: _record, mutable: _mutable, ...rest }) => rest) };
}

export async function printPlan(result: Plan, desired: PlanContext, io: Io): Promise<void> {
  // The manifests' warnings, and every error (the plan's own ones — a reference nothing defines, a cycle —
  // read like the manifests': with the line and a hint).
  const diagnostics = sortDiagnostics([...desired.state.diagnostics.filter((d) => !isError(d)), ...result.errors]);
  if (diagnostics.length > 0) {
    // Loaded only when there is something to show: a clean plan needs neither.
    const [{ lineSource }, { renderDiagnosticsText }] = await Promise.all([import("../lines.js"), import("../render/diagnostics.js")]);
    io.err(renderDiagnosticsText(diagnostics, await lineSource(desired.tree, diagnostics, result.errors.length === 0 ? desired.lines : undefined), io.errStyle, { quiet: io.quiet === true }));
  }
  if (result.errors.length > 0) {
    const where = result.errors.some((e) => e.file === ALIASES_FILE) ? `The manifests or ${ALIASES_FILE} have errors` : "The manifests have errors";
    io.err(`\n${where}; no plan can be made until they are fixed.`);
    return;
  }
  const root = desired.tree.root;
  io.out(renderPlanText(result, { style: io.style, where: { root, registry: registryLocation(result.registry.url, root) }, quiet: io.quiet === true }));
  await printSourceNotes(result, root, io);
  for (const target of unmatchedTargets(result)) {
    warn(io, `--target ${target} matches no asset of the manifests or the registry; it selected nothing [target-unmatched]`, "check the address: `assetctl list` shows the registry's assets, `assetctl plan` every change");
  }
}

/** A warning of the plan's own, with its hint (a warning without its hint with --quiet). */
function warn(io: Io, message: string, hint: string): void {
  io.err(`${io.errStyle.yellow("warning")} ${printable(message)}`);
  if (!io.quiet) io.err(`  ${io.errStyle.cyan("hint:")} ${printable(hint)}`);
}

/**
 * What the plan's source means for the versions it would write: made from no commit (outside git), or
 * storing files git ignores, which the commit (and so a plan of it in CI) will not have.
 */
async function printSourceNotes(result: Plan, root: string, io: Io): Promise<void> {
  if (result.source.ref !== null) return;
  if (result.source.commit === null && !(await isGitRepository(root))) {
    warn(io, `${root} is not in a git repository: versions applied from here record no commit [no-git]`, "apply refuses to write them unless given --no-git (or --allow-dirty); `git init` and a commit give them provenance");
    return;
  }
  const ignored = result.changes.flatMap((c) => (c.action === "create" ? (c.record?.artifacts ?? []) : [])).filter((a) => a.git === "ignored");
  if (ignored.length === 0) return;
  const filesOf = (a: (typeof ignored)[number]): string[] => (a.type === "file" ? [a.source] : a.files.map((f) => `${a.source}/${f.path}`));
  const rules = await ignoreRules(root, ignored.flatMap(filesOf));
  const seen = new Set<string>();
  for (const artifact of ignored) {
    if (seen.has(artifact.source)) continue;
    seen.add(artifact.source);
    const files = filesOf(artifact).filter((f) => rules.has(f));
    const first = files[0];
    if (first === undefined) continue;
    const what = files.length === 1 ? `${first} is` : `${first} and ${files.length - 1} more file${files.length === 2 ? "" : "s"} of ${artifact.source} are`;
    const them = files.length === 1 ? "it" : "them";
    warn(io, `${what} ignored by git (${rules.get(first) ?? ""}): the commit will not have ${them}, so a plan of the commit (as CI makes) cannot store ${them} [artifact-ignored]`, `commit ${them} all the same (\`git add -f ${first}\`), or keep large files in storage and name them by URI`);
  }
}

/** The --target addresses no change of the plan answers to (a typo makes a plan of nothing, silently otherwise). */
function unmatchedTargets(result: Plan): string[] {
  return (result.options?.targets ?? []).filter((target) => {
    const t = parseAddress(target);
    return !result.changes.some((c) => c.kind === t.kind && c.name === t.name && (t.version === undefined || t.version === "latest" || t.version === c.version));
  });
}
