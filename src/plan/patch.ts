// JSON patches between two versions' documents (fast-json-patch), in a stable order for display. The
// library is loaded on the first patch made: a no-change plan makes none.
import { createRequire } from "node:module";
import type * as JsonPatch from "fast-json-patch";
import type { Operation } from "fast-json-patch";
import type { JsonObject } from "../registry/types.js";

let library: typeof JsonPatch | undefined;

export function diffDocuments(before: JsonObject, after: JsonObject): Operation[] {
  // From nothing (every new asset), the patch is one add per member: what fast-json-patch gives, made here.
  if (Object.keys(before).length === 0) return addAll(after);
  library ??= createRequire(import.meta.url)("fast-json-patch") as typeof JsonPatch;
  return library.compare(before, after).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** fast-json-patch's compare({}, after): an add per defined member, values copied as JSON, sorted by path. */
function addAll(after: JsonObject): Operation[] {
  const ops: Operation[] = [];
  for (const key of Object.keys(after)) {
    const value = after[key];
    if (value === undefined) continue;
    ops.push({ op: "add", path: `/${escapePathComponent(key)}`, value: typeof value === "object" ? (JSON.parse(JSON.stringify(value)) as unknown) : value });
  }
  return ops.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function escapePathComponent(key: string): string {
  return key.includes("/") || key.includes("~") ? key.replace(/~/g, "~0").replace(/\//g, "~1") : key;
}
