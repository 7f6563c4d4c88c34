// Diagnostics are data: every problem found in the user's input is one of these, collected in one pass
// and formatted by the CLI. Errors the user cannot fix by editing input are thrown as InternalError.

export type Severity = "error" | "warning";

export interface Diagnostic {
  /** Stable identifier, e.g. `AC1001`-style codes are avoided in favour of readable ones: `path-escapes-repo`. */
  code: string;
  severity: Severity;
  message: string;
  /** Repository-relative POSIX path, or "" when the problem is not about one file. */
  file: string;
  /** 1-based; 0 when unknown. */
  line: number;
  /** 1-based; 0 when unknown. */
  column: number;
  hint?: string;
  /** Path of keys inside the document, when the problem is about a node. */
  path?: (string | number)[];
}

export function isError(d: Diagnostic): boolean {
  return d.severity === "error";
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some(isError);
}

export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.sort(
    (a, b) =>
      a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code),
  );
}

/**
 * A failure caused by the user's input or environment (bad flag, locked registry, stale plan).
 * The CLI prints the message (and hint) without a stack trace and exits 1.
 */
export class UserError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly diagnostics: Diagnostic[];
  constructor(code: string, message: string, options: { hint?: string; diagnostics?: Diagnostic[] } = {}) {
    super(message);
    this.name = "UserError";
    this.code = code;
    this.hint = options.hint;
    this.diagnostics = options.diagnostics ?? [];
  }
}
