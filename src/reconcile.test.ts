import { describe, expect, it } from "vitest";
import { planAgainst, sameRegistryState } from "./plan-desired.js";
import type { Desired } from "./reconcile.js";
import { MemoryDriver } from "./registry/drivers/memory.js";
import { sampleRecord, sampleUpdate } from "./registry/sample-records.test-helper.js";
import type { RegistrySnapshot } from "./registry/types.js";
import { WorkTree } from "./source/tree.js";

const source = { commit: null, dirty: false, ref: null, branch: null, remote: null };
const desired: Desired = { tree: new WorkTree("/nowhere"), manifests: [], state: { assets: [], source, diagnostics: [] }, gitSource: source };

async function registry(): Promise<MemoryDriver> {
  const driver = new MemoryDriver({ url: "memory:test" });
  await driver.open({ create: true });
  await driver.createVersion(sampleRecord());
  return driver;
}

describe("planning again against an unmoved registry", () => {
  it("tells snapshots apart by serial, versions, mutable fields and archive flags", async () => {
    const driver = await registry();
    const before: RegistrySnapshot = await driver.snapshot();
    expect(sameRegistryState(before, await driver.snapshot())).toBe(true);
    const edited = structuredClone(before);
    const stored = edited.versions[0];
    if (!stored) throw new Error("no version");
    stored.mutable = { description: "changed" };
    expect(sameRegistryState(before, edited)).toBe(false);
    expect(sameRegistryState(before, { ...before, serial: before.serial + 1 })).toBe(false);
    expect(sameRegistryState(before, { ...before, versions: [] })).toBe(false);
    await driver.updateVersion(sampleUpdate(sampleRecord(), { archived: true }));
    expect(sameRegistryState(before, await driver.snapshot())).toBe(false);
  });

  it("reuses the earlier plan only while the registry is where it was", async () => {
    const driver = await registry();
    const options = { prune: true };
    const first = await planAgainst(desired, driver, options);
    const again = await planAgainst(desired, driver, options, { ...first, desired, options });
    expect(again.plan).toBe(first.plan);
    expect((await planAgainst(desired, driver, { prune: false }, { ...first, desired, options })).plan).not.toBe(first.plan);
    await driver.createVersion(sampleRecord({ version: "2" }));
    const moved = await planAgainst(desired, driver, options, { ...first, desired, options });
    expect(moved.plan).not.toBe(first.plan);
    expect(moved.plan.registry.serial).toBe(first.plan.registry.serial + 1);
  });
});
