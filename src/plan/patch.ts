// JSON patches between two versions' documents (fast-json-patch), in a stable order for display.
import jsonpatch, { type Operation } from "fast-json-patch";
import type { JsonObject } from "../registry/types.js";

export function diffDocuments(before: JsonObject, after: JsonObject): Operation[] {
  return jsonpatch.compare(before, after).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
