// The last plan of the working tree, kept with what it was made from, so that planning unchanged inputs
// again answers at once (a no-change plan in CI, a plan run twice). It is reused only when every input
// is the same: the files (one survey of the stats of every file in the tree), the registry (its state
// token), what git says (commit, branch, dirtiness, remote, and the status of every path the plan
// recorded), the plan's options, and assetctl's own code. Git is asked again only when its own files
// changed (see git-stamp.ts): starting it costs more than anything else a reused plan does.
// Anything else — a `--ref` plan, a registry without a token, a racy or erroneous run — is planned in full.
//
// Beside the plan, the desired state it was made from is kept (`desired.json`), with the same inputs but
// the registry: when only the registry moved (another apply, or the first apply creating it), a plan or
// an apply of unchanged files plans again from it without reading, validating and hashing the manifests.
import { jsonDigest } from "./digest.js";
import { hasErrors, type Diagnostic } from "./diagnostics.js";
import { codeFingerprint } from "./code-fingerprint.js";
import type { Plan } from "./plan/types.js";
import type { RegistryDriver } from "./registry/driver.js";
import type { GitStamp } from "./source/git-stamp.js";
import { readPathStatus, readSourceInfo, type GitPathStatus } from "./source/provenance.js";
import type { SnippetLines } from "./source/snippets.js";
import type { WorkTree } from "./source/tree.js";
import type { DesiredState, SourceInfo } from "./source/types.js";
import { keepable, keepResult, recallKept, surveyTree, type KeptResult, type TreeMemo } from "./tree-memo.js";

const FORMAT = 3;
const FILE_NAME = "plan.json";
const DESIRED_FORMAT = 1;
const DESIRED_FILE = "desired.json";

export interface MemoOptions {
  prune: boolean;
  targets: string[];
}

/** The working tree as it was before a run read it, where its plan is kept, and the plan's options. */
export interface PlanMemo extends TreeMemo {
  readonly options: MemoOptions;
  /** Git's own files as they were before git was asked (none where git must always be asked). */
  readonly gitStamp: GitStamp | undefined;
}

/** What git said while the plan was made. */
export interface GitView {
  source: SourceInfo;
  statuses: ReadonlyMap<string, GitPathStatus>;
}

/** What git said of the working tree while a kept result was made. */
interface GitSaid {
  /** The paths whose git status the result recorded. */
  statusPaths: string[];
  /** What git said, and the stamp of git's files it was said of: while the stamp holds, git says the same. */
  git?: { stamp: string; source: SourceInfo; statuses: [string, GitPathStatus][] };
}

interface KeptPlan extends GitSaid {
  plan: Plan;
  diagnostics: Diagnostic[];
  /** The source lines the diagnostics point at, when the run that kept the plan read them. */
  lines?: SnippetLines;
}

/**
 * Surveys the tree before anything else reads it: the run's own tree, so that a full plan uses the
 * survey's stats and listing, and a file written while the run goes on shows in the next survey.
 */
export function surveyForPlan(root: string, tree: WorkTree, options: MemoOptions, gitStamp: GitStamp | undefined): PlanMemo {
  return { ...surveyTree(root, tree), options, gitStamp };
}

/** The desired state a plan was made from, as planning and applying need it again. */
export interface KeptDesired {
  state: DesiredState;
  /** Every manifest read (an apply refused for a dirty tree names those among the changed files). */
  manifestFiles: string[];
}

interface KeptDesiredBody extends GitSaid, KeptDesired {}

/** A kept result, with what git says now of what it was made from. */
export interface Recalled<T> {
  kept: KeptResult<T>;
  git: Promise<GitView | undefined>;
}

export type RecalledPlan = Recalled<KeptPlan>;
export type RecalledDesired = Recalled<KeptDesiredBody>;

/**
 * The plan kept for the working tree of `root`, if any, and what git says now: what it said then, when
 * `stamp` (taken before anything else) is the stamp it was said of; else git asked at once (in the
 * background: call this before surveying the tree, which keeps this process busy while git works).
 */
export function recallPlan(root: string, stamp: GitStamp | undefined): RecalledPlan | undefined {
  return recall<KeptPlan>(root, FILE_NAME, FORMAT, stamp);
}

/** The desired state kept for the working tree of `root`, if any, and what git says now (as recallPlan). */
export function recallDesired(root: string, stamp: GitStamp | undefined): RecalledDesired | undefined {
  const recalled = recall<KeptDesiredBody>(root, DESIRED_FILE, DESIRED_FORMAT, stamp);
  const body = recalled?.kept.body;
  return body && Array.isArray(body.state?.assets) && Array.isArray(body.manifestFiles) ? recalled : undefined;
}

