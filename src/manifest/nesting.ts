// A guard that runs before the YAML parser: deeply nested input (`[[[[…` or `- - - …`) makes the parser
// recurse until the process runs out of memory, so nesting is measured on the lexer's tokens first.
import { CST, Lexer } from "yaml";

/** Where nesting first exceeds `limit`, as a source offset; undefined when the text stays within it. */
export function findExcessiveNesting(text: string, limit: number): number | undefined {
  let offset = 0;
  let flow = 0;
  let lineIndent = 0;
  let lineStart = true;
  let lineItems = 0;
  // Indentations of the open block collections: a line indented further than the last opens one more level.
  const indents: number[] = [];
  // The lexer is lazy, so a hostile file is rejected after reading only its first `limit` levels.
  for (const token of new Lexer().lex(text)) {
    const type = CST.tokenType(token);
    const at = offset;
    // Markers the lexer inserts have no source characters.
    if (type !== "doc-mode" && type !== "flow-error-end" && type !== "scalar") offset += token.length;
    switch (type) {
      case "newline":
        lineStart = true;
        lineIndent = 0;
        lineItems = 0;
        continue;
      case "space":
        if (lineStart) lineIndent = token.length;
        continue;
      case "comment":
      case "doc-mode":
      case "byte-order-mark":
        continue;
      default:
        break;
    }
    if (lineStart && flow === 0) {
      lineStart = false;
      while (indents.length > 0 && (indents[indents.length - 1] ?? 0) > lineIndent) indents.pop();
      if (indents.length === 0 || (indents[indents.length - 1] ?? 0) < lineIndent) indents.push(lineIndent);
    }
    lineStart = false;
    if (type === "flow-map-start" || type === "flow-seq-start") flow++;
    else if ((type === "flow-map-end" || type === "flow-seq-end") && flow > 0) flow--;
    else if (type === "seq-item-ind" || type === "explicit-key-ind") lineItems++;
    // Indentation only approximates block depth (compact sequences share their parent's column), so the
    // block estimate gets twice the room; the exact check on the parsed document follows.
    if (flow > limit || indents.length + lineItems > 2 * limit) return at;
  }
  return undefined;
}
