// Reads one YAML file into a plain value with source positions, under hard limits: a hostile or broken file
// ends in a located diagnostic, quickly, and never in an exception or a hung process.
import type { Document, LineCounter, Node, ScalarTag, YAMLError } from "yaml";
import type { Diagnostic } from "../diagnostics.js";
import { diagnostic } from "./diagnostic.js";
import { quickPosition, readFast, type KeyPath, type NumberAsText } from "./fast-yaml.js";
import { makeLocators } from "./locate.js";
import { yamlLibrary } from "./yaml-library.js";
import { NestingGuard } from "./nesting.js";
import { indentQuotedContinuation } from "./quoted-continuation.js";
import { isIdentityKey, isMustacheMapping, mustacheOnLine, placeholderIn, templateHint } from "./template.js";
import type { Locate, SourcePosition } from "./types.js";

/**
 * Manifests are small (the largest Azure ML example is some 15 KiB); the YAML parser reads about a
 * megabyte a second, so this bounds how long a hostile file can take.
 */
export const MAX_FILE_BYTES = 1024 * 1024;
export const MAX_DEPTH = 64;
export const MAX_ALIAS_COUNT = 100;
/** Past this many syntax errors the rest are noise. */
const MAX_SYNTAX_ERRORS = 10;
const MAX_QUOTE_REPAIR_ROUNDS = 5;

// Defined with the fast reader, which yaml.ts imports (not the other way round).
export type { KeyPath, NumberAsText } from "./fast-yaml.js";

export interface YamlFile {
  file: string;
  text: string;
  /** The document as plain data; undefined when it could not be read (see diagnostics). */
  value: unknown;
  /** Position of the value at a key path, or of its nearest existing parent. */
  locate: Locate;
  /** Position of the key at a key path (of the value when it has no key), or of its nearest existing parent. */
  locateKey: Locate;
  /** Key paths (JSON) of values that are template placeholders. */
  placeholders: ReadonlySet<string>;
  numbersAsText: NumberAsText[];
  diagnostics: Diagnostic[];
}

export function pathKey(path: KeyPath): string {
  return JSON.stringify(path);
}

interface Parsed {
  doc: Document.Parsed;
  text: string;
  lineCounter: LineCounter;
}

/**
 * Azure ML reads YAML with PyYAML (YAML 1.1), where `yes`, `no`, `on` and `off` are booleans: an
 * `is_deterministic: yes` that Azure ML accepts must not be a type error here. (The `yaml` package's own
 * 1.1 schema is not used: it reads a lone `.`, as in `code: .`, as a number.)
 */
