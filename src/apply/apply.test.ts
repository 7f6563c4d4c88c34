import { afterAll, describe, expect, it } from "vitest";
import { plan } from "../plan/plan.js";
import { MemoryDriver } from "../registry/drivers/memory.js";
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
});
