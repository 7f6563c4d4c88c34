// The last plan of the working tree, kept with what it was made from, so that planning unchanged inputs
// again answers at once (a no-change plan in CI, a plan run twice). It is reused only when every input
// is the same: the files (one survey of the stats of every file in the tree), the registry (its state
// token), what git says (commit, branch, dirtiness, remote, and the status of every path the plan
// recorded), the plan's options, and assetctl's own code. Git is asked again only when its own files
// changed (see git-stamp.ts): starting it costs more than anything else a reused plan does.
// Anything else — a `--ref` plan, a registry without a token, a racy or erroneous run — is planned in full.
import { jsonDigest } from "./digest.js";
import { hasErrors, type Diagnostic } from "./diagnostics.js";
import { codeFingerprint } from "./code-fingerprint.js";
import type { Plan } from "./plan/types.js";
import type { RegistryDriver } from "./registry/driver.js";
import type { GitStamp } from "./source/git-stamp.js";
import { readPathStatus, readSourceInfo, type GitPathStatus } from "./source/provenance.js";
import type { SnippetLines } from "./source/snippets.js";
import type { WorkTree } from "./source/tree.js";
import type { SourceInfo } from "./source/types.js";
import { keepable, keepResult, recallKept, surveyTree, type KeptResult, type TreeMemo } from "./tree-memo.js";

const FORMAT = 3;
const FILE_NAME = "plan.json";

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

interface KeptPlan {
  /** The paths whose git status the plan recorded. */
  statusPaths: string[];
  /** What git said, and the stamp of git's files it was said of: while the stamp holds, git says the same. */
  git?: { stamp: string; source: SourceInfo; statuses: [string, GitPathStatus][] };
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
  return { ...surveyTree(root, tree, FILE_NAME), options, gitStamp };
}

/** A kept plan, with what git says now of what it was made from. */
export interface RecalledPlan {
  kept: KeptResult<KeptPlan>;
  git: Promise<GitView | undefined>;
}

/**
 * The plan kept for the working tree of `root`, if any, and what git says now: what it said then, when
 * `stamp` (taken before anything else) is the stamp it was said of; else git asked at once (in the
 * background: call this before surveying the tree, which keeps this process busy while git works).
 */
export function recallPlan(root: string, stamp: GitStamp | undefined): RecalledPlan | undefined {
  const kept = recallKept<KeptPlan>(root, FILE_NAME, FORMAT);
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
  const statuses = [...made.git.statuses].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const stamp = trustedStamp(memo);
  return keepResult(memo, {
    format: FORMAT,
    key: keyOf(memo, registry, token, made.git),
    body: {
      statusPaths: statuses.map(([file]) => file),
      ...(stamp ? { git: { stamp, source: made.git.source, statuses } } : {}),
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

function keyOf(memo: PlanMemo, registry: RegistryDriver, token: string, git: GitView): string {
  return jsonDigest({
    code: codeFingerprint(),
    root: memo.root,
    registry: registry.url,
    token,
    options: memo.options,
    tree: memo.survey.digest,
    source: git.source,
    statuses: [...git.statuses].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  });
}
