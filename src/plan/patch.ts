// JSON patches between two versions' documents (fast-json-patch), in a stable order for display. The
// library is loaded on the first patch made: a no-change plan makes none.
import { createRequire } from "node:module";
import type * as JsonPatch from "fast-json-patch";
import type { Operation } from "fast-json-patch";
import type { JsonObject } from "../registry/types.js";

let library: typeof JsonPatch | undefined;

export function diffDocuments(before: JsonObject, after: JsonObject): Operation[] {
  library ??= createRequire(import.meta.url)("fast-json-patch") as typeof JsonPatch;
  return library.compare(before, after).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
