// The last validation of the working tree, kept with what it was made from, so that validating unchanged
// files again answers at once (an editor's save hook, a pre-commit hook, CI's validate step after a
// plan). Validation reads nothing but the tree and assetctl's own code, so it is reused when the tree's
// survey, the paths asked for and the code are the same (see tree-memo.ts); the rules are loaded only
// when it has to run.
import { codeFingerprint } from "./code-fingerprint.js";
import { jsonDigest } from "./digest.js";
import type { Diagnostic } from "./diagnostics.js";
import { readSnippetLines, type SnippetLines } from "./source/snippets.js";
import { WorkTree } from "./source/tree.js";
import { keepable, keepResult, recallKept, surveyTree } from "./tree-memo.js";

const FORMAT = 1;
const FILE_NAME = "validate.json";

/** What validation says of one manifest, as `validate` reports it. */
export interface ValidatedManifest {
  file: string;
  kind: string;
  name: string | undefined;
  version: string | undefined;
}

export interface Validation {
  /** The tree read (for the source lines diagnostics show). */
  tree: WorkTree;
  manifests: ValidatedManifest[];
  diagnostics: Diagnostic[];
  /** The source lines the diagnostics point at. */
  lines: SnippetLines;
}

interface KeptValidation {
  manifests: ValidatedManifest[];
  diagnostics: Diagnostic[];
  lines: SnippetLines;
}

/** Validates the manifests of the working tree of `root` (all, or the files `paths` name), reusing the last result when nothing changed. */
export async function validateWorkTree(root: string, paths?: string[]): Promise<Validation> {
  const kept = recallKept<KeptValidation>(root, FILE_NAME, FORMAT);
  const tree = new WorkTree(root, { shareStats: true });
  const memo = surveyTree(root, tree);
  const key = jsonDigest({ code: codeFingerprint(), root, paths: paths ?? null, tree: memo.survey.digest });
  if (kept?.key === key && Array.isArray(kept.body?.manifests) && Array.isArray(kept.body.diagnostics) && typeof kept.body.lines === "object") {
    return { tree, ...kept.body };
  }
  const { validate } = await import("./reconcile.js");
  const result = await validate({ root, tree, ...(paths ? { paths } : {}) });
  const manifests = result.manifests.map((m) => ({ file: m.file, kind: m.kind, name: m.name, version: m.version }));
  const lines = await readSnippetLines(tree, result.diagnostics);
  if (keepable(memo)) await keepResult(memo, FILE_NAME, { format: FORMAT, key, body: { manifests, diagnostics: result.diagnostics, lines } });
  return { tree, manifests, diagnostics: result.diagnostics, lines };
}
