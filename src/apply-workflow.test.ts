import { afterAll, describe, expect, it } from "vitest";
import { applyDesired, type ApplyOutcome } from "./apply-workflow.js";
import { readDesired } from "./reconcile.js";
import { MemoryDriver } from "./registry/drivers/memory.js";
import { cleanupTemporary, commitAll, makeRepo, temporaryDir, writeFiles } from "./source/repo.test-helper.js";

afterAll(cleanupTemporary);

const MODEL = "$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\n";

function model(name: string, extra = ""): string {
  return `${MODEL}name: ${name}\npath: ./w.bin\n${extra}`;
}

async function registry(): Promise<MemoryDriver> {
  const r = new MemoryDriver({ url: "memory:workflow" });
  await r.open({ create: true });
  return r;
}

const LOCK = { operation: "test" };

/** The status with its reason (refused) or first reason (stale), for one-line assertions. */
function said(o: ApplyOutcome): string {
  if (o.status === "refused") return `refused: ${o.reason}`;
  if (o.status === "stale") return `stale: ${o.reasons.join("; ")}`;
  if (o.status === "applied") return `applied: ${o.result.created} created`;
  return o.status;
}

describe("applyDesired", () => {
  it("applies a plan, then has nothing to do", async () => {
    const root = makeRepo({ "m.yml": model("first"), "w.bin": "weights" });
    commitAll(root);
    const reg = await registry();
    const desired = await readDesired({ root, cache: false });
    expect(said(await applyDesired(desired, reg, { lock: LOCK, whenMoved: "refuse" }))).toBe("applied: 1 created");
    expect((await reg.snapshot()).versions.map((v) => `${v.record.name}:${v.record.version}`)).toEqual(["first:1"]);
    expect(said(await applyDesired(desired, reg, { lock: LOCK, whenMoved: "refuse" }))).toBe("nothing-to-do");
  });

  it("refuses a dirty tree unless allowed, and a plan that was not approved, writing nothing", async () => {
    const root = makeRepo({ "m.yml": model("second"), "w.bin": "weights" });
    commitAll(root);
    writeFiles(root, { "w.bin": "changed weights" });
    const reg = await registry();
    const desired = await readDesired({ root, cache: false });
    expect(said(await applyDesired(desired, reg, { lock: LOCK, whenMoved: "refuse" }))).toBe("refused: dirty-tree");
    let asked = 0;
    const approve = (): boolean => (asked++, false);
    expect(said(await applyDesired(desired, reg, { lock: LOCK, whenMoved: "refuse", allowDirty: true, approve }))).toBe("refused: not-approved");
    expect(asked).toBe(1);
    expect((await reg.snapshot()).versions).toEqual([]);
  });

  it("refuses a desired state from no commit (outside git) unless allowed", async () => {
    const root = temporaryDir("assetctl-nogit-");
    writeFiles(root, { "m.yml": model("loose"), "w.bin": "weights" });
    const reg = await registry();
    const desired = await readDesired({ root, cache: false });
    expect(desired.state.source.commit).toBeNull();
    expect(said(await applyDesired(desired, reg, { lock: LOCK, whenMoved: "refuse" }))).toBe("refused: no-commit");
    expect((await reg.snapshot()).versions).toEqual([]);
    expect(said(await applyDesired(desired, reg, { lock: LOCK, whenMoved: "refuse", allowNoCommit: true }))).toBe("applied: 1 created");
  });

  it("refuses conflicts and manifests with errors", async () => {
    const root = makeRepo({ "m.yml": model("pinned", "version: '1'\n"), "w.bin": "weights" });
    commitAll(root);
    const reg = await registry();
    expect(said(await applyDesired(await readDesired({ root, cache: false }), reg, { lock: LOCK, whenMoved: "refuse" }))).toBe("applied: 1 created");
    const serial = (await reg.snapshot()).serial;
    writeFiles(root, { "w.bin": "other weights" });
    commitAll(root);
    const conflicting = await applyDesired(await readDesired({ root, cache: false }), reg, { lock: LOCK, whenMoved: "refuse" });
    expect(said(conflicting)).toBe("refused: conflicts");
    writeFiles(root, { "m.yml": `${MODEL}name: [broken\n` });
    commitAll(root);
    const reviewed: number[] = [];
    const broken = await applyDesired(await readDesired({ root, cache: false }), reg, {
      lock: LOCK,
      whenMoved: "refuse",
      review: (p) => void reviewed.push(p.changes.length),
    });
    expect(said(broken)).toBe("refused: errors");
    expect(reviewed).toHaveLength(1);
    expect((await reg.snapshot()).serial).toBe(serial);
  });

  it("applies a saved plan exactly, and refuses it as stale once the registry moved", async () => {
    const root = makeRepo({ "m.yml": model("saved"), "w.bin": "weights" });
    commitAll(root);
    const reg = await registry();
    const desired = await readDesired({ root, cache: false });
    const { makePlan } = await import("./plan-desired.js");
    const saved = await makePlan(desired, reg);
    expect(said(await applyDesired(desired, reg, { saved, lock: LOCK, whenMoved: "refuse" }))).toBe("applied: 1 created");
    const serial = (await reg.snapshot()).serial;
    const again = await applyDesired(desired, reg, { saved, lock: LOCK, whenMoved: "refuse" });
    expect(said(again)).toBe(`stale: the registry moved from serial 0 to ${serial}`);
    expect(again.status === "stale" && again.error.code).toBe("plan-stale");
  });

  it("plans again under the lock when asked and the registry moved meanwhile", async () => {
    const root = makeRepo({ "a.yml": model("a"), "w.bin": "weights" });
    commitAll(root);
    const reg = await registry();
    const desired = await readDesired({ root, cache: false });
    const other = await readDesired({ root, cache: false });
    const seen: string[] = [];
    // Another writer applies the same manifests between this apply's check and its lock.
    const outcome = await applyDesired(desired, reg, {
      lock: LOCK,
      whenMoved: "replan",
      approve: async () => {
        await applyDesired(other, reg, { lock: LOCK, whenMoved: "refuse" });
        return true;
      },
      replanned: (before, after) => void seen.push(`${before.registry.serial}->${after.registry.serial}`),
    });
    expect(seen).toEqual([`0->${(await reg.snapshot()).serial}`]);
    expect(said(outcome)).toBe("nothing-to-do");
    const refusing = await applyDesired(await readDesired({ root, cache: false }), reg, { lock: LOCK, whenMoved: "refuse" });
    expect(said(refusing)).toBe("nothing-to-do");
  });
});
