// The fast way to read a plain manifest. js-yaml builds a document's value about ten times faster than the
// `yaml` package, which stays the reader of record: it gives positions, syntax errors, duplicate keys,
// alias limits, template placeholders and the repairs Azure ML's reader allows. A file is read here only
// when nothing in its text calls for any of that, and anything js-yaml refuses or reads otherwise goes the
// slow way; test/fast-yaml.test.ts holds both readers to the same values on both corpora.
import { createRequire } from "node:module";
import type * as JsYaml from "js-yaml";

export type KeyPath = readonly (string | number)[];

/** A number written where text is meant (a version, a tag value), kept as the author wrote it. */
export interface NumberAsText {
  path: KeyPath;
  /** The author's characters, e.g. `1.10`. */
  text: string;
  value: number;
}

let library: typeof JsYaml | undefined;
let schema: JsYaml.Schema | undefined;

/** Loaded on first use, like the `yaml` package (yaml-library.ts). */
function jsYaml(): typeof JsYaml {
  library ??= createRequire(import.meta.url)("js-yaml") as typeof JsYaml;
  return library;
}

/** A number as js-yaml read it, with the author's characters: `version: 1.10` must stay "1.10". */
class NumberText {
  constructor(
    readonly value: number,
    readonly text: string,
  ) {}
}

/**
 * YAML 1.2's core schema, as the `yaml` package reads it, plus PyYAML's yes/no/on/off booleans (Azure ML
 * reads YAML 1.1 booleans); numbers keep their text.
 */
function coreSchema(): JsYaml.Schema {
  if (schema) return schema;
  const { CORE_SCHEMA, boolCoreTag, defineScalarTag, floatCoreTag, intCoreTag } = jsYaml();
  const keepText = (base: JsYaml.ScalarTagDefinition<number>) =>
    defineScalarTag<NumberText>(base.tagName, {
      implicit: true,
      implicitFirstChars: base.implicitFirstChars,
      resolve: (source, isExplicit, tagName) => {
        const value = base.resolve(source, isExplicit, tagName);
        return typeof value === "number" ? new NumberText(value, source) : value;
      },
      identify: () => false,
    });
  const pyyamlBool = defineScalarTag<boolean>(boolCoreTag.tagName, {
    implicit: true,
    implicitFirstChars: ["t", "T", "f", "F", "y", "Y", "n", "N", "o", "O"],
    resolve: (source, isExplicit, tagName) => {
      if (/^(?:yes|Yes|YES|on|On|ON)$/.test(source)) return true;
      if (/^(?:no|No|NO|off|Off|OFF)$/.test(source)) return false;
      return boolCoreTag.resolve(source, isExplicit, tagName);
    },
    identify: () => false,
  });
  schema = CORE_SCHEMA.withTags(pyyamlBool, keepText(intCoreTag), keepText(floatCoreTag));
  return schema;
}

/**
 * What sends a text the slow way before it is read: `<UPPER>` placeholders, merge keys, directives, and
 * keys that would be null. (Aliases are refused by js-yaml itself; `{{…}}` placeholders, see below.)
 */
const SLOW_WAY = [/<[A-Z][A-Z0-9_]*>/, /<<\s*:/, /^%/m, /^[\t ]*(?:-[\t ]+)?(?:~|null|Null|NULL)?[\t ]*:(?:[\t ]|$)/m];
/** `{{` not part of an Azure ML expression `${{…}}`, and a whole `{{name}}` placeholder. */
const OPENING = /(?<!\$)\{\{/g;
const PLACEHOLDER = /(?<!\$)\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;

export interface FastRead {
  value: Record<string, unknown>;
  numbersAsText: NumberAsText[];
}

/**
 * The value of a plain manifest (a mapping), read fast; undefined when the text needs the `yaml` package
 * (see SLOW_WAY), js-yaml refuses it (syntax, duplicate keys, several documents, unknown tags), it is not a
 * mapping, or it nests deeper than `maxDepth`.
 */
export function readFast(text: string, maxDepth: number, deferred?: ReadonlySet<string>): FastRead | undefined {
  if (SLOW_WAY.some((re) => re.test(text))) return undefined;
  // `{{…}}` placeholders: only those a layout fills in later (`deferred`), each inside a quoted string
  // (checked once the value is read); any other is the full reader's to report.
  const placeholders = [...text.matchAll(PLACEHOLDER)];
  if (placeholders.length !== [...text.matchAll(OPENING)].length) return undefined;
  if (placeholders.some((m) => !deferred?.has(m[1] as string))) return undefined;
  let loaded: unknown;
  try {
    // No aliases at all (the slow reader limits their expansion), and no deeper than the slow reader allows.
    loaded = jsYaml().load(text, { schema: coreSchema(), maxAliases: 0, maxDepth });
  } catch {
    return undefined;
  }
  if (loaded === null || typeof loaded !== "object" || Array.isArray(loaded)) return undefined;
  const numbersAsText: NumberAsText[] = [];
  const path: (string | number)[] = [];
  let tooDeep = false;
  // As the slow reader: numbers become numbers, except a version's or a tag's, kept as written.
  const settle = (node: unknown, depth: number): unknown => {
    if (depth > maxDepth) tooDeep = true;
    if (tooDeep) return undefined;
    if (node instanceof NumberText) {
      const key = path[path.length - 1];
      if (key === "version" || path[path.length - 2] === "tags") {
        numbersAsText.push({ path: [...path] as KeyPath, text: node.text, value: node.value });
        return node.text;
      }
      return node.value;
    }
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        path.push(i);
        node[i] = settle(node[i], depth + 1);
        path.pop();
      }
    } else if (node !== null && typeof node === "object") {
      const map = node as Record<string, unknown>;
      for (const key of Object.keys(map)) {
        path.push(key);
        map[key] = settle(map[key], depth + 1);
        path.pop();
      }
    }
    return node;
  };
  const value = settle(loaded, 0) as Record<string, unknown>;
  if (tooDeep) return undefined;
  if (placeholders.length > 0 && !allInStrings(value, placeholders.map((m) => m[0]))) return undefined;
  return { value, numbersAsText };
}

