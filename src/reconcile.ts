// The pipeline every command shares: files → manifests → desired state → plan (→ apply). Each step is
// its own module; this one only composes them, so the CLI, watch and the library API do the same thing.
import path from "node:path";
import { hasErrors, sortDiagnostics, type Diagnostic } from "./diagnostics.js";
import type { Manifest } from "./manifest/types.js";
import { validateRepository } from "./manifest/validate.js";
import { plan as computePlan, type PlanOptions } from "./plan/plan.js";
import type { Plan } from "./plan/types.js";
import type { RegistryDriver } from "./registry/driver.js";
import { buildDesiredState } from "./source/desired.js";
import { openSourceTree, readSourceInfo } from "./source/index.js";
import { StatCache } from "./source/stat-cache.js";
import type { SourceTree } from "./source/tree.js";
import type { DesiredState } from "./source/types.js";

export interface ReadOptions {
  /** Repository root (absolute). */
  root: string;
  /** Read the manifests of this git ref instead of the working tree. */
  ref?: string;
  /** Restrict validation to these repository-relative files. */
  paths?: string[];
  /** Reuse artifact digests of unchanged files (the working tree only). */
  cache?: boolean;
}

export interface Desired {
  tree: SourceTree;
  manifests: Manifest[];
  state: DesiredState;
}

export async function validate(options: ReadOptions): Promise<{ tree: SourceTree; manifests: Manifest[]; diagnostics: Diagnostic[] }> {
  const tree = await openSourceTree(options.root, options.ref);
  const { manifests, diagnostics } = await validateRepository(tree, options.paths ? { paths: options.paths } : {});
  return { tree, manifests, diagnostics };
}

/** Reads and validates the manifests and hashes their artifacts. Artifacts are hashed only when valid. */
export async function readDesired(options: ReadOptions): Promise<Desired> {
  const [{ tree, manifests, diagnostics }, source] = await Promise.all([validate(options), readSourceInfo(options.root, options.ref)]);
  if (hasErrors(diagnostics)) {
    return { tree, manifests, state: { assets: [], source, diagnostics: sortDiagnostics(diagnostics) } };
  }
  const useCache = options.cache !== false && options.ref === undefined;
  const cache = useCache ? await StatCache.load(path.join(options.root, ".assetctl", "cache")) : undefined;
  const state = await buildDesiredState(manifests, tree, { ...(cache ? { cache } : {}), source });
  if (cache) await cache.save();
  return { tree, manifests, state: { ...state, diagnostics: sortDiagnostics([...diagnostics, ...state.diagnostics]) } };
}

export async function makePlan(
  desired: Desired,
  registry: RegistryDriver,
  options: Omit<PlanOptions, "registryUrl"> = {},
): Promise<Plan> {
  const snapshot = await registry.snapshot();
  return computePlan(desired.state, snapshot, { ...options, registryUrl: registry.url });
}
