// The semantic rules that run after schema validation: each checks one concern across every manifest
// of the run (files named, references, expressions, bindings, cycles, duplicates, secrets). Rules share one
// cached view of the tree, so a folder named by ten manifests is read once.
import { sortDiagnostics, type Diagnostic } from "../../diagnostics.js";
import { CachedTree } from "./cached-tree.js";
import { checkCommandExpressions } from "./command-expressions.js";
import { checkCycles } from "./cycles.js";
import { checkDuplicates } from "./duplicates.js";
import { checkEnvironments } from "./environment.js";
import { checkLocalPaths } from "./local-paths.js";
import { checkMltable } from "./mltable.js";
import { checkPipelineBindings } from "./pipeline-bindings.js";
import { checkReferences } from "./references.js";
import type { Rule, RuleContext } from "./rule.js";
import { checkSecrets } from "./secrets.js";

export type { Rule, RuleContext } from "./rule.js";
export { displayReference, parseReference } from "./reference.js";
export type { ParsedReference, RegistryAssetType, StorageScheme, WorkspaceScope } from "./reference.js";
export {
  isRedactedPlaceholder,
  isSecretCredentialKey,
  parseSecretReference,
  resolveSecretReference,
  SECRET_REFERENCE_SYNTAX,
} from "./secret-reference.js";
export { localPathOf, sitesOf } from "./sites.js";
export type { Site, SiteRole } from "./sites.js";

export const RULES: readonly Rule[] = [
  checkLocalPaths,
  checkMltable,
  checkEnvironments,
  checkCommandExpressions,
  checkPipelineBindings,
  checkReferences,
  checkCycles,
  checkDuplicates,
  checkSecrets,
];

/** Runs every rule (those that read files concurrently) and returns all they report, sorted by position. */
export async function runRules(ctx: RuleContext): Promise<Diagnostic[]> {
  const shared: RuleContext = { manifests: ctx.manifests, tree: CachedTree.of(ctx.tree) };
  const results = await Promise.all(RULES.map(async (rule) => rule(shared)));
  return sortDiagnostics(results.flat());
}
