import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FsDriver } from "../registry/drivers/fs.js";
import { MemoryDriver } from "../registry/drivers/memory.js";
import { sampleRecord } from "../registry/sample-records.test-helper.js";
import { lineageSnapshot } from "./snapshot-memo.js";

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
});
