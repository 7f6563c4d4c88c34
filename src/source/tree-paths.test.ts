import fc from "fast-check";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveInTree } from "./tree.js";

/** resolveInTree as path.posix says it, without the shortcut for plain segments. */
function byPosix(baseDir: string, relative: string): string | undefined {
  const joined = path.posix.normalize(path.posix.join(baseDir, relative));
  if (joined === ".." || joined.startsWith("../") || path.posix.isAbsolute(joined)) return undefined;
  return joined === "." ? "" : joined.replace(/\/$/, "");
}

describe("resolveInTree", () => {
  it("gives what path.posix gives, for plain and odd paths alike", () => {
    const segment = fc.constantFrom("a", "b.yml", ".", "..", "", "x y", ".hidden", "...", "c\\d");
    const pathOf = fc.array(segment, { maxLength: 5 }).map((parts) => parts.join("/"));
    const relative = fc.tuple(fc.constantFrom("", "./", "././", "/", "../"), pathOf, fc.constantFrom("", "/", "/.")).map(([a, b, c]) => a + b + c);
    const base = fc.constantFrom("", "models", "models/m0001", "a/b/c", "a/./b", "a//b", "../a", "a/", ".");
    fc.assert(fc.property(base, relative, (b, r) => resolveInTree(b, r) === byPosix(b, r)), { numRuns: 5000 });
    expect(resolveInTree("models/m0001", "./model.pkl")).toBe("models/m0001/model.pkl");
    expect(resolveInTree("", "../x")).toBeUndefined();
  });
});
