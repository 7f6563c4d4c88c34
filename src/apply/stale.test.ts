import { afterAll, describe, expect, it } from "vitest";
import { plan } from "../plan/plan.js";
import type { Plan } from "../plan/types.js";
import { MemoryDriver } from "../registry/drivers/memory.js";
import { buildDesiredState } from "../source/desired.js";
import { cleanupTemporary, makeRepo, manifestFromYaml } from "../source/repo.test-helper.js";
import { WorkTree } from "../source/tree.js";
import { executePlan } from "./apply.js";
import { staleReasons } from "./stale.js";

afterAll(cleanupTemporary);

const SOURCE = { commit: "c0ffee", dirty: false, ref: null, branch: "main", remote: null };
const MODEL = "$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\n";

/** A plan as a saved file gives it back: written as JSON and read again. */
function saved(p: Plan): Plan {
  return JSON.parse(JSON.stringify(p, null, 2)) as Plan;
}

describe("a saved plan", () => {
  it("is current when nothing moved, and stale once any change in it was edited (the count of changes kept)", async () => {
    const root = makeRepo({ "a/w.bin": "weights", "b/w.bin": "other weights" });
    const tree = new WorkTree(root);
    const registry = new MemoryDriver({ url: "memory:stale" });
    await registry.open({ create: true });
    const manifests = (description: string) => [
      manifestFromYaml("a.yml", "model", `${MODEL}name: first\npath: ./a\ndescription: ${description}\n`),
      manifestFromYaml("b.yml", "model", `${MODEL}name: second\npath: ./b\n`),
    ];
    const first = plan(await buildDesiredState(manifests("One."), tree, { source: SOURCE, workers: 0 }), await registry.snapshot(), { registryUrl: registry.url });
    await executePlan(first, registry, { tree });
    // An update of a mutable field and a new version: both kinds of change a file could be edited in.
    const desired = await buildDesiredState(manifests("Two."), tree, { source: SOURCE, workers: 0 });
    const fresh = plan(desired, await registry.snapshot(), { registryUrl: registry.url });
    expect(fresh.changes.map((c) => `${c.action} ${c.address}`)).toEqual(["update model:first:1", "noop model:second:1"]);
    expect(staleReasons(saved(fresh), fresh)).toEqual([]);

    const edits: [string, (p: Plan) => void][] = [
      ["a version", (p) => void ((p.changes[0] as { version: string }).version = "7")],
      ["an address", (p) => void ((p.changes[0] as { address: string }).address = "model:first:7")],
      ["a mutable field", (p) => void ((p.changes[0]?.mutable as { description: string }).description = "Edited.")],
      ["an action", (p) => void ((p.changes[1] as { action: string }).action = "archive")],
      ["a patch", (p) => void (p.changes[0]?.patch.push({ op: "replace", path: "/tags", value: {} }))],
    ];
    for (const [what, edit] of edits) {
      const file = saved(fresh);
      edit(file);
      expect(file.changes, what).toHaveLength(fresh.changes.length);
      expect(staleReasons(file, fresh), what).toEqual(["its changes differ from the plan the same manifests and registry give (was the file edited?)"]);
    }
  });

  it("is stale for another registry, serial, commit or desired state", () => {
    const base = { registry: { url: "memory:a", serial: 3 }, source: { commit: "c1" }, desired_digest: "d1", changes: [] } as unknown as Plan;
    const other = { registry: { url: "memory:b", serial: 4 }, source: { commit: "c2" }, desired_digest: "d2", changes: [] } as unknown as Plan;
    expect(staleReasons(base, other)).toEqual([
      "it was made for registry memory:a, not memory:b",
      "the registry moved from serial 3 to 4",
      "it was made from commit c1, the source is now at c2",
      "the manifests or their files changed since",
    ]);
  });
});
