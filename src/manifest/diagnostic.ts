// Builds the diagnostics of the manifest layer: one factory, so that optional fields are left out rather
// than set to undefined (exactOptionalPropertyTypes) and every diagnostic is located the same way.
import type { Diagnostic, Severity } from "../diagnostics.js";
import type { SourcePosition } from "./types.js";

export interface DiagnosticInit {
  code: string;
  message: string;
  file: string;
  at?: SourcePosition | undefined;
  severity?: Severity;
  hint?: string | undefined;
  path?: readonly (string | number)[] | undefined;
}

export function diagnostic(init: DiagnosticInit): Diagnostic {
  const d: Diagnostic = {
    code: init.code,
    severity: init.severity ?? "error",
    message: init.message,
    file: init.file,
    // A file-level problem still points at the first character, so that every diagnostic is clickable.
    line: Math.max(1, init.at?.line ?? 1),
    column: Math.max(1, init.at?.column ?? 1),
  };
  if (init.hint !== undefined) d.hint = init.hint;
  if (init.path !== undefined && init.path.length > 0) d.path = [...init.path];
  return d;
}

/** `jobs.train.inputs.lr` — how a key path is named in messages. */
export function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}