const PYYAML_BOOLEANS: ScalarTag = {
  tag: "tag:yaml.org,2002:bool",
  default: true,
  test: /^(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$/,
  resolve: (value) => /^(?:yes|on)$/i.test(value),
};

/** Thrown out of the token stream to stop the parser at the first level of nesting too many. */
class TooDeep {
  constructor(readonly offset: number) {}
}

/**
 * `parseDocument`, with the nesting guard between lexer and parser (one lexing pass). prettyErrors would
 * build a code frame per error, slow on hostile input: positions come from offsets instead. logLevel
 * "error": a library never prints, but a second document is still an error.
 */
function parse(text: string): Parsed | TooDeep {
  const { Composer, Lexer, LineCounter, Parser, YAMLParseError } = yamlLibrary();
  const lineCounter = new LineCounter();
  const parser = new Parser(lineCounter.addNewLine);
  const guard = new NestingGuard(MAX_DEPTH);
  lineCounter.addNewLine(0);
  function* tokens() {
    for (const lexeme of new Lexer().lex(text)) {
      if (guard.exceeded(lexeme)) throw new TooDeep(guard.offset);
      yield* parser.next(lexeme);
    }
    yield* parser.end();
  }
  // uniqueKeys compares every key with every other (minutes for a map of 100,000 keys): duplicates are
  // found by the inspection walk instead, with a set per mapping.
  const composer = new Composer({ prettyErrors: false, logLevel: "error", uniqueKeys: false, merge: true, customTags: [PYYAML_BOOLEANS] });
  let doc: Document.Parsed | undefined;
  try {
    for (const next of composer.compose(tokens(), true, text.length)) {
      if (!doc) {
        doc = next;
      } else {
        doc.errors.push(new YAMLParseError([next.range[0], next.range[1]], "MULTIPLE_DOCS", "the file holds more than one YAML document"));
        break;
      }
    }
  } catch (error) {
    if (error instanceof TooDeep) return error;
    throw error;
  }
  // compose(…, forceDoc) always yields a document, even for an empty text.
  return { doc: doc as Document.Parsed, text, lineCounter };
}

function isUnterminatedQuote(error: YAMLError): boolean {
  return error.code === "MISSING_CHAR" && /quote/i.test(error.message);
}

export interface ParseOptions {
  /** Placeholders (by key, `asset.version`) a layout fills in later: neither reported nor counted as template. */
  deferred?: ReadonlySet<string>;
}

/**
 * Parses YAML text under the limits above; the result always has positions, even for a broken file. A
 * plain manifest is read the fast way (fast-yaml.ts) and its positions found by the full reader only when
 * asked; any other text is read by the full reader at once.
 */
export function parseYaml(text: string, file: string, options: ParseOptions = {}): YamlFile {
  const fast = readFast(text, MAX_DEPTH, options.deferred);
  if (fast === undefined) return parseYamlFully(text, file, options);
  let full: YamlFile | undefined;
  const fully = (): YamlFile => (full ??= parseYamlFully(text, file, options));
  return {
    file,
    text,
    value: fast.value,
    locate: (keyPath) => quickPosition(text, keyPath, false) ?? fully().locate(keyPath),
    locateKey: (keyPath) => quickPosition(text, keyPath, true) ?? fully().locateKey(keyPath),
    placeholders: new Set(),
    numbersAsText: fast.numbersAsText,
    diagnostics: [],
  };
}

/** The full reader, on its own: what parseYaml uses for every text the fast path leaves (and tests compare). */
export function parseYamlFully(text: string, file: string, options: ParseOptions = {}): YamlFile {
  const diagnostics: Diagnostic[] = [];
  const positionOf = (lineCounter: LineCounter, offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(Math.max(0, offset));
    return { line, column: col };
  };

  const first = parse(text);
  if (first instanceof TooDeep) return tooDeepFile(file, text, first.offset, diagnostics);
  let parsed = first;
  // Azure ML's YAML reader is lenient about the indentation of quoted continuation lines. Repair those
  // (all of a round at once, from the end so offsets stay valid) and keep the repair only if the whole
  // file then reads cleanly.
  if (parsed.doc.errors.some(isUnterminatedQuote)) {
    let candidate = parsed;
    const repairedAt: number[] = [];
    for (let round = 0; round < MAX_QUOTE_REPAIR_ROUNDS; round++) {
      const offsets = candidate.doc.errors.filter(isUnterminatedQuote).map((e) => e.pos[0]);
      if (offsets.length === 0) break;
      let repaired = candidate.text;
      let changed = false;
      for (const offset of offsets.sort((a, b) => b - a)) {
        const repair = indentQuotedContinuation(repaired, offset);
        if (!repair) continue;
        repaired = repair.text;
        repairedAt.push(repair.at);
        changed = true;
      }
      const next = changed ? parse(repaired) : undefined;
      if (next === undefined || next instanceof TooDeep) break;
      candidate = next;
    }
    if (candidate.doc.errors.length === 0 && repairedAt.length > 0) {
      parsed = candidate;
      for (const at of repairedAt.sort((a, b) => a - b)) {
        diagnostics.push(
          diagnostic({
            code: "yaml-quote-indent",
            severity: "warning",
            message: "the continuation lines of this quoted string are not indented past its key",
            file,
            at: positionOf(parsed.lineCounter, at),
            hint: "Azure ML accepts this, but YAML 1.2 tools (editors, linters) reject it: indent those lines",
          }),
        );
      }
    }
  }

  const { doc, lineCounter } = parsed;
  const locators = makeLocators(doc, lineCounter);

  if (doc.errors.length > 0) {
    // After the first error on a line the parser is resynchronizing: later ones on that line are noise.
    const lines = new Set<number>();
    for (const error of doc.errors) {
      if (isPartOfNestedMapping(error, doc.errors)) continue;
      const at = positionOf(lineCounter, mistakeOffset(parsed.text, error, doc.errors));
      if (lines.has(at.line)) continue;
      lines.add(at.line);
      if (lines.size > MAX_SYNTAX_ERRORS) break;
      const template = mustacheOnLine(parsed.text, at.line);
      if (template) {
        diagnostics.push(placeholderDiagnostic(file, template.placeholder, positionOf(lineCounter, template.offset)));
        break;
      }
      diagnostics.push(syntaxDiagnostic(file, error, at));
    }
    return { ...brokenFile(file, parsed.text, diagnostics), ...locators };
  }
  for (const warning of doc.warnings.slice(0, MAX_SYNTAX_ERRORS)) {
    diagnostics.push(
      diagnostic({
        code: "yaml-warning",
        severity: "warning",
        message: firstLine(warning.message),
        file,
        at: positionOf(lineCounter, warning.pos[0]),
      }),
    );
  }

  const inspection = inspect(doc, parsed.text);
  if (inspection.tooDeepAt !== undefined) {
    diagnostics.push(tooDeep(file, positionOf(lineCounter, inspection.tooDeepAt)));
    return { ...brokenFile(file, parsed.text, diagnostics), ...locators };
  }

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const aliasBomb = error instanceof ReferenceError || /alias/i.test(String((error as Error).message));
    diagnostics.push(
      diagnostic({
        code: aliasBomb ? "yaml-alias-limit" : "yaml-syntax",
        message: aliasBomb
          ? `the document expands aliases more than ${MAX_ALIAS_COUNT} times (an alias bomb?)`
          : `the document cannot be read: ${firstLine((error as Error).message)}`,
        file,
        at: positionOf(lineCounter, inspection.firstAliasAt ?? 0),
        hint: aliasBomb ? "write the repeated values out, or reuse fewer anchors" : undefined,
      }),
    );
    return { ...brokenFile(file, parsed.text, diagnostics), ...locators };
  }

  for (const duplicate of inspection.duplicateKeys.slice(0, MAX_SYNTAX_ERRORS)) {
    diagnostics.push(
      diagnostic({
        code: "yaml-duplicate-key",
        message: `the key "${duplicate.key}" appears twice in this mapping`,
        file,
        at: positionOf(lineCounter, duplicate.offset),
        hint: "YAML readers disagree on which value wins: keep one",
      }),
    );
  }
  const deferred = options.deferred;
  const placeholders = deferred ? inspection.placeholders.filter((p) => !deferred.has(p.placeholder.replace(/^\{\{\s*|\s*\}\}$/g, ""))) : inspection.placeholders;
  // One error per file, naming them all: a template has many, and each would say the same.
  if (placeholders.length > 0) {
    diagnostics.push(templateDiagnostic(file, placeholders.map((p) => ({ placeholder: p.placeholder, at: positionOf(lineCounter, p.offset) })), placeholders[0]?.path));
  }
  for (const n of inspection.numbersAsText) setAt(value, n.path, n.text);

  return {
    file,
    text: parsed.text,
    value,
    ...locators,
    placeholders: new Set(placeholders.map((p) => pathKey(p.path))),
    numbersAsText: inspection.numbersAsText,
    diagnostics,
  };
}

