import jsonpatch from "fast-json-patch";
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../registry/types.js";
import { diffDocuments } from "./patch.js";

describe("diffDocuments", () => {
  it("from nothing, gives exactly fast-json-patch's patch", () => {
    const after: JsonObject = {
      spec: { type: "custom_model", path: "sha256:00", nested: [1, { b: null }] },
      dependencies: [],
      "a/b~c": "escaped",
      description: "text",
      count: 3,
      flag: false,
      none: null,
    };
    const expected = jsonpatch.compare({}, after).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const patch = diffDocuments({}, after);
    expect(patch).toEqual(expected);
    // The values are copies: a later edit of the document does not change the patch.
    (after["spec"] as JsonObject)["type"] = "mlflow_model";
    expect(patch.find((op) => op.path === "/spec")).toMatchObject({ value: { type: "custom_model" } });
  });

  it("between two documents, sorts fast-json-patch's operations by path, each replace and remove saying what it replaces", () => {
    expect(diffDocuments({ b: 1, a: { x: 1 } }, { b: 2, a: {}, c: true })).toEqual([
      { op: "remove", path: "/a/x", old: 1 },
      { op: "replace", path: "/b", old: 1, value: 2 },
      { op: "add", path: "/c", value: true },
    ]);
  });
});
