// Diagnostics for people (the line with a caret under the column), for GitHub (workflow annotations)
// and for machines (JSON). Formatting only: the diagnostics are collected elsewhere.
import type { Diagnostic } from "../../diagnostics.js";
import { printable } from "./printable.js";
import { plain, type Style } from "./style.js";

/** Returns the text of a 1-based line of a repository file, or undefined when unknown. */
export type LineSource = (file: string, line: number) => string | undefined;

export interface DiagnosticTextOptions {
  /** `--quiet`: a warning is its one located line, without the source line or the hint (errors stay whole). */
  quiet?: boolean;
}

export function renderDiagnosticText(d: Diagnostic, lines: LineSource, style: Style = plain, options: DiagnosticTextOptions = {}): string {
  const where = d.file ? `${printable(d.file)}${d.line > 0 ? `:${d.line}:${d.column}` : ""}` : "assetctl";
  const label = d.severity === "error" ? style.red("error") : style.yellow("warning");
  const out = [`${style.bold(where)}: ${label} ${printable(d.message)} ${style.dim(`[${d.code}]`)}`];
  if (options.quiet === true && d.severity !== "error") return out[0] as string;
  // A line holding a literal secret is never echoed back.
  const text = d.file && d.line > 0 && !d.code.startsWith("secret") ? lines(d.file, d.line) : undefined;
  if (text !== undefined) {
    const gutter = String(d.line);
    const shown = text.replace(/\t/g, " ").slice(0, 200);
    out.push(`  ${style.dim(`${gutter} |`)} ${shown}`);
    const col = Math.max(1, Math.min(d.column, shown.length + 1));
    out.push(`  ${" ".repeat(gutter.length)} ${style.dim("|")} ${" ".repeat(col - 1)}${style.red("^")}`);
  }
  if (d.hint) out.push(`  ${style.cyan("hint:")} ${printable(d.hint)}`);
  return out.join("\n");
}

export function renderDiagnosticsText(diagnostics: readonly Diagnostic[], lines: LineSource, style: Style = plain, options: DiagnosticTextOptions = {}): string {
  // Quiet, one-line warnings follow each other without a blank line; a whole diagnostic stands apart.
  return diagnostics.map((d, i) => `${i > 0 && !(options.quiet === true && d.severity !== "error") ? "\n" : ""}${renderDiagnosticText(d, lines, style, options)}`).join("\n");
}

/**
 * GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`. GitHub places an
 * annotation by its path from the repository's top, so `prefix` is where the assetctl root sits in it.
 */
export function renderDiagnosticsGithub(diagnostics: readonly Diagnostic[], prefix = ""): string {
  return diagnostics
    .map((d) => {
      const props = [
        d.file && `file=${escapeProperty(`${prefix}${d.file}`)}`,
        d.line > 0 && `line=${d.line}`,
        d.column > 0 && `col=${d.column}`,
        `title=${escapeProperty(`assetctl ${d.code}`)}`,
      ].filter(Boolean);
      const message = d.hint ? `${d.message} (${d.hint})` : d.message;
      return `::${d.severity === "error" ? "error" : "warning"} ${props.join(",")}::${escapeData(message)}`;
    })
    .join("\n");
}

function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

export function diagnosticJson(d: Diagnostic): Record<string, unknown> {
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    file: d.file,
    line: d.line,
    column: d.column,
    ...(d.hint ? { hint: d.hint } : {}),
  };
}