function tooDeepFile(file: string, text: string, offset: number, diagnostics: Diagnostic[]): YamlFile {
  const lineCounter = new (yamlLibrary().LineCounter)();
  lineCounter.addNewLine(0);
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) lineCounter.addNewLine(i + 1);
  const { line, col } = lineCounter.linePos(offset);
  diagnostics.push(tooDeep(file, { line, column: col }));
  return brokenFile(file, text, diagnostics);
}

function brokenFile(file: string, text: string, diagnostics: Diagnostic[]): YamlFile {
  const start: Locate = () => ({ line: 1, column: 1 });
  return { file, text, value: undefined, locate: start, locateKey: start, placeholders: new Set(), numbersAsText: [], diagnostics };
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}

function tooDeep(file: string, at: SourcePosition): Diagnostic {
  return diagnostic({
    code: "yaml-too-deep",
    message: `the document nests more than ${MAX_DEPTH} levels deep`,
    file,
    at,
    hint: "manifests are shallow; this file is probably generated or hostile",
  });
}

/**
 * Where the mistake is: an unclosed quote or flow collection is reported by the parser where it gave up
 * (the next line, or the end of the file); the mistake is the opening character, found scanning back.
 * A value that reads as a nested mapping (`description: A long⏎  text: more`) is reported where the value
 * starts; the mistake is the line whose `key:` made it a mapping, where its key (running over several
 * lines, which the parser reports too) ends.
 */
