// Key paths → line and column in a parsed YAML document: what every located diagnostic is built from.
// A path that does not exist is placed at its nearest existing parent.
import type { Document, LineCounter, Node, Pair, YAMLMap } from "yaml";
import { yamlLibrary } from "./yaml-library.js";
import type { Locate, SourcePosition } from "./types.js";

type KeyPath = readonly (string | number)[];

/** Locate functions over a parsed document: key paths → node → line and column. */
export function makeLocators(doc: Document.Parsed, lineCounter: LineCounter): { locate: Locate; locateKey: Locate } {
  const { isAlias, isMap, isScalar, isSeq } = yamlLibrary();
  const position = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  // Pairs by key text per mapping, built on first use: a file with thousands of keys is located in
  // linear time, not one scan of the mapping per key.
  const pairsOf = new WeakMap<YAMLMap, Map<string, Pair>>();
  const pairAt = (map: YAMLMap, key: string): Pair | undefined => {
    let pairs = pairsOf.get(map);
    if (!pairs) {
      pairs = new Map();
      for (const pair of map.items) if (isScalar(pair.key) && !pairs.has(String(pair.key.value))) pairs.set(String(pair.key.value), pair);
      pairsOf.set(map, pairs);
    }
    return pairs.get(key);
  };
  const find = (path: KeyPath, wantKey: boolean): SourcePosition => {
    let node: unknown = doc.contents;
    let best: SourcePosition = position(rangeStart(node) ?? 0);
    for (let i = 0; i < path.length; i++) {
      const segment = path[i];
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = pairAt(node, String(segment));
        if (!pair) return best;
        const keyStart = rangeStart(pair.key);
        const valueStart = rangeStart(pair.value);
        const isLast = i === path.length - 1;
        // An empty value (`key:`) has no characters of its own: point at its key.
        const emptyValue = isScalar(pair.value) && pair.value.value === null && pair.value.source === "";
        const start = (isLast && wantKey) || emptyValue || valueStart === undefined ? keyStart : valueStart;
        if (start !== undefined) best = position(start);
        node = pair.value;
      } else if (isSeq(node) && typeof segment === "number") {
        const item = node.items[segment];
        const start = rangeStart(item);
        if (item === undefined || start === undefined) return best;
        best = position(start);
        node = item;
      } else {
        return best;
      }
    }
    return best;
  };
  return { locate: (path) => find(path, false), locateKey: (path) => find(path, true) };
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0];
}
