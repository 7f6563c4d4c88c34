// The library call behind `assetctl validate`: manifests loaded and schema-checked, then every semantic
// rule (files, references, expressions, secrets), with all diagnostics sorted by file and position.
import { sortDiagnostics, type Diagnostic } from "../diagnostics.js";
import type { SourceTree } from "../source/tree.js";
import { loadManifests, type LoadOptions } from "./load.js";
import { runRules } from "./rules/index.js";
import type { Manifest } from "./types.js";

export type ValidateOptions = LoadOptions;

export async function validateRepository(
  tree: SourceTree,
  options: ValidateOptions = {},
): Promise<{ manifests: Manifest[]; diagnostics: Diagnostic[] }> {
  const loaded = await loadManifests(tree, options);
  // With the manifest cache, what the manifest rules say about the whole tree is kept under the
  // identity of all its manifests.
  const cache = options.paths === undefined ? options.cache : undefined;
  const key = cache?.manifestsKey(loaded.manifests);
  const memo =
    cache && key !== undefined
      ? { known: cache.ruleFindings(key), keep: (found: Diagnostic[]) => cache.keepRuleFindings(key, found) }
      : undefined;
  const ruled = await runRules({ manifests: loaded.manifests, tree }, memo ? { memo } : {});
  return { manifests: loaded.manifests, diagnostics: sortDiagnostics([...loaded.diagnostics, ...ruled, ...(await uncheckedFindings(loaded.unchecked ?? [], loaded.manifests, tree))]) };
}

/**
 * What the rules say of the files that failed their schema, so that one pass reports all of a file's
 * errors. The rules run on them as written, beside the valid manifests (which they may refer to); a rule
 * that stumbles on a malformed value says nothing rather than hide the schema's diagnostics.
 */
async function uncheckedFindings(unchecked: readonly Manifest[], manifests: readonly Manifest[], tree: SourceTree): Promise<Diagnostic[]> {
  if (unchecked.length === 0) return [];
  const files = new Set(unchecked.map((m) => m.file));
  try {
    const found = await runRules({ manifests: [...manifests, ...unchecked], tree });
    return found.filter((d) => files.has(d.file));
  } catch {
    return [];
  }
}
