// Where desired state comes from: the working tree or a git ref, its provenance, and the hashed artifacts
// of its manifests. The entry points the rest of assetctl uses.
import { GitTree } from "./git-tree.js";
import type { KeptListing } from "./kept-listing.js";
import { WorkTree, type SourceTree } from "./tree.js";

/**
 * The working tree of `root`, or the commit `ref` names, read without checking it out. `listing`: the
 * working tree's listing kept by a process under a file watcher.
 */
export async function openSourceTree(root: string, ref?: string, listing?: KeptListing): Promise<SourceTree> {
  // One tree per run: the files it stats are stat'ed once for the whole run.
  return ref === undefined ? new WorkTree(root, { shareStats: true, ...(listing ? { listing } : {}) }) : GitTree.open(root, ref);
}

export { buildDesiredState, type BuildOptions } from "./desired.js";
export { GitTree, resolveCommit } from "./git-tree.js";
export { ArtifactError, ArtifactHasher, folderDigest, type HashedArtifact, type HashOptions } from "./hash.js";
export { defaultBranchRef, readPathStatus, readSourceInfo, stripCredentials, type GitPathStatus } from "./provenance.js";
export { KeptListing } from "./kept-listing.js";
export { StatCache } from "./stat-cache.js";
export { resolveReal } from "./symlinks.js";
export { WorkTree, type SourceTree } from "./tree.js";
