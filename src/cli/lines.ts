// The source lines diagnostics point at, for the caret display: read from the tree, or kept with a
// reused result.
import type { Diagnostic } from "../diagnostics.js";
import { redactSecrets } from "../manifest/rules/secrets.js";
import { readSnippetLines, type SnippetLines } from "../source/snippets.js";
import type { SourceTree } from "../source/tree.js";
import type { LineSource } from "./render/diagnostics.js";

export async function lineSource(tree: SourceTree, diagnostics: readonly Diagnostic[], kept?: SnippetLines): Promise<LineSource> {
  const lines = kept ?? (await readSnippetLines(tree, diagnostics));
  return (file, line) => {
    const text = lines[file]?.[line];
    // Never echo binary junk or control characters back to a terminal, nor a credential's value.
    return text === undefined || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(text) ? undefined : redactSecrets(text);
  };
}
