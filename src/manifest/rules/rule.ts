// What a semantic rule is: a function from every manifest of one run (and the files they name) to
// located diagnostics. Rules never throw for user input; they report.
import type { Diagnostic, Severity } from "../../diagnostics.js";
import type { SourceTree } from "../../source/tree.js";
import type { Manifest, SourcePosition } from "../types.js";

export interface RuleContext {
  manifests: Manifest[];
  tree: SourceTree;
}

export type Rule = (ctx: RuleContext) => Diagnostic[] | Promise<Diagnostic[]>;

/** A path of keys inside a manifest's spec, as `Manifest.locate` takes it. */
export type KeyPath = readonly (string | number)[];

export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  hint?: string;
}

/** A diagnostic about the node at `path`, or at `position` when the rule knows better (inside a scalar). */
export function diagnose(manifest: Manifest, path: KeyPath, finding: Finding, position?: SourcePosition): Diagnostic {
  const at = position ?? manifest.locate(path);
  const diagnostic: Diagnostic = {
    code: finding.code,
    severity: finding.severity,
    message: finding.message,
    file: manifest.file,
    line: at.line,
    column: at.column,
    path: [...path],
  };
  if (finding.hint !== undefined) diagnostic.hint = finding.hint;
  return diagnostic;
}

/** Renders a key path the way a person reads it in YAML: `jobs.train.inputs.data.path`, `additional_includes[0]`. */
export function keyPathText(path: KeyPath): string {
  let text = "";
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else text += text === "" ? key : `.${key}`;
  }
  return text;
}
