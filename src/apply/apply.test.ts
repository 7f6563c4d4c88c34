import { afterAll, describe, expect, it, vi } from "vitest";
import { plan } from "../plan/plan.js";
import type { ObjectSource, PutObjectOptions } from "../registry/driver.js";
import { MemoryDriver } from "../registry/drivers/memory.js";
import { fenceOf, keepLock, lostLockError } from "../registry/lock-policy.js";
import type { Digest } from "../registry/types.js";
import { buildDesiredState } from "../source/desired.js";
import { cleanupTemporary, makeRepo, manifestFromYaml } from "../source/repo.test-helper.js";
import { WorkTree } from "../source/tree.js";
import { executePlan } from "./apply.js";

afterAll(cleanupTemporary);

const SOURCE = { commit: null, dirty: false, ref: null, branch: null, remote: null };

function model(name: string, folder: string): string {
  return `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\nname: ${name}\npath: ./${folder}\n`;
}

describe("storing progress", () => {
  it("totals the objects to store, leaves out those the registry has, and ends before the records", async () => {
    const root = makeRepo({ "a/w1.bin": "x".repeat(1000), "a/w2.bin": "y".repeat(3000), "b/w1.bin": "x".repeat(1000), "b/w3.bin": "z".repeat(500) });
    const tree = new WorkTree(root);
    const registry = new MemoryDriver({ url: "memory:test" });
    await registry.open({ create: true });

    /** What apply tells, in order: progress as `done/total`, then the versions it creates. */
    const applyModel = async (name: string, folder: string): Promise<string[]> => {
      const manifests = [manifestFromYaml(`${folder}.yml`, "model", model(name, folder))];
      const state = await buildDesiredState(manifests, tree, { source: SOURCE, workers: 0 });
      const changes = plan(state, await registry.snapshot(), { registryUrl: registry.url });
      const told: string[] = [];
      await executePlan(changes, registry, {
        tree,
        onProgress: (u) => told.push(`${u.phase} ${u.done}/${String(u.total)}${u.ended ? " ended" : ""}`),
        events: { onChange: (c) => told.push(`created ${c.address}`) },
      });
      return told;
    };

    expect(await applyModel("first", "a")).toEqual([
      "storing 0/4000",
      expect.stringMatching(/^storing (1000|3000)\/4000$/),
      "storing 4000/4000",
      "storing 4000/4000 ended",
      "created model:first:1",
    ]);
    // w1.bin is stored already: only w3.bin's 500 bytes are to do.
    expect(await applyModel("second", "b")).toEqual([
      "storing 0/1500",
      "storing 0/500",
      "storing 500/500",
      "storing 500/500 ended",
      "created model:second:1",
    ]);
  });

  it("moves with the bytes the driver reports within an object, counting each byte once", async () => {
    const root = makeRepo({ "c/w.bin": "w".repeat(2500), "d/w.bin": "v".repeat(2500), "e/w.bin": "u".repeat(2500) });
    const tree = new WorkTree(root);

    /** Apply of one model on a driver that reports `pieces` of bytes while it stores, then stores. */
    const storing = async (folder: string, pieces: number[]): Promise<string[]> => {
      const registry = new PiecewiseDriver(pieces);
      await registry.open({ create: true });
      const manifests = [manifestFromYaml(`${folder}.yml`, "model", model(folder, folder))];
      const state = await buildDesiredState(manifests, tree, { source: SOURCE, workers: 0 });
      const told: string[] = [];
      const result = await executePlan(plan(state, await registry.snapshot(), { registryUrl: registry.url }), registry, {
        tree,
        onProgress: (u) => told.push(`${u.done}/${String(u.total)}${u.ended ? " ended" : ""}`),
      });
      expect(result.bytesStored).toBe(2500);
      return told;
    };

    expect(await storing("c", [1000, 1000, 500])).toEqual(["0/2500", "1000/2500", "2000/2500", "2500/2500", "2500/2500 ended"]);
    // A driver that tells nothing (or not all): the rest counts once the object is stored.
    expect(await storing("d", [1000])).toEqual(["0/2500", "1000/2500", "2500/2500", "2500/2500 ended"]);
    // One that tells too much never takes progress past the object's size.
    expect(await storing("e", [2000, 2000])).toEqual(["0/2500", "2000/2500", "2500/2500", "2500/2500 ended"]);
  });
});

