import { describe, expect, it } from "vitest";
import { canonicalJson, jsonDigest } from "./digest.js";

describe("canonicalJson", () => {
  it("sorts keys at every level and writes no whitespace", () => {
    expect(canonicalJson({ b: 1, a: { d: [true, null], c: "x" } })).toBe('{"a":{"c":"x","d":[true,null]},"b":1}');
    // Integer-like keys sort as text, like every other key.
    expect(canonicalJson({ 10: "a", 9: "b", x: "c" })).toBe('{"10":"a","9":"b","x":"c"}');
  });

  it("leaves out undefined members, writes undefined items as null, as it always has", () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
    expect(canonicalJson(undefined)).toBe("null");
    expect(canonicalJson([1, , 3])).toBe("[1,,3]"); // eslint-disable-line no-sparse-arrays
    expect(canonicalJson({ s: 'quote " and \\u00e9 \n' })).toBe('{"s":"quote \\" and \\\\u00e9 \\n"}');
  });

  it("gives the digests records already carry", () => {
    // A registry compares stored digests with new ones: the canonical form can never change.
    expect(jsonDigest({ kind: "model", name: "m", spec: { path: "sha256:00", type: "custom_model" } })).toBe(
      "sha256:09481c3eef57c9eb4f42003b8d768681b72043742f18029e0d82f453d7ee73dd",
    );
  });
});
