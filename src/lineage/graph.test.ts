import { describe, expect, it } from "vitest";
import { sampleRecord } from "../registry/sample-records.test-helper.js";
import type { StoredVersion, VersionRecord } from "../registry/types.js";
import { around, lineageGraph, reachable, somePath, withoutImpliedEdges } from "./graph.js";

function stored(kind: VersionRecord["kind"], name: string, version: string, dependencies: string[] = []): StoredVersion {
  const record = sampleRecord({ kind, name, version, dependencies });
  return { record, mutable: record.mutable, archived: false, updated_at: record.created_at };
}

// datastore ← data ← pipeline → component:train → environment;  pipeline → environment directly too
const versions = [
  stored("datastore", "blob", "1"),
  stored("data", "sales", "2", ["datastore:blob:1"]),
  stored("environment", "env", "3"),
  stored("component", "train", "4", ["environment:env:3"]),
  stored("component", "pipe", "5", ["component:train:4", "environment:env:3", "data:sales:2"]),
  stored("model", "unrelated", "1"),
];
const graph = lineageGraph(versions);

describe("lineage graph", () => {
  it("walks dependencies up and dependents down, with hop counts", () => {
    expect(Object.fromEntries(reachable(graph, ["component:pipe:5"], "up"))).toEqual({
      "component:pipe:5": 0,
      "component:train:4": 1,
      "environment:env:3": 1,
      "data:sales:2": 1,
      "datastore:blob:1": 2,
    });
    expect(Object.fromEntries(reachable(graph, ["environment:env:3"], "down"))).toEqual({
      "environment:env:3": 0,
      "component:train:4": 1,
      "component:pipe:5": 1,
    });
    expect([...reachable(graph, ["datastore:blob:1"], "down", 1).keys()]).toEqual(["datastore:blob:1", "data:sales:2"]);
  });

  it("keeps the edges between the nodes it keeps, and drops the ones a longer path implies", () => {
    const sub = around(graph, ["component:pipe:5"], "up");
    expect(sub.edges).toContainEqual(["component:pipe:5", "environment:env:3"]);
    const reduced = withoutImpliedEdges(sub);
    expect(reduced.nodes).toEqual(sub.nodes);
    expect(reduced.edges).toEqual([
      ["component:pipe:5", "component:train:4"],
      ["component:pipe:5", "data:sales:2"],
      ["component:train:4", "environment:env:3"],
      ["data:sales:2", "datastore:blob:1"],
    ]);
    expect(around(graph, ["component:train:4"], "both").nodes).toEqual(["component:pipe:5", "component:train:4", "environment:env:3"]);
  });

  it("finds a shortest dependency path, and none between unrelated versions", () => {
    expect(somePath(graph, "component:pipe:5", "datastore:blob:1")).toEqual(["component:pipe:5", "data:sales:2", "datastore:blob:1"]);
    expect(somePath(graph, "component:pipe:5", "environment:env:3")).toEqual(["component:pipe:5", "environment:env:3"]);
    expect(somePath(graph, "environment:env:3", "component:pipe:5")).toBeUndefined();
    expect(somePath(graph, "model:unrelated:1", "environment:env:3")).toBeUndefined();
  });

  it("names a dependency the registry does not hold as a node without a version", () => {
    const g = lineageGraph([stored("component", "c", "1", ["environment:gone:9"])]);
    expect(g.nodes.get("environment:gone:9")).toMatchObject({ kind: "environment", version: undefined });
    expect(g.dependents.get("environment:gone:9")).toEqual(["component:c:1"]);
  });

  it("answers dependents of 10,000 versions in one pass each way", () => {
    const many: StoredVersion[] = [stored("environment", "base", "1")];
    for (let i = 0; i < 10_000; i++) many.push(stored("component", `c${i}`, "1", ["environment:base:1", ...(i > 0 ? [`component:c${i - 1}:1`] : [])]));
    const g = lineageGraph(many);
    expect(reachable(g, ["environment:base:1"], "down").size).toBe(10_001);
    expect(reachable(g, ["component:c5:1"], "down", 2).size).toBe(3);
  });
});
