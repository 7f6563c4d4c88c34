// The pipeline every command shares: files → manifests → desired state → plan (→ apply). Each step is
// its own module; this one only composes them, so the CLI, watch and the library API do the same thing.
// Planning a desired state already read (plan-desired.ts) loads none of this: no parser, schema or rule.
import { hasErrors, sortDiagnostics, type Diagnostic } from "./diagnostics.js";
import { ManifestCache } from "./manifest/cache.js";
import type { Manifest } from "./manifest/types.js";
import { loadManifests } from "./manifest/load.js";
import { validateRepository } from "./manifest/validate.js";
import { buildDesiredState, type BuildOptions } from "./source/desired.js";
import type { GitView } from "./plan-memo.js";
import type { GitAnswers } from "./source/git-answers.js";
import type { KeptListing } from "./source/kept-listing.js";
import { openSourceTree, readPathStatus, readSourceInfo, type GitPathStatus } from "./source/index.js";
import { explainIgnoredMissing, readCommitSummary } from "./source/provenance.js";
import { ALIASES_FILE, loadAliases } from "./manifest/aliases.js";
import { filesystemClock, StatCache } from "./source/stat-cache.js";
import { ensureStateDir, type SourceTree } from "./source/tree.js";
import type { DesiredState, SourceInfo } from "./source/types.js";
import { cacheFolder } from "./source/root-folder.js";

export interface ReadOptions {
  /** Repository root (absolute). */
  root: string;
  /** Read the manifests of this git ref instead of the working tree. */
  ref?: string;
  /** Restrict validation to these repository-relative files. */
  paths?: string[];
  /** Reuse what earlier runs found in unchanged files: manifests and artifact digests (the working tree only). */
  cache?: boolean;
  /** The tree to read (a working tree already surveyed), instead of opening one. */
  tree?: SourceTree;
  /** How git sees the paths the desired state records, instead of asking git (see buildDesiredState). */
  pathStatus?: BuildOptions["pathStatus"];
  /** Told of the bytes read to hash artifacts. */
  onProgress?: BuildOptions["onProgress"];
  /** Git's answers kept by a process that plans again and again, instead of asking git each time. */
  git?: GitAnswers;
  /** The working tree's listing kept by such a process under a file watcher, instead of walking it each time. */
  listing?: KeptListing;
}

export interface Desired {
  tree: SourceTree;
  manifests: Manifest[];
  state: DesiredState;
  /** Provenance as git reported it, before the manifests' own status was taken into account. */
  gitSource: SourceInfo;
}

export async function validate(options: ReadOptions): Promise<{ tree: SourceTree; manifests: Manifest[]; diagnostics: Diagnostic[] }> {
  const { cache, ...validated } = await validateCached(options, await cacheClock(options));
  await cache?.save();
  // aliases.yaml is checked with the manifests (schema and policy; its moves are judged by plan).
  if (options.paths !== undefined && !options.paths.includes(ALIASES_FILE)) return validated;
  const aliases = await loadAliases(validated.tree);
  return aliases.diagnostics.length === 0 ? validated : { ...validated, diagnostics: sortDiagnostics([...validated.diagnostics, ...aliases.diagnostics]) };
}

/**
 * The manifests alone, schema-checked but without the semantic rules (no file, reference or expression
 * checks): what a question about the manifests' graph needs, at the cost of reading them.
 */
export async function readManifests(options: ReadOptions): Promise<{ manifests: Manifest[]; diagnostics: Diagnostic[] }> {
  const clockNs = await cacheClock(options);
  const [tree, cache] = await Promise.all([
    options.tree ?? openSourceTree(options.root, options.ref, options.listing),
    clockNs !== undefined ? ManifestCache.load(options.root, cacheFolder(options.root), { clockNs }) : undefined,
  ]);
  const loaded = await loadManifests(tree, cache ? { cache } : {});
  await cache?.save();
  return loaded;
}

/**
 * The filesystem's clock for the caches, read before the run reads any file: what decides which files are
 * too recent to be known by their stats (see filesystemClock); undefined when the run uses no cache. The
 * caches live in a state folder git is kept out of, made here.
 */
async function cacheClock(options: ReadOptions): Promise<bigint | undefined> {
  if (!usesCache(options)) return undefined;
  await ensureStateDir(options.root);
  return filesystemClock(cacheFolder(options.root), options.root);
}