/** Whether every one of these placeholders is part of a string value (not a key, a comment, or a mapping YAML made of it). */
function allInStrings(value: unknown, found: readonly string[]): boolean {
  const strings: string[] = [];
  const collect = (node: unknown): void => {
    if (typeof node === "string") strings.push(node);
    else if (Array.isArray(node)) node.forEach(collect);
    else if (node !== null && typeof node === "object") Object.values(node).forEach(collect);
  };
  collect(value);
  const joined = strings.join("\n");
  const count = (needle: string) => joined.split(needle).length - 1;
  return [...new Set(found)].every((p) => count(p) === found.filter((f) => f === p).length);
}

/**
 * Where the document's root mapping starts, as the slow reader places it: the first line that is neither
 * blank, a comment nor a document start. Undefined when a document start carries content on its line.
 */
export function rootPosition(text: string): { line: number; column: number } | undefined {
  let line = 0;
  for (const raw of text.split("\n")) {
    line++;
    const trimmed = raw.trimStart();
    if (trimmed === "" || trimmed === "\r" || trimmed.startsWith("#")) continue;
    if (/^---[\t ]*(?:#.*)?\r?$/.test(trimmed)) continue;
    if (trimmed.startsWith("---")) return undefined;
    return { line, column: raw.length - trimmed.length + 1 };
  }
  return undefined;
}

/**
 * The position of a key (or of its value) in a text the fast path read, found by indentation alone, for a
 * path of mapping keys written plainly in block style: what warnings and errors about a key need, without
 * the full reader. Undefined whenever the text is shaped otherwise (a sequence on the way, a quoted or
 * flow-style key, a value on the lines below its key, tabs): the full reader answers those.
 */
export function quickPosition(text: string, keyPath: readonly (string | number)[], wantKey: boolean): { line: number; column: number } | undefined {
  if (keyPath.length === 0) return rootPosition(text);
  const lines = text.split("\n");
  let start = 0;
  let end = lines.length;
  let parentIndent = -1;
  for (let i = 0; i < keyPath.length; i++) {
    const key = keyPath[i];
    if (typeof key !== "string" || key === "") return undefined;
    let childIndent = -1;
    let found = -1;
    for (let j = start; j < end; j++) {
      const line = lines[j] as string;
      const body = line.replace(/^ +/, "");
      if (body === "" || body === "\r" || body.startsWith("#")) continue;
      if (body.startsWith("\t")) return undefined;
      const indent = line.length - body.length;
      if (childIndent === -1) {
        if (indent <= parentIndent || body.startsWith("- ") || body === "-" || body.startsWith("-\r")) return undefined;
        childIndent = indent;
      }
      if (indent < childIndent) break;
      if (indent > childIndent) continue;
      if (body.startsWith(`${key}:`) && /^(?:[ \t]|\r?$)/.test(body.slice(key.length + 1))) {
        found = j;
        break;
      }
    }
    if (found === -1) return undefined;
    const line = lines[found] as string;
    const rest = line.slice(childIndent + key.length + 1);
    const value = rest.replace(/^[ \t]+/, "");
    const inline = value !== "" && value !== "\r" && !value.startsWith("#");
    if (i === keyPath.length - 1) {
      if (wantKey) return { line: found + 1, column: childIndent + 1 };
      if (inline) return /^[|>&!*]/.test(value) ? undefined : { line: found + 1, column: childIndent + key.length + 1 + (rest.length - value.length) + 1 };
      // A value on the lines below: a nested mapping (indented), or a sequence (which may sit at the key's indent).
      for (let j = found + 1; j < end; j++) {
        const below = lines[j] as string;
        const body = below.replace(/^ +/, "");
        if (body === "" || body === "\r" || body.startsWith("#")) continue;
        const indent = below.length - body.length;
        if (body.startsWith("\t") || /^[|>&!*?]/.test(body)) return undefined;
        const item = body.startsWith("- ") || body === "-" || body === "-\r";
        return indent > childIndent || (indent === childIndent && item) ? { line: j + 1, column: indent + 1 } : undefined;
      }
      return undefined;
    }
    if (inline) return undefined;
    start = found + 1;
    parentIndent = childIndent;
    end = lines.length;
    for (let j = start; j < lines.length; j++) {
      const body = (lines[j] as string).replace(/^ +/, "");
      if (body === "" || body === "\r" || body.startsWith("#")) continue;
      if ((lines[j] as string).length - body.length <= childIndent) {
        end = j;
        break;
      }
    }
  }
  return undefined;
}