export function mistakeOffset(text: string, error: YAMLError, errors: readonly YAMLError[] = []): number {
  const at = error.pos[0];
  const message = error.message;
  if (error.code === "BLOCK_AS_IMPLICIT_KEY") {
    const key = errors.find((e) => e.code === "MULTILINE_IMPLICIT_KEY" && e.pos[0] === at);
    if (key === undefined) return at;
    const lineStart = text.lastIndexOf("\n", Math.max(at, key.pos[1] - 1)) + 1;
    const indent = /^[ \t]*/.exec(text.slice(lineStart))?.[0].length ?? 0;
    return Math.max(at, lineStart + indent);
  }
  const quote = /^Missing closing (["'])quote/.exec(message)?.[1];
  if (quote !== undefined) {
    const open = text.lastIndexOf(quote, Math.max(0, at - 1));
    return open >= 0 ? open : at;
  }
  const close = /end with a ([\]}])/.exec(message)?.[1];
  if (close !== undefined) {
    const opener = close === "]" ? "[" : "{";
    let depth = 0;
    for (let i = Math.min(at, text.length) - 1; i >= 0; i--) {
      const c = text[i];
      if (c === close) depth++;
      else if (c === opener) {
        if (depth === 0) return i;
        depth--;
      }
    }
  }
  return at;
}

/** A key over several lines that is the key of a nested mapping in a value: one mistake, reported once (see mistakeOffset). */
function isPartOfNestedMapping(error: YAMLError, errors: readonly YAMLError[]): boolean {
  return error.code === "MULTILINE_IMPLICIT_KEY" && errors.some((e) => e.code === "BLOCK_AS_IMPLICIT_KEY" && e.pos[0] === error.pos[0]);
}

function syntaxDiagnostic(file: string, error: YAMLError, at: SourcePosition): Diagnostic {
  if (error.code === "RESOURCE_EXHAUSTION") return tooDeep(file, at);
  const duplicate = error.code === "DUPLICATE_KEY";
  const hint = duplicate
    ? "YAML readers disagree on which value wins: keep one"
    : error.code === "BLOCK_AS_IMPLICIT_KEY"
      ? 'a value that holds ": " is read as a key: quote the value, or give the key a line of its own'
      : undefined;
  return diagnostic({ code: duplicate ? "yaml-duplicate-key" : "yaml-syntax", message: firstLine(error.message), file, at, hint });
}

function placeholderDiagnostic(file: string, placeholder: string, at: SourcePosition, path?: KeyPath): Diagnostic {
  return templateDiagnostic(file, [{ placeholder, at }], path);
}

/** How many placeholders a template error lists by position; the rest are counted. */
const LISTED_PLACEHOLDERS = 3;