function usesCache(options: ReadOptions): boolean {
  return options.cache !== false && options.ref === undefined;
}

async function validateCached(
  options: ReadOptions,
  clockNs: bigint | undefined,
): Promise<{ tree: SourceTree; manifests: Manifest[]; diagnostics: Diagnostic[]; cache: ManifestCache | undefined }> {
  const [tree, cache] = await Promise.all([
    options.tree ?? openSourceTree(options.root, options.ref, options.listing),
    clockNs !== undefined ? ManifestCache.load(options.root, cacheFolder(options.root), { clockNs }) : undefined,
  ]);
  const { manifests, diagnostics } = await validateRepository(tree, { ...(options.paths ? { paths: options.paths } : {}), ...(cache ? { cache } : {}) });
  return { tree, manifests, diagnostics, cache };
}

/** Reads and validates the manifests and hashes their artifacts. Artifacts are hashed only when valid. */
export async function readDesired(options: ReadOptions): Promise<Desired> {
  const git = options.ref === undefined ? options.git : undefined;
  const clockNs = await cacheClock(options);
  const [{ tree, manifests, diagnostics: manifestDiagnostics, cache: manifestCache }, source, cache] = await Promise.all([
    validateCached(options, clockNs),
    git ? git.source() : readSourceInfo(options.root, options.ref),
    clockNs !== undefined ? StatCache.load(cacheFolder(options.root), { clockNs }) : undefined,
  ]);
  const aliases = await readAliases(options.root, tree, source);
  // A file a commit lacks because git ignores it is explained by the ignore rule, not the manifest.
  const found = options.ref !== undefined && hasErrors(manifestDiagnostics) ? await explainIgnoredMissing(options.root, manifestDiagnostics) : manifestDiagnostics;
  const diagnostics = [...found, ...aliases.diagnostics];
  if (hasErrors(diagnostics)) {
    await manifestCache?.save();
    return { tree, manifests, state: { assets: [], source, diagnostics: sortDiagnostics(diagnostics) }, gitSource: source };
  }
  const state = await buildDesiredState(manifests, tree, {
    ...(cache ? { cache } : {}),
    ...(options.pathStatus ? { pathStatus: options.pathStatus } : git ? { pathStatus: (paths: readonly string[]) => git.pathStatus(paths) } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    source,
  });
  // Saved last: building the desired state asks positions of the manifests, kept for the next run.
  await Promise.all([cache?.save(), manifestCache?.save()]);
  return {
    tree,
    manifests,
    state: { ...state, ...aliases.state, diagnostics: sortDiagnostics([...diagnostics, ...state.diagnostics]) },
    gitSource: source,
  };
}

/** aliases.yaml of the tree, with the author and subject of the commit it is read from. */
async function readAliases(root: string, tree: SourceTree, source: SourceInfo): Promise<{ state: Pick<DesiredState, "aliases" | "aliasesDeclaredIn">; diagnostics: Diagnostic[] }> {
  const { declared, diagnostics } = await loadAliases(tree);
  if (declared === undefined) return { state: {}, diagnostics };
  const summary = source.commit === null ? undefined : await readCommitSummary(root, source.commit);
  return { state: { aliases: declared, ...(summary === undefined ? {} : { aliasesDeclaredIn: summary }) }, diagnostics };
}

/**
 * readDesired, also returning what git said of the working tree and of every path the desired state
 * records — what a plan is kept with (see plan-memo.ts). `git` is undefined when git could not say.
 */
export async function readDesiredWithGit(options: ReadOptions): Promise<{ desired: Desired; git: GitView | undefined }> {
  if (options.ref !== undefined) return { desired: await readDesired(options), git: undefined };
  const statuses = new Map<string, GitPathStatus>();
  let failed = false;
  const pathStatus = async (paths: readonly string[]): Promise<Map<string, GitPathStatus>> => {
    const found = await readPathStatus(options.root, paths).catch((error: unknown) => {
      failed = true;
      throw error;
    });
    for (const [p, status] of found) statuses.set(p, status);
    return statuses;
  };
  const desired = await readDesired({ ...options, pathStatus });
  return { desired, git: failed ? undefined : { source: desired.gitSource, statuses } };
}