function recall<T extends GitSaid>(root: string, name: string, format: number, stamp: GitStamp | undefined): Recalled<T> | undefined {
  const kept = recallKept<T>(root, name, format);
  if (kept === undefined || !Array.isArray(kept.body?.statusPaths)) return undefined;
  const said = kept.body.git;
  if (stamp !== undefined && said?.stamp === stamp.digest) {
    return { kept, git: Promise.resolve({ source: said.source, statuses: new Map(said.statuses) }) };
  }
  const statusPaths = kept.body.statusPaths;
  const git = Promise.all([readSourceInfo(root), statusPaths.length > 0 ? readPathStatus(root, statusPaths) : new Map<string, GitPathStatus>()]).then(
    ([source, statuses]) => ({ source, statuses }),
    () => undefined,
  );
  return { kept, git };
}

/** The recalled desired state, with what git says, when the tree, git and assetctl's code are still the same. */
export async function reuseDesired(memo: PlanMemo, recalled: RecalledDesired | undefined): Promise<(KeptDesired & { git: GitView }) | undefined> {
  const git = await recalled?.git;
  if (recalled === undefined || git === undefined || desiredKeyOf(memo, git) !== recalled.kept.key) return undefined;
  const { state, manifestFiles } = recalled.kept.body;
  return { state, manifestFiles, git };
}

/**
 * Keeps the desired state just read from the surveyed tree, for the next plan or apply; whether it was
 * kept (not when a file could have changed unseen, nor for manifests with errors: they are being edited).
 */
export async function keepDesired(memo: PlanMemo, made: KeptDesired & { git: GitView }): Promise<boolean> {
  if (!keepable(memo) || hasErrors(made.state.diagnostics)) return false;
  return keepResult(memo, DESIRED_FILE, {
    format: DESIRED_FORMAT,
    key: desiredKeyOf(memo, made.git),
    body: { ...gitSaid(memo, made.git), state: made.state, manifestFiles: made.manifestFiles },
  });
}

/**
 * The recalled plan, when everything it was made from is still the same; `token` is the registry's,
 * read now (a registry without one never has its plans reused).
 */
export async function reusePlan(
  memo: PlanMemo,
  registry: RegistryDriver,
  token: string | undefined,
  recalled: RecalledPlan | undefined,
): Promise<{ plan: Plan; diagnostics: Diagnostic[]; lines?: SnippetLines } | undefined> {
  const git = await recalled?.git;
  if (token === undefined || recalled === undefined || git === undefined) return undefined;
  if (keyOf(memo, registry, token, git) !== recalled.kept.key) return undefined;
  const { plan, diagnostics, lines } = recalled.kept.body;
  return { plan, diagnostics, ...(lines ? { lines } : {}) };
}

/**
 * Keeps a plan just made for the next run. `token` is the registry's, read before the snapshot the plan
 * was made from. Nothing is kept when the inputs could have changed unseen while the plan was made (see
 * keepable), or a registry written meanwhile. Whether it was kept. Plans of manifests with errors are not kept either (they
 * are being edited).
 */
export async function keepPlan(
  memo: PlanMemo,
  registry: RegistryDriver,
  token: string | undefined,
  made: { plan: Plan; diagnostics: Diagnostic[]; git: GitView; lines?: SnippetLines },
): Promise<boolean> {
  if (token === undefined || !keepable(memo)) return false;
  if (hasErrors(made.diagnostics) || made.plan.errors.length > 0) return false;
  if ((await registry.stateToken?.()) !== token) return false;
  return keepResult(memo, FILE_NAME, {
    format: FORMAT,
    key: keyOf(memo, registry, token, made.git),
    body: {
      ...gitSaid(memo, made.git),
      plan: made.plan,
      diagnostics: made.diagnostics,
      ...(made.lines ? { lines: made.lines } : {}),
    },
  });
}

/**
 * The digest of git's stamp, when it vouches for git's answers: no file of git's was written within the
 * filesystem's timestamp granularity of the survey (as keepable asks of the tree's files).
 */
export function trustedStamp(memo: PlanMemo): string | undefined {
  return memo.gitStamp !== undefined && memo.gitStamp.newestNs < memo.clockNs ? memo.gitStamp.digest : undefined;
}

/** What git said, to keep beside a result: the stamp's answers only when the stamp vouches for them. */
function gitSaid(memo: PlanMemo, git: GitView): GitSaid {
  const statuses = sortedStatuses(git);
  const stamp = trustedStamp(memo);
  return { statusPaths: statuses.map(([file]) => file), ...(stamp ? { git: { stamp, source: git.source, statuses } } : {}) };
}

function keyOf(memo: PlanMemo, registry: RegistryDriver, token: string, git: GitView): string {
  return jsonDigest({
    code: codeFingerprint(),
    root: memo.root,
    registry: registry.url,
    token,
    options: memo.options,
    tree: memo.survey.digest,
    source: git.source,
    statuses: sortedStatuses(git),
  });
}

/** The desired state is read from the tree and git alone: neither the registry nor the plan's options are part of its key. */
function desiredKeyOf(memo: PlanMemo, git: GitView): string {
  return jsonDigest({ code: codeFingerprint(), root: memo.root, tree: memo.survey.digest, source: git.source, statuses: sortedStatuses(git) });
}

function sortedStatuses(git: GitView): [string, GitPathStatus][] {
  return [...git.statuses].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
