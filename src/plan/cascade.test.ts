import { describe, expect, it } from "vitest";
import { cascadeLines, cascades } from "./cascade.js";
import type { Change } from "./types.js";

function change(address: string, extra: Partial<Change> = {}): Change {
  const [kind, name, version] = address.split(":") as [Change["kind"], string, string];
  return { address, kind, name, version, action: "create", previous: "1", digest: null, patch: [], manifest: null, reason: "", ...extra };
}

describe("cascades", () => {
  it("groups a chain under its root, naming the root's changed file", () => {
    const env = change("environment:train-env:3", {
      patch: [{ op: "replace", path: "/spec/conda_file", value: "sha256:1" }],
      record: {
        spec: {},
        mutable: {},
        dependencies: [],
        anonymous: false,
        artifacts: [{ pointer: "/conda_file", source: "envs/conda.yml", type: "file", digest: "sha256:1", size: 1, files: [], git: "tracked" }],
      },
    });
    const train = change("component:train:5", { caused_by: ["environment:train-env:3"] });
    const pipe = change("component:pipeline:7", { caused_by: ["component:train:5"] });
    const found = cascades([env, train, pipe, change("model:m:2")]);
    expect(found.map(cascadeLines)).toEqual([["environment:train-env:3 (conda.yml) ⇒ component:train:5 ⇒ component:pipeline:7"]]);
  });

  it("draws a branching cascade as a tree, and a change with no dependents is no cascade", () => {
    const env = change("environment:e:2", { patch: [{ op: "replace", path: "/spec/image", value: "python:3.12" }] });
    const a = change("component:a:2", { caused_by: ["environment:e:2"] });
    const b = change("component:b:4", { caused_by: ["environment:e:2"] });
    const p = change("component:p:9", { caused_by: ["component:a:2", "component:b:4"] });
    expect(cascades([env, a, b, p]).map(cascadeLines)).toEqual([
      ["environment:e:2 (image)", "  ⇒ component:a:2", "    ⇒ component:p:9", "  ⇒ component:b:4", "    ⇒ component:p:9"],
    ]);
    expect(cascades([env])).toEqual([]);
  });
});
