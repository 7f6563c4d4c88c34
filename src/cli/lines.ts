// Reads the source lines that diagnostics point at, once per file, for the caret display.
import type { Diagnostic } from "../diagnostics.js";
import { redactSecrets } from "../manifest/rules/secrets.js";
import type { SourceTree } from "../source/tree.js";
import type { LineSource } from "./render/diagnostics.js";

const MAX_SOURCE_BYTES = 10 * 1024 * 1024;

export async function lineSource(tree: SourceTree, diagnostics: readonly Diagnostic[]): Promise<LineSource> {
  const files = new Map<string, string[]>();
  for (const file of new Set(diagnostics.filter((d) => d.file && d.line > 0).map((d) => d.file))) {
    try {
      const text = (await tree.readFile(file, MAX_SOURCE_BYTES)).toString("utf8");
      files.set(file, text.split(/\r?\n/));
    } catch {
      // The diagnostic itself says why the file cannot be read.
    }
  }
  return (file, line) => {
    const text = files.get(file)?.[line - 1];
    // Never echo binary junk or control characters back to a terminal, nor a credential's value.
    return text === undefined || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(text) ? undefined : redactSecrets(text);
  };
}
