// The source lines diagnostics point at, read from the tree once per file: what a diagnostic's snippet
// shows. Kept with a memo's result (see tree-memo.ts), they spare a reused run reading every file again.
import type { Diagnostic } from "../diagnostics.js";
import type { SourceTree } from "./tree.js";

const MAX_SOURCE_BYTES = 10 * 1024 * 1024;

/** file → line number (1-based, as text) → the line as it is in the file. */
export type SnippetLines = Record<string, Record<string, string>>;

export async function readSnippetLines(tree: SourceTree, diagnostics: readonly Diagnostic[]): Promise<SnippetLines> {
  const wanted = new Map<string, Set<number>>();
  for (const d of diagnostics) {
    if (!d.file || d.line <= 0) continue;
    let lines = wanted.get(d.file);
    if (!lines) wanted.set(d.file, (lines = new Set()));
    lines.add(d.line);
  }
  const out: SnippetLines = {};
  for (const [file, numbers] of wanted) {
    let text: string;
    try {
      text = (await tree.readFile(file, MAX_SOURCE_BYTES)).toString("utf8");
    } catch {
      continue; // the diagnostic itself says why the file cannot be read
    }
    const lines = text.split(/\r?\n/);
    const kept: Record<string, string> = {};
    for (const n of numbers) {
      const line = lines[n - 1];
      if (line !== undefined) kept[n] = line;
    }
    out[file] = kept;
  }
  return out;
}
