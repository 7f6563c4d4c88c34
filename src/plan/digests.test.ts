// The planner's hot paths written out by hand must say exactly what their general forms say.
import { describe, expect, it } from "vitest";
import { canonicalJson, jsonDigest } from "../digest.js";
import type { MutableFields, RegistrySnapshot } from "../registry/types.js";
import type { DesiredAsset } from "../source/types.js";
import { desiredDigest, plan, versionDigest } from "./plan.js";

describe("versionDigest", () => {
  it("is the digest of {content, dependencies} with dependencies sorted", () => {
    const content = jsonDigest({ spec: 1 });
    for (const dependencies of [[], ["model:b:2", "environment:a:1"], ['component:"odd\\name:1']]) {
      expect(versionDigest(content, dependencies)).toBe(jsonDigest({ content, dependencies: [...dependencies].sort() }));
    }
  });
});

describe("desiredDigest", () => {
  it("is the digest of the sorted canonical rows of every asset", () => {
    const assets: DesiredAsset[] = [
      {
        kind: "component",
        name: 'odd "name"',
        version: undefined,
        spec: {},
        mutable: { tags: { b: "2", a: "1" }, description: "d" },
        artifacts: [],
        contentDigest: jsonDigest({ a: 1 }),
        references: [{ kind: "environment", name: "env", version: "1", pointer: "/environment", raw: "azureml:env:1", line: 4, column: 14 }],
        anonymous: false,
        manifest: { file: "c.yml", line: 1 },
      },
      { kind: "model", name: "m", version: "3", spec: {}, mutable: {}, artifacts: [], contentDigest: jsonDigest({ b: 2 }), references: [], anonymous: false, manifest: { file: "m.yml", line: 1 } },
    ];
    const rows = assets.map((a) => canonicalJson([a.kind, a.name, a.version ?? null, a.contentDigest, a.mutable, a.references])).sort();
    expect(desiredDigest(assets)).toBe(jsonDigest(rows));
    expect(desiredDigest([...assets].reverse())).toBe(jsonDigest(rows));
    expect(desiredDigest([])).toBe(jsonDigest([]));
  });
});

describe("mutable fields against the registry's", () => {
  const spec = { type: "custom_model" };
  const contentDigest = jsonDigest({ kind: "model", name: "m", spec });
  const desired = (mutable: MutableFields) => ({
    assets: [
      {
        kind: "model",
        name: "m",
        version: "1",
        spec,
        mutable,
        artifacts: [],
        contentDigest,
        references: [],
        anonymous: false,
        manifest: { file: "m.yml", line: 1 },
      } satisfies DesiredAsset,
    ],
    source: { commit: null, dirty: false, ref: null, branch: null, remote: null },
    diagnostics: [],
  });
  const stored = (mutable: MutableFields): RegistrySnapshot => ({
    serial: 1,
    versions: [
      {
        record: {
          kind: "model",
          name: "m",
          version: "1",
          digest: versionDigest(contentDigest, []),
          spec,
          mutable,
          artifacts: [],
          dependencies: [],
          anonymous: false,
          provenance: { commit: null, dirty: false, branch: null, remote: null, ref: null, manifest: "m.yml", tool_version: "0" },
          created_at: "2026-01-01T00:00:00Z",
        },
        mutable,
        archived: false,
        updated_at: "",
      },
    ],
  });
  const action = (now: MutableFields, before: MutableFields) => plan(desired(now), stored(before), { registryUrl: "r" }).changes[0]?.action;

  it("are unchanged only when every field and tag is the same", () => {
    expect(action({ description: "d", tags: { a: "1", b: "2" } }, { tags: { b: "2", a: "1" }, description: "d" })).toBe("noop");
    expect(action({}, {})).toBe("noop");
    expect(action({ description: "d" }, { description: "e" })).toBe("update");
    expect(action({ tags: { a: "1" } }, { tags: { a: "2" } })).toBe("update");
    expect(action({ tags: { a: "1" } }, { tags: { b: "1" } })).toBe("update");
    expect(action({ tags: { a: "1" } }, { tags: { a: "1", b: "2" } })).toBe("update");
    expect(action({ tags: {} }, {})).toBe("update");
    expect(action({ display_name: "x" }, { description: "x" })).toBe("update");
    // A damaged record (a number where text belongs) is compared as JSON: it differs from the text.
    expect(action({ tags: { a: "1" } }, { tags: { a: 1 as unknown as string } })).toBe("update");
  });
});
