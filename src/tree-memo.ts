// A result computed from the working tree, kept with the digest of everything it was computed from, so
// that computing it again from unchanged inputs answers at once. The tree is surveyed (one lstat walk)
// before the run reads anything, so a file written while the run goes on shows in the next survey; a
// result is kept only when no input can have changed unseen (see keepable). The plan memo and the
// validate memo are built on it.
import { readFileSync } from "node:fs";
import path from "node:path";
import { writeFileAtomically } from "./atomic-write.js";
import { nativeSurveyWithNewest } from "./source/native-survey.js";
import { filesystemClock } from "./source/stat-cache.js";
import { cacheFolder } from "./source/root-folder.js";
import type { Survey, WorkTree } from "./source/tree.js";

/** The working tree as it was before a run read it. */
export interface TreeMemo {
  readonly root: string;
  readonly tree: WorkTree;
  readonly survey: Survey;
  /**
   * The filesystem's own clock when the survey began (ns): a file whose timestamps are not older could
   * still be written again without them moving, within the filesystem's timestamp granularity.
   */
  readonly clockNs: bigint;
}

/** What a memo file holds: the digest of every input, and the result. */
export interface KeptResult<T> {
  format: number;
  key: string;
  body: T;
}


/**
 * Surveys `tree` (of `root`) before anything else reads it: in C where the addon is built, a quarter of
 * the walk's cost in JavaScript, which a run that recalls its result spends on nothing else. The tree then
 * lists and stats what the run reads afresh, after the survey: a file written in between is read as it is
 * now but keyed by the survey from before, so the next survey differs and the result is made again.
 */
export function surveyTree(root: string, tree: WorkTree): TreeMemo {
  const clockNs = filesystemClock(cacheFolder(root), root);
  return { root, tree, survey: nativeSurveyWithNewest(root) ?? tree.survey(), clockNs };
}

/** The result kept in `name` with this format, if any (undefined when missing, torn or of another format). */
export function recallKept<T>(root: string, name: string, format: number): KeptResult<T> | undefined {
  let kept: KeptResult<T>;
  try {
    kept = JSON.parse(readFileSync(path.join(cacheFolder(root), name), "utf8")) as KeptResult<T>;
  } catch {
    return undefined; // missing or torn: it is only a cache
  }
  return kept !== null && kept.format === format && typeof kept.key === "string" ? kept : undefined;
}

/**
 * Whether a result computed since the survey may be kept: not when a file was written too recently for
 * its timestamps to tell, nor when the run read something no survey covers.
 */
export function keepable(memo: TreeMemo): boolean {
  return memo.survey.newestNs < memo.clockNs && !memo.tree.readBeyondSurvey();
}

/** Keeps a result in `name` of the cache folder (a read-only checkout computes in full each time); whether it was written. */
export async function keepResult<T>(memo: TreeMemo, name: string, kept: KeptResult<T>): Promise<boolean> {
  return writeFileAtomically(path.join(cacheFolder(memo.root), name), JSON.stringify(kept));
}
