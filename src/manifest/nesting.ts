// A guard on the lexer's tokens, before they reach the YAML parser: deeply nested input (`[[[[…` or
// `- - - …`) makes the parser recurse until the process runs out of memory, so nesting is measured token
// by token and parsing stops at the first level too many.
import { yamlLibrary } from "./yaml-library.js";

export class NestingGuard {
  /** Source offset of the token being looked at. */
  offset = 0;
  private flow = 0;
  private lineIndent = 0;
  private lineStart = true;
  private lineItems = 0;
  /** Indentations of the open block collections: a line indented further than the last opens a level. */
  private readonly indents: number[] = [];

  constructor(private readonly limit: number) {}

  /** Feeds one lexer token; true when nesting now exceeds the limit (at `offset`). */
  exceeded(token: string): boolean {
    const type = yamlLibrary().CST.tokenType(token);
    const at = this.offset;
    // Markers the lexer inserts have no source characters.
    if (type !== "doc-mode" && type !== "flow-error-end" && type !== "scalar") this.offset += token.length;
    switch (type) {
      case "newline":
        this.lineStart = true;
        this.lineIndent = 0;
        this.lineItems = 0;
        return false;
      case "space":
        if (this.lineStart) this.lineIndent = token.length;
        return false;
      case "comment":
      case "doc-mode":
      case "byte-order-mark":
        return false;
      default:
        break;
    }
    if (this.lineStart && this.flow === 0) {
      const indents = this.indents;
      while (indents.length > 0 && (indents[indents.length - 1] ?? 0) > this.lineIndent) indents.pop();
      if (indents.length === 0 || (indents[indents.length - 1] ?? 0) < this.lineIndent) indents.push(this.lineIndent);
    }
    this.lineStart = false;
    if (type === "flow-map-start" || type === "flow-seq-start") this.flow++;
    else if ((type === "flow-map-end" || type === "flow-seq-end") && this.flow > 0) this.flow--;
    else if (type === "seq-item-ind" || type === "explicit-key-ind") this.lineItems++;
    // Indentation only approximates block depth (compact sequences share their parent's column), so the
    // block estimate gets twice the room; the exact check on the parsed document follows.
    if (this.flow > this.limit || this.indents.length + this.lineItems > 2 * this.limit) {
      this.offset = at;
      return true;
    }
    return false;
  }
}
