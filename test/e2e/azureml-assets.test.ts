// The azureml-assets layout end to end: the sample of Azure/azureml-assets (../shared/corpus/azureml-assets)
// copied into a temporary git repository, planned and applied by the built CLI on the embedded registry.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TempRepo } from "./harness.js";

const corpus = path.resolve(import.meta.dirname, "../../../shared/corpus/azureml-assets");

// What the sample cannot apply on its own, and why (test/corpus-assets-expectations.tsv says more):
// assets/system's spec names a placeholder the publisher never fills; the sample pipeline job names a
// component file that does not exist upstream; the training pipeline component pins six components that
// live outside the sample.
const CONFIG = `exclude:
  - assets/system/
  - assets/sample/general/jobs/
  - assets/training/
`;

/** Two components of the same environment: one follows its latest version, one pins version 1. */
const component = (name: string, environment: string) => ({
  [`assets/e2e/${name}/asset.yaml`]: `name: ${name}\nversion: auto\ntype: component\nspec: spec.yaml\n`,
  [`assets/e2e/${name}/spec.yaml`]: `$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
name: "{{asset.name}}"
version: "{{asset.version}}"
type: command
environment: ${environment}
command: echo hello
`,
});

interface PlanJson {
  changes: { address: string; action: string }[];
  summary: Record<string, number>;
  errors: unknown[];
}

describe("the azureml-assets sample on the embedded registry", () => {
  let repo: TempRepo;

  beforeAll(() => {
    expect(existsSync(corpus), `the corpus is missing: ${corpus}`).toBe(true);
    repo = new TempRepo();
    repo.copyFrom(corpus);
    // The corpus is read-only; the scenario edits its copy.
    execFileSync("chmod", ["-R", "u+w", repo.root]);
    repo.write({
      "assetctl.yaml": CONFIG,
      ...component("follows_latest", "azureml:minimal-py311-inference@latest"),
      ...component("pinned_env", "azureml:minimal-py311-inference:1"),
    });
    repo.commit("the sample");
  });
  afterAll(() => repo?.remove());

  const plan = async (): Promise<PlanJson> => {
    const result = await repo.run(["plan", "--json"]);
    expect(result.stderr).not.toMatch(/error/);
    return JSON.parse(result.stdout) as PlanJson;
  };
  const created = (p: PlanJson) => p.changes.filter((c) => c.action === "create").map((c) => c.address).sort();

  it("plans and applies every asset of the sample, components included, then plans no changes", async () => {
    const first = await plan();
    expect(first.errors).toEqual([]);
    const addresses = created(first);
    expect(addresses.filter((a) => a.startsWith("component:")).length).toBe(16);
    expect(addresses.filter((a) => a.startsWith("environment:")).length).toBe(17);
    expect(addresses.filter((a) => a.startsWith("model:")).length).toBe(48);
    expect(addresses.filter((a) => a.startsWith("data:")).length).toBe(5);
    // Names Azure ML accepts with dots, and the version the asset.yaml pins.
    expect(addresses).toContain("environment:minimal-py312-cuda12.4-inference:1");
    expect(addresses).toContain("model:qwen3.5-2b-text:1");
    // isArchived: true plans an archive of the version it creates.
    expect(first.changes.filter((c) => c.action === "archive").length).toBeGreaterThan(0);

    const applied = await repo.run(["apply", "--auto-approve"]);
    expect(applied.code, applied.stderr).toBe(0);
    const again = await repo.run(["plan"]);
    expect(again.stdout).toContain("No changes.");

    const shown = await repo.run(["show", "model:Phi-4-generic-cpu"]);
    expect(shown.stdout).toContain("files at:    https://foundrylocalassetdata.blob.core.windows.net/models/foundrylocal/models/Phi-4/onnx/cpu_and_mobile/v2");
  });

  it("plans nothing for a spec.yaml whose version placeholder alone is rewritten", async () => {
    const spec = "assets/inference/environments/minimal-py311-inference/spec.yaml";
    repo.write({ [spec]: repo.read(spec).replace(`version: "{{asset.version}}"`, `version: '{{ asset.version }}'`) });
    expect(repo.git("status", "--short")).toContain("spec.yaml");
    repo.commit("requote the version placeholder");
    const result = await repo.run(["plan"]);
    expect(result.stdout).toContain("No changes.");
  });

  it("plans one new environment version for an edited Dockerfile, and new versions of the components that follow it", async () => {
    const dockerfile = "assets/inference/environments/minimal-py311-inference/context/Dockerfile";
    repo.write({ [dockerfile]: `${repo.read(dockerfile)}\n# a new layer\n` });
    repo.commit("edit the Dockerfile");
    const next = await plan();
    expect(next.errors).toEqual([]);
    expect(created(next)).toEqual(["component:follows_latest:2", "environment:minimal-py311-inference:2"]);
    expect(next.changes.find((c) => c.address.startsWith("component:pinned_env:"))?.action).toBe("noop");
  });
});