/** The one error of a templated file: its placeholders, counted, the first few with their positions. */
function templateDiagnostic(file: string, found: readonly { placeholder: string; at: SourcePosition }[], path?: KeyPath): Diagnostic {
  const first = found[0] as { placeholder: string; at: SourcePosition };
  const listed = found.slice(0, LISTED_PLACEHOLDERS).map((p) => `${p.placeholder} (${p.at.line}:${p.at.column})`);
  const more = found.length > LISTED_PLACEHOLDERS ? `, and ${found.length - LISTED_PLACEHOLDERS} more` : "";
  return diagnostic({
    code: "template-placeholder",
    message:
      found.length === 1
        ? `${first.placeholder} is a template placeholder: this file looks like a template, not a manifest`
        : `${found.length} template placeholders, ${listed.join(", ")}${more}: this file looks like a template, not a manifest`,
    file,
    at: first.at,
    hint: templateHint(),
    path,
  });
}

/** Writes `value` at `path` inside plain data, when every step exists. */
function setAt(root: unknown, path: KeyPath, value: unknown): void {
  let node = root;
  for (let i = 0; i < path.length - 1; i++) {
    if (node === null || typeof node !== "object") return;
    node = (node as Record<string | number, unknown>)[path[i] as string | number];
  }
  const last = path[path.length - 1];
  if (node !== null && typeof node === "object" && last !== undefined && last in node) {
    (node as Record<string | number, unknown>)[last] = value;
  }
}

interface Inspection {
  tooDeepAt: number | undefined;
  firstAliasAt: number | undefined;
  placeholders: { path: KeyPath; placeholder: string; offset: number }[];
  numbersAsText: NumberAsText[];
  duplicateKeys: { key: string; offset: number }[];
}

/** One walk over the nodes (aliases are not followed): depth, placeholders, numbers meant as text. */
function inspect(doc: Document.Parsed, text: string): Inspection {
  const { isAlias, isMap, isScalar, isSeq } = yamlLibrary();
  const result: Inspection = { tooDeepAt: undefined, firstAliasAt: undefined, placeholders: [], numbersAsText: [], duplicateKeys: [] };
  // One mutable path, copied only when something is recorded: most nodes record nothing.
  const path: (string | number)[] = [];
  const walk = (node: unknown, depth: number): void => {
    if (result.tooDeepAt !== undefined) return;
    if (depth > MAX_DEPTH) {
      result.tooDeepAt = (node as Node | null)?.range?.[0] ?? 0;
      return;
    }
    if (isAlias(node)) {
      result.firstAliasAt ??= node.range?.[0];
      return;
    }
    if (isMap(node)) {
      if (node.flow && node.range && text.startsWith("{{", node.range[0]) && isMustacheMapping(text.slice(node.range[0], node.range[1]))) {
        result.placeholders.push({ path: [...path], placeholder: text.slice(node.range[0], node.range[1]).trim(), offset: node.range[0] });
        return;
      }
      const seen = new Set<string>();
      for (const pair of node.items) {
        const k = isScalar(pair.key) ? pair.key.value : undefined;
        if (typeof k !== "string" && typeof k !== "number") continue;
        const name = String(k);
        // `<<` merges may repeat; any other repeated key is a duplicate whose value one reader or another drops.
        if (seen.has(name) && name !== "<<") result.duplicateKeys.push({ key: name, offset: (pair.key as Node).range?.[0] ?? 0 });
        seen.add(name);
        path.push(typeof k === "number" ? String(k) : k);
        walk(pair.value, depth + 1);
        path.pop();
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) {
        path.push(i);
        walk(node.items[i], depth + 1);
        path.pop();
      }
    } else if (isScalar(node)) {
      const key = path[path.length - 1];
      if (typeof node.value === "string" && isIdentityKey(key)) {
        const placeholder = placeholderIn(node.value);
        if (placeholder) result.placeholders.push({ path: [...path], placeholder, offset: node.range?.[0] ?? 0 });
      } else if (typeof node.value === "number" && node.range && (key === "version" || path[path.length - 2] === "tags")) {
        result.numbersAsText.push({ path: [...path], text: text.slice(node.range[0], node.range[1]).trim(), value: node.value });
      }
    }
  };
  walk(doc.contents, 0);
  return result;
}
