// The last plan of the working tree, kept with what it was made from, so that planning unchanged inputs
// again answers at once (a no-change plan in CI, a plan run twice). It is reused only when every input
// is the same: the files (one survey of the stats of every file in the tree), the registry (its state
// token), what git says (commit, branch, dirtiness, remote, and the status of every path the plan
// recorded — asked again each time, git is quick at it), the plan's options, and assetctl's own code.
// Anything else — a `--ref` plan, a registry without a token, a racy or erroneous run — is planned in full.
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { writeFileAtomically } from "./atomic-write.js";
import { jsonDigest } from "./digest.js";
import { hasErrors, type Diagnostic } from "./diagnostics.js";
import { codeFingerprint } from "./code-fingerprint.js";
import type { Plan } from "./plan/types.js";
import type { RegistryDriver } from "./registry/driver.js";
import { readPathStatus, readSourceInfo, type GitPathStatus } from "./source/provenance.js";
import { RACY_WINDOW_NS } from "./source/stat-cache.js";
import { STATE_DIR, type Survey, type WorkTree } from "./source/tree.js";
import type { SourceInfo } from "./source/types.js";

const FORMAT = 1;
const FILE_NAME = "plan.json";
/** Written before each survey, for the filesystem's clock (see filesystemClock). */
const CLOCK_FILE = "clock";

export interface MemoOptions {
  prune: boolean;
  targets: string[];
}

/** The working tree as it was before a run read it, and where its plan is kept (see surveyForPlan). */
export interface PlanMemo {
  readonly file: string;
  readonly root: string;
  readonly tree: WorkTree;
  readonly options: MemoOptions;
  readonly survey: Survey;
  /**
   * The filesystem's own clock when the survey began (ns): a file whose timestamps are not older could
   * still be written again without them moving, within the filesystem's timestamp granularity.
   */
  readonly clockNs: bigint;
}

/** What git said while the plan was made. */
export interface GitView {
  source: SourceInfo;
  statuses: ReadonlyMap<string, GitPathStatus>;
}

interface MemoFile {
  format: number;
  /** Digest of every input (see keyOf). */
  key: string;
  /** The paths whose git status the plan recorded. */
  statusPaths: string[];
  plan: Plan;
  diagnostics: Diagnostic[];
}

/**
 * Surveys the tree before anything else reads it: the run's own tree, so that a full plan uses the
 * survey's stats and listing, and a file written while the run goes on shows in the next survey.
 */
export function surveyForPlan(root: string, tree: WorkTree, options: MemoOptions): PlanMemo {
  const dir = path.join(root, STATE_DIR, "cache");
  const clockNs = filesystemClock(dir);
  return { file: path.join(dir, FILE_NAME), root, tree, options, survey: tree.survey(), clockNs };
}

/** A kept plan, with what git says now of what it was made from. */
export interface RecalledPlan {
  kept: MemoFile;
  git: Promise<GitView | undefined>;
}

/**
 * The plan kept for the working tree of `root`, if any, and git asked at once (in the background: call
 * this before surveying the tree, which keeps this process busy while git works).
 */
export function recallPlan(root: string): RecalledPlan | undefined {
  let kept: MemoFile;
  try {
    kept = JSON.parse(readFileSync(path.join(root, STATE_DIR, "cache", FILE_NAME), "utf8")) as MemoFile;
  } catch {
    return undefined; // missing or torn: it is only a cache
  }
  if (kept.format !== FORMAT || typeof kept.key !== "string" || !Array.isArray(kept.statusPaths)) return undefined;
  const git = Promise.all([
    readSourceInfo(root),
    kept.statusPaths.length > 0 ? readPathStatus(root, kept.statusPaths) : new Map<string, GitPathStatus>(),
  ]).then(
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
): Promise<{ plan: Plan; diagnostics: Diagnostic[] } | undefined> {
  const git = await recalled?.git;
  if (token === undefined || recalled === undefined || git === undefined) return undefined;
  if (keyOf(memo, registry, token, git) !== recalled.kept.key) return undefined;
  return { plan: recalled.kept.plan, diagnostics: recalled.kept.diagnostics };
}

/**
 * Keeps a plan just made for the next run. `token` is the registry's, read before the snapshot the plan
 * was made from. Nothing is kept when the inputs could have changed unseen while the plan was made: a file
 * written too recently for its timestamps to tell, a read outside what the survey covers, a registry
 * written meanwhile. Plans of manifests with errors are not kept either (they are being edited).
 */
export async function keepPlan(
  memo: PlanMemo,
  registry: RegistryDriver,
  token: string | undefined,
  made: { plan: Plan; diagnostics: Diagnostic[]; git: GitView },
): Promise<void> {
  if (token === undefined || memo.survey.newestNs >= memo.clockNs) return;
  if (memo.tree.readBeyondSurvey() || hasErrors(made.diagnostics) || made.plan.errors.length > 0) return;
  if ((await registry.stateToken?.()) !== token) return;
  const body: MemoFile = {
    format: FORMAT,
    key: keyOf(memo, registry, token, made.git),
    statusPaths: [...made.git.statuses.keys()].sort(),
    plan: made.plan,
    diagnostics: made.diagnostics,
  };
  await writeFileAtomically(memo.file, JSON.stringify(body)); // a read-only checkout plans in full each time
}

/**
 * The filesystem's clock, as the timestamp it gives a file written now (git compares with its index
 * file's the same way): the granularity is the filesystem's, whatever it is. Where nothing can be
 * written, the wall clock less the coarsest granularity in use (2 s, FAT).
 */
function filesystemClock(dir: string): bigint {
  const probe = path.join(dir, CLOCK_FILE);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, String(process.pid));
    return statSync(probe, { bigint: true }).mtimeNs;
  } catch {
    return BigInt(Date.now()) * 1_000_000n - RACY_WINDOW_NS;
  }
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
