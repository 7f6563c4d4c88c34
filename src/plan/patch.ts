// JSON patches between two versions' documents (fast-json-patch), in a stable order for display. The
// library is loaded on the first patch made: a no-change plan makes none. A `replace` or `remove` also
// carries the value it replaces as `old` (a member RFC 6902 lets appliers ignore), so a plan says old → new.
import { createRequire } from "node:module";
import type * as JsonPatch from "fast-json-patch";
import type { Operation } from "fast-json-patch";
import type { JsonObject, JsonValue } from "../registry/types.js";

let library: typeof JsonPatch | undefined;

/** A patch operation; `replace` and `remove` made here say what they replace in `old`. */
export type PatchOperation = Operation & { old?: unknown };

export function diffDocuments(before: JsonObject, after: JsonObject): PatchOperation[] {
  // From nothing (every new asset), the patch is one add per member: what fast-json-patch gives, made here.
  if (Object.keys(before).length === 0) return addAll(after);
  library ??= createRequire(import.meta.url)("fast-json-patch") as typeof JsonPatch;
  return library
    .compare(before, after)
    .map((op) => withOld(op, before))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** `op` with the value it replaces or removes from `before`, placed before `value` so JSON reads old → new. */
function withOld(op: Operation, before: JsonObject): PatchOperation {
  if (op.op !== "replace" && op.op !== "remove") return op;
  const old = valueAt(before, op.path);
  if (old === undefined) return op;
  return op.op === "replace" ? { op: "replace", path: op.path, old, value: op.value as unknown } : { op: "remove", path: op.path, old };
}

/** The value a JSON pointer names in `doc`, or undefined. */
export function valueAt(doc: JsonValue, pointer: string): JsonValue | undefined {
  let at: JsonValue | undefined = doc;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (at === null || typeof at !== "object") return undefined;
    at = Array.isArray(at) ? at[Number(key)] : Object.hasOwn(at, key) ? at[key] : undefined;
  }
  return at;
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
