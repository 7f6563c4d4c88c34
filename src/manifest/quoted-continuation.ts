// PyYAML, which Azure ML uses, accepts quoted strings whose continuation lines are not indented past their
// key; YAML 1.2 (and the `yaml` package) rejects them. This repairs exactly that, so such files still load.

/** Offset of the quote that opens a string left unterminated at the end of the line starting at `lineStart`. */
function unterminatedQuote(text: string, lineStart: number, lineEnd: number): number | undefined {
  let tokenStart = true;
  for (let i = lineStart; i < lineEnd; i++) {
    const c = text[i];
    if (c === "#" && tokenStart) return undefined;
    if ((c === '"' || c === "'") && tokenStart) {
      const close = closingQuote(text, i + 1, lineEnd, c);
      if (close === undefined) return i;
      i = close;
      tokenStart = false;
      continue;
    }
    tokenStart = c === " " || c === "\t" || c === "[" || c === "{" || c === "," || (c === ":" && text[i + 1] === " ");
    if (c === "-" && (text[i + 1] === " " || text[i + 1] === "\t")) tokenStart = true;
  }
  return undefined;
}

/** Offset of the quote that closes a quoted scalar started before `from`, searching up to `end`. */
function closingQuote(text: string, from: number, end: number, quote: string): number | undefined {
  for (let i = from; i < end; i++) {
    const c = text[i];
    if (quote === '"' && c === "\\") {
      i++;
    } else if (c === quote) {
      if (quote === "'" && text[i + 1] === "'") i++;
      else return i;
    }
  }
  return undefined;
}

export interface Repair {
  text: string;
  /** Offset of the opening quote of the repaired string. */
  at: number;
}

/**
 * Indents the continuation lines of the quoted string left open on the line containing `errorOffset` one
 * column past its key. Line numbers do not change; columns on the continuation lines shift right.
 */
export function indentQuotedContinuation(text: string, errorOffset: number): Repair | undefined {
  const lineStart = text.lastIndexOf("\n", Math.max(0, errorOffset - 1)) + 1;
  let lineEnd = text.indexOf("\n", lineStart);
  if (lineEnd === -1) lineEnd = text.length;
  const open = unterminatedQuote(text, lineStart, lineEnd);
  if (open === undefined) return undefined;
  const quote = text[open] ?? '"';
  // The key's column: past the indentation and any `- ` of compact sequences.
  let keyColumn = 0;
  while (true) {
    const c = text[lineStart + keyColumn];
    if (c === " ") keyColumn++;
    else if (c === "-" && text[lineStart + keyColumn + 1] === " ") keyColumn += 2;
    else break;
  }
  const required = keyColumn + 1;
  let out = text.slice(0, lineEnd);
  let pos = lineEnd;
  let changed = false;
  while (pos < text.length) {
    const start = pos + 1;
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end);
    const indent = line.length - line.trimStart().length;
    const blank = line.trim() === "";
    const padded = !blank && indent < required ? " ".repeat(required - indent) + line : line;
    if (padded !== line) changed = true;
    out += "\n" + padded;
    pos = end;
    if (closingQuote(line, 0, line.length, quote) !== undefined) break;
  }
  if (!changed) return undefined;
  return { text: out + text.slice(pos), at: open };
}