/** A memory registry that tells of `pieces` bytes as it stores an object, as a streaming driver would. */
class PiecewiseDriver extends MemoryDriver {
  constructor(private readonly pieces: number[]) {
    super({ url: "memory:piecewise" });
  }

  override async putObject(digest: Digest, source: ObjectSource, options: PutObjectOptions = {}): Promise<void> {
    for (const bytes of this.pieces) options.onBytes?.(bytes);
    await super.putObject(digest, source);
  }
}

describe("an apply that loses its lock", () => {
  it("writes no version once the lock is lost, and fails with the reason", async () => {
    const root = makeRepo({ "a/w.bin": "weights", "b/w.bin": "other weights" });
    const tree = new WorkTree(root);
    const registry = new MemoryDriver({ url: "memory:test" });
    await registry.open({ create: true });
    const manifests = [manifestFromYaml("a.yml", "model", model("first", "a")), manifestFromYaml("b.yml", "model", model("second", "b"))];
    const state = await buildDesiredState(manifests, tree, { source: SOURCE, workers: 0 });
    const changes = plan(state, await registry.snapshot(), { registryUrl: registry.url });
    const lock = await registry.lock({ owner: "alice", operation: "apply", timeoutMs: 0 });
    const lost = new AbortController();
    // Lost while the objects are stored: no record may follow.
    const apply = executePlan(changes, registry, {
      tree,
      signal: lost.signal,
      events: { onObject: () => lost.abort(lostLockError(lock.info, registry.url)) },
    });
    await expect(apply).rejects.toMatchObject({ code: "locked", message: expect.stringContaining("no longer holds the apply lock") });
    expect((await registry.snapshot()).versions).toEqual([]);
  });
});

describe("an apply whose lock is forced open while it is paused", () => {
  it("writes no version once it resumes, before any renewal could tell it: the registry refuses its fence", async () => {
    const root = makeRepo({ "a/w.bin": "weights" });
    const tree = new WorkTree(root);
    const registry = new MemoryDriver({ url: "memory:test" });
    await registry.open({ create: true });
    const manifests = [manifestFromYaml("a.yml", "model", model("first", "a"))];
    const state = await buildDesiredState(manifests, tree, { source: SOURCE, workers: 0 });
    const changes = plan(state, await registry.snapshot(), { registryUrl: registry.url });
    const lock = await registry.lock({ owner: "alice", operation: "apply", timeoutMs: 0 });
    // No signal: this apply has not noticed anything; only the fence stops it.
    const apply = executePlan(changes, registry, {
      tree,
      fence: fenceOf(lock),
      events: { onObject: () => void registry.forceUnlock(lock.info.id) },
    });
    await expect(apply).rejects.toMatchObject({ code: "locked", message: expect.stringContaining("no longer held") });
    expect((await registry.snapshot()).versions).toEqual([]);
    expect((await registry.journal()).map((j) => j.entry.op)).toEqual(["apply-begin"]);
  });
});

describe("keepLock", () => {
  it("renews the lock every third of its time-to-live, and aborts its signal when a renewal fails", async () => {
    vi.useFakeTimers();
    try {
      let renewals = 0;
      let fail = false;
      const handle = {
        info: { id: "l", owner: "alice", host: "h", pid: 1, created_at: "", expires_at: "", operation: "apply" },
        release: async () => {},
        renew: async () => {
          renewals += 1;
          if (fail) throw new Error("taken over");
        },
      };
      const kept = keepLock(handle, 3000);
      await vi.advanceTimersByTimeAsync(2999);
      expect(renewals).toBe(2);
      expect(kept.signal.aborted).toBe(false);
      fail = true;
      await vi.advanceTimersByTimeAsync(1000);
      expect(kept.signal.aborted).toBe(true);
      expect(String(kept.signal.reason)).toContain("taken over");
      kept.stop();
      await vi.advanceTimersByTimeAsync(10_000);
      expect(renewals).toBe(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
