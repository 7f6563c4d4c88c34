// Lineage queries end to end on the example assets/: graph up and down, dependents, why, impact.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TempRepo } from "./harness.js";

describe("lineage on the example assets", () => {
  let repo: TempRepo;

  beforeAll(async () => {
    repo = await TempRepo.appliedExample();
  });

  afterAll(() => repo.remove());

  it("graph --down shows what uses an environment, --up what a pipeline uses, with implied edges dropped", async () => {
    const down = await repo.run(["graph", "environment:sklearn-env", "--down", "--json"]);
    expect(down.code, down.stderr).toBe(0);
    expect(JSON.parse(down.stdout)).toEqual({
      nodes: [
        "component:evaluate_regressor:1",
        "component:normalize_housing:1",
        "component:train_house_price_pipeline:1",
        "environment:sklearn-env:1",
      ],
      edges: [
        ["component:evaluate_regressor:1", "environment:sklearn-env:1"],
        ["component:normalize_housing:1", "environment:sklearn-env:1"],
        ["component:train_house_price_pipeline:1", "component:evaluate_regressor:1"],
        ["component:train_house_price_pipeline:1", "component:normalize_housing:1"],
      ],
    });
    const up = await repo.run(["graph", "component:train_house_price_pipeline", "--up", "--depth", "1", "--format", "dot"]);
    expect(up.stdout).toContain('subgraph "cluster_component"');
    expect(up.stdout).toContain('"component:train_house_price_pipeline:1" [style=bold];');
    expect(up.stdout).not.toContain("environment:");
    const bad = await repo.run(["graph", "component:train_house_price_pipeline", "--depth", "0"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("[flag-invalid]");
  });

  it("dependents lists direct and transitive users, --latest only latest versions", async () => {
    const result = await repo.run(["dependents", "environment:train-image:1"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      [
        "2 versions depend on environment:train-image:1:",
        "  component:train_regressor:1  (latest, direct)",
        "  component:train_house_price_pipeline:1  (latest, 2 hops)",
        "",
      ].join("\n"),
    );
    const json = JSON.parse((await repo.run(["dependents", "environment:train-image", "--depth", "1", "--json"])).stdout);
    expect(json.dependents.map((d: { address: string }) => d.address)).toEqual(["component:train_regressor:1"]);
  });

  it("why prints a dependency path either way round, and exits 1 when there is none", async () => {
    const forward = await repo.run(["why", "component:train_house_price_pipeline", "environment:train-image"]);
    expect(forward.code).toBe(0);
    expect(forward.stdout).toContain("component:train_house_price_pipeline:1 → component:train_regressor:1 → environment:train-image:1");
    const backward = await repo.run(["why", "environment:train-image", "component:train_house_price_pipeline", "--json"]);
    expect(JSON.parse(backward.stdout).path).toEqual([
      "component:train_house_price_pipeline:1",
      "component:train_regressor:1",
      "environment:train-image:1",
    ]);
    const none = await repo.run(["why", "model:house-price-regressor", "environment:train-image"]);
    expect(none.code).toBe(1);
    expect(none.stdout).toContain("No dependency path");
  });

  it("impact names what a file change would re-version, from the manifests alone", async () => {
    const conda = await repo.run(["impact", "environments/sklearn/conda.yml", "--json"]);
    expect(conda.code, conda.stderr).toBe(0);
    const affected = JSON.parse(conda.stdout).affected as { id: string; depth: number; pinned: boolean }[];
    expect(affected.map((a) => [a.id, a.depth])).toEqual([
      ["environment:sklearn-env", 0],
      ["component:evaluate_regressor", 1],
      ["component:normalize_housing", 1],
      ["component:train_house_price_pipeline", 2],
    ]);
    const text = await repo.run(["impact", "components/train/src"]);
    expect(text.stdout).toContain("reaches 1 asset (1 with a pinned version: a conflict until it is raised):");
    expect(text.stdout).toContain("component:train_regressor (pinned) names components/train/src");
    const nothing = await repo.run(["impact", "README.md"]);
    expect(nothing.stdout).toContain("No manifest names README.md");
    const outside = await repo.run(["impact", "../elsewhere"]);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toContain("[path-outside-repo]");
  });
});
