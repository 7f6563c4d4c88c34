// Two clones of one repository applying to one Azure ML workspace at the same time, through the built
// CLI: the lock in the workspace's storage makes one wait for the other, every model gets exactly one
// version, and the second apply finds its work done.
import { afterEach, describe, expect, it } from "vitest";
import { TempRepo } from "../e2e/harness.js";
import { azureWorkspace } from "./workspace-env.js";

function clone(): TempRepo {
  const files: Record<string, string> = {};
  for (let i = 0; i < 4; i++) {
    files[`models/m${i}/model.pkl`] = `weights ${i}\n`.repeat(32);
    files[`models/m${i}/model.yml`] = `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\nname: m${i}\npath: ./model.pkl\n`;
  }
  const repo = new TempRepo(files);
  repo.commit("models");
  return repo;
}

describe("two clones applying to one Azure ML workspace at once", () => {
  const repos: TempRepo[] = [];
  afterEach(() => {
    for (const repo of repos.splice(0)) repo.remove();
  });

  it("serialises the applies with the lock and creates each version once", { timeout: 240_000 }, async () => {
    const workspace = azureWorkspace();
    const [a, b] = [clone(), clone()];
    repos.push(a, b);
    const env = { ...workspace.env, NO_COLOR: "1" };
    const results = await Promise.all([a, b].map((repo) => repo.run(["apply", "--auto-approve", "--lock-timeout", "120s"], { env })));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const plan = await a.run(["plan"], { env });
    expect(plan.stdout).toContain("No changes. The registry matches the manifests.");
    const list = await a.run(["list", "model", "--json"], { env });
    const { assets } = JSON.parse(list.stdout) as { assets: { address: string; versions: number }[] };
    expect(assets.map((a) => [a.address, a.versions])).toEqual([0, 1, 2, 3].map((i) => [`model:m${i}:1`, 1]));
  });
});
