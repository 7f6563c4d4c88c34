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
export {
  isRedactedPlaceholder,
  isSecretCredentialKey,
  parseSecretReference,
  resolveSecretReference,
  SECRET_REFERENCE_SYNTAX,
} from "./secret-reference.js";

/** Rules that read the tree (files named, folders' contents): they run every time. */
const TREE_RULES: readonly Rule[] = [checkLocalPaths, checkMltable];

/**
 * Rules that see only the manifests (their specs, and their texts for positions): what they report is
 * a function of the manifests, so it can be kept for as long as the manifests are the same.
 */
const MANIFEST_RULES: readonly Rule[] = [
  checkEnvironments,
  checkCommandExpressions,
  checkPipelineBindings,
  checkReferences,
  checkCycles,
  checkDuplicates,
  checkSecrets,
];

export const RULES: readonly Rule[] = [...TREE_RULES, ...MANIFEST_RULES];

/** What the manifest rules reported for these very manifests before, and where to keep what they report now. */
export interface ManifestRulesMemo {
  known: Diagnostic[] | undefined;
  keep(diagnostics: Diagnostic[]): void;
}

/** Runs every rule (those that read files concurrently) and returns all they report, sorted by position. */
export async function runRules(ctx: RuleContext, options: { memo?: ManifestRulesMemo } = {}): Promise<Diagnostic[]> {
  const shared: RuleContext = { manifests: ctx.manifests, tree: CachedTree.of(ctx.tree) };
  const memo = options.memo;
  const manifestRules = async (): Promise<Diagnostic[]> => {
    if (memo?.known) return memo.known;
    const found = (await Promise.all(MANIFEST_RULES.map(async (rule) => rule(shared)))).flat();
    memo?.keep(found);
    return found;
  };
  const results = await Promise.all([...TREE_RULES.map(async (rule) => rule(shared)), manifestRules()]);
  return sortDiagnostics(results.flat());
}
