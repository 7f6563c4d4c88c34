// Positions inside a YAML scalar: a `${{…}}` in a folded multi-line `command` is pointed at on its own
// line rather than at the `>-` that starts the scalar. Found by searching the manifest's source text
// from the node's start, which holds for every scalar style as long as the text is not split by folding.
import type { SourceTree } from "../../source/tree.js";
import type { Manifest, SourcePosition } from "../types.js";
import type { KeyPath } from "./rule.js";

/** Manifests are small; a bigger file is not worth searching for a column. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** The position of the `occurrence`-th (0-based) `needle` at or after the node at `path`, or the node's own position. */
export async function positionInScalar(
  tree: SourceTree,
  manifest: Manifest,
  path: KeyPath,
  needle: string,
  occurrence: number,
): Promise<SourcePosition> {
  const node = manifest.locate(path);
  let text: string;
  try {
    text = (await tree.readFile(manifest.file, MAX_MANIFEST_BYTES)).toString("utf8");
  } catch {
    return node;
  }
  const lineStarts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lineStarts.push(i + 1);
  const nodeLineStart = lineStarts[node.line - 1];
  if (nodeLineStart === undefined) return node;
  let at = nodeLineStart + Math.max(0, node.column - 1);
  for (let n = 0; n <= occurrence; n++) {
    at = text.indexOf(needle, n === 0 ? at : at + needle.length);
    if (at < 0) return node;
  }
  // The last line start at or before the match.
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((lineStarts[mid] ?? 0) <= at) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: at - (lineStarts[lo] ?? 0) + 1 };
}
