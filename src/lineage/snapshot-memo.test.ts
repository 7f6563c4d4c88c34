import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FsDriver } from "../registry/drivers/fs.js";
import { MemoryDriver } from "../registry/drivers/memory.js";
import { sampleRecord } from "../registry/sample-records.test-helper.js";
import { aliasHistoryKept, compactLineageKept, lineageSnapshot } from "./snapshot-memo.js";
import { dependentsIn, findIn } from "./compact.js";
import { sampleAliasMove } from "../registry/sample-records.test-helper.js";

describe("the lineage snapshot kept in the cache", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("is read from the cache while the registry's token stays, and again whole once it moved", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "assetctl-lineage-memo-"));
    const registry = new FsDriver({ path: path.join(dir, "registry") });
    await registry.open({ create: true });
    await registry.createVersion(sampleRecord({ kind: "environment", name: "env", spec: { image: "python:3.11" } }));
    await registry.createVersion(sampleRecord({ kind: "component", name: "train", spec: { command: "python train.py" }, dependencies: ["environment:env:1"] }));
    const cache = path.join(dir, "cache");
    const snapshot = vi.spyOn(registry, "snapshot");

    const first = await lineageSnapshot(registry, cache);
    expect(first.versions.map((v) => [v.record.name, v.record.dependencies, v.record.spec])).toEqual([
      ["train", ["environment:env:1"], {}],
      ["env", [], {}],
    ]);
    expect(snapshot).toHaveBeenCalledTimes(1);
    expect(await lineageSnapshot(registry, cache)).toEqual(first);
    expect(snapshot).toHaveBeenCalledTimes(1);

    await registry.createVersion(sampleRecord({ kind: "component", name: "train", version: "2", dependencies: ["environment:env:1"] }));
    const moved = await lineageSnapshot(registry, cache);
    expect(snapshot).toHaveBeenCalledTimes(2);
    expect(moved.versions.map((v) => `${v.record.name}:${v.record.version}`).sort()).toEqual(["env:1", "train:1", "train:2"]);
    await registry.close();
  });

  it("reads a registry without a state token whole, every time", async () => {
    const registry = new MemoryDriver({ url: "memory:lineage-memo" });
    await registry.open({ create: true });
    await registry.createVersion(sampleRecord());
    const snapshot = vi.spyOn(registry, "snapshot");
    await lineageSnapshot(registry, path.join(tmpdir(), "never-written"));
    await lineageSnapshot(registry, path.join(tmpdir(), "never-written"));
    expect(snapshot).toHaveBeenCalledTimes(2);
  });

  it("keeps the alias journal gc reads while the token stays, and reads it again once it moved", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "assetctl-alias-memo-"));
    const registry = new FsDriver({ path: path.join(dir, "registry") });
    await registry.open({ create: true });
    await registry.createVersion(sampleRecord({ version: "1" }));
    await registry.moveAlias(sampleAliasMove({ to: "1" }));
    const read = vi.spyOn(registry, "aliasHistory");
    const cache = path.join(dir, "cache");
    const first = await aliasHistoryKept(registry, cache);
    expect(first.map((m) => m.to)).toEqual(["1"]);
    expect(await aliasHistoryKept(registry, cache)).toEqual(first);
    expect(read).toHaveBeenCalledTimes(1);
    await registry.createVersion(sampleRecord({ version: "2" }));
    await registry.moveAlias(sampleAliasMove({ from: "1", to: "2" }));
    expect((await aliasHistoryKept(registry, cache)).map((m) => m.to)).toEqual(["1", "2"]);
    expect(read).toHaveBeenCalledTimes(2);
    await registry.close();
  });

  it("answers dependents from the compact lineage as the graph of the whole snapshot does", async () => {
    dir = await mkdtemp(path.join(tmpdir(), "assetctl-compact-memo-"));
    const registry = new FsDriver({ path: path.join(dir, "registry") });
    await registry.open({ create: true });
    await registry.createVersion(sampleRecord({ kind: "environment", name: "env", version: "1" }));
    await registry.createVersion(sampleRecord({ kind: "component", name: "a", version: "1", dependencies: ["environment:env:1"] }));
    await registry.createVersion(sampleRecord({ kind: "component", name: "a", version: "2", dependencies: ["environment:env:1"], created_at: "2030-01-01T00:00:00.000Z" }));
    await registry.createVersion(sampleRecord({ kind: "component", name: "p", version: "1", dependencies: ["component:a:1", "environment:env:1"] }));
    const lineage = await compactLineageKept(registry, path.join(dir, "cache"));
    const env = findIn(lineage, { kind: "environment", name: "env", version: undefined });
    expect(dependentsIn(lineage, env, Infinity, false).map((r) => [r.address, r.depth, r.latest])).toEqual([
      ["component:a:1", 1, false],
      ["component:a:2", 1, true],
      ["component:p:1", 1, true],
    ]);
    expect(dependentsIn(lineage, findIn(lineage, { kind: "component", name: "a", version: "1" }), 1, true).map((r) => r.address)).toEqual(["component:p:1"]);
    expect(lineage.addresses[findIn(lineage, { kind: "component", name: "a", version: "latest" })]).toBe("component:a:2");
    expect(() => findIn(lineage, { kind: "component", name: "a", version: "9" })).toThrow(/no component a version 9/);
    await registry.close();
  });
});
