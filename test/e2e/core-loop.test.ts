// The core loop end to end: the built CLI against a real temporary git repository and a real
// embedded registry.
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freshOci, freshPostgres, serversMissing } from "../../src/registry/drivers/team-servers.test-helper.js";
import { azureWorkspace } from "../azure/workspace-env.js";
import { cliPath, objectCount, TempRepo } from "./harness.js";

const MODEL = `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json
name: churn-model
description: First model.
path: ./model.pkl
tags:
  team: growth
`;

const ENV = `$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json
name: train-env
image: python:3.11-slim
conda_file: ./conda.yml
`;

const COMPONENT = `$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
name: train
version: 1
type: command
inputs:
  data:
    type: uri_folder
outputs:
  model:
    type: mlflow_model
code: ./src
environment: azureml:train-env@latest
command: python train.py --data \${{inputs.data}} --model \${{outputs.model}}
`;

function baseFiles(): Record<string, string> {
  return {
    "models/model.yml": MODEL,
    "models/model.pkl": "pickled-bytes-v1",
    "envs/env.yml": ENV,
    "envs/conda.yml": "name: train\ndependencies:\n  - python=3.11\n",
    "components/train.yml": COMPONENT,
    "components/src/train.py": "print('training')\n",
  };
}

interface RegistryUnderTest {
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

const registries: { label: string; embedded: boolean; skip: boolean; make(): RegistryUnderTest }[] = [
  { label: "the embedded registry", embedded: true, skip: false, make: () => ({ env: {}, cleanup: async () => {} }) },
  {
    // The same scenario, unchanged, on a team registry: records in PostgreSQL, objects in an OCI registry.
    label: "PostgreSQL + OCI",
    embedded: false,
    skip: serversMissing({ postgres: true, oci: true }) !== undefined,
    make: () => {
      const pg = freshPostgres();
      return { env: { ASSETCTL_REGISTRY: `${pg.url}&objects=${freshOci()}` }, cleanup: () => pg.cleanup() };
    },
  },
  {
    // And on an Azure ML workspace: the control-plane stand-in and Azurite (test/servers.global-setup.ts).
    label: "an Azure ML workspace (stand-in + Azurite)",
    embedded: false,
    skip: false,
    make: () => azureWorkspace(),
  },
];

describe.each(registries)("plan and apply on $label", ({ embedded, skip, make }) => {
  let repo: TempRepo;
  let commit: string;
  let registry: RegistryUnderTest;

  beforeEach((context) => {
    if (skip) context.skip();
    registry = make();
    repo = new TempRepo(baseFiles());
    repo.env = registry.env;
    commit = repo.commit("initial assets");
  });
  afterEach(async () => {
    if (skip) return;
    repo.remove();
    await registry.cleanup();
  });

  it("plans, applies, and then has nothing to change", async () => {
    const plan1 = await repo.run(["plan"]);
    expect(plan1.stderr).toBe("");
    expect(plan1.code).toBe(0);
    expect(plan1.stdout).toContain("+  environment:train-env:1");
    expect(plan1.stdout).toContain("+  model:churn-model:1");
    expect(plan1.stdout).toContain("+  component:train:1");
    expect(plan1.stdout).toContain("Plan: 3 new assets, 0 new versions, 0 updates, 0 conflicts, 0 unchanged.");

    const detailed = await repo.run(["plan", "--detailed-exitcode"]);
    expect(detailed.code).toBe(2);

    const apply = await repo.run(["apply", "--auto-approve"]);
    expect(apply.stderr).toBe("");
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain("Apply complete: 3 versions created");

    const plan2 = await repo.run(["plan", "--detailed-exitcode"]);
    expect(plan2.code).toBe(0);
    expect(plan2.stdout).toContain("No changes. The registry matches the manifests.");

    const json = JSON.parse((await repo.run(["plan", "--json"])).stdout) as { summary: Record<string, number>; source: { commit: string } };
    expect(json.summary).toMatchObject({ create: 0, update: 0, noop: 3, conflict: 0 });
    expect(json.source.commit).toBe(commit);

    const list = JSON.parse((await repo.run(["list", "--json"])).stdout) as { assets: { address: string; commit: string }[] };
    expect(list.assets.map((a) => a.address).sort()).toEqual(["component:train:1", "environment:train-env:1", "model:churn-model:1"]);
    expect(list.assets.every((a) => a.commit === commit)).toBe(true);

    const show = JSON.parse((await repo.run(["show", "component:train:1", "--json"])).stdout) as { dependencies: string[]; provenance: { commit: string; manifest: string } };
    expect(show.dependencies).toEqual(["environment:train-env:1"]);
    expect(show.provenance).toMatchObject({ commit, manifest: "components/train.yml" });

    const verify = await repo.run(["verify"]);
    expect(verify.code).toBe(0);
  });

  it("refuses to apply without a terminal unless --auto-approve", async () => {
    const before = embedded ? repo.registryFingerprint() : "";
    const result = await repo.run(["apply"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--auto-approve");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    if (embedded) expect(repo.registryFingerprint()).toBe(before);
  });

  it("creates a new version for a changed artifact and stores a reverted file once", async () => {
    await repo.run(["apply", "--auto-approve"]);
    const registryDir = path.join(repo.root, ".assetctl/registry");
    const objectsAfterFirst = embedded ? objectCount(registryDir) : 0;

    repo.write({ "models/model.pkl": "pickled-bytes-v2" });
    const commit2 = repo.commit("retrain");
    const plan = await repo.run(["plan"]);
    expect(plan.stdout).toContain("+v model:churn-model:2");
    expect(plan.stdout).toContain("Plan: 0 new assets, 1 new version, 0 updates, 0 conflicts, 2 unchanged.");
    expect((await repo.run(["apply", "--auto-approve"])).code).toBe(0);
    if (embedded) expect(objectCount(registryDir)).toBe(objectsAfterFirst + 1);

    repo.write({ "models/model.pkl": "pickled-bytes-v1" });
    repo.commit("revert the model");
    const revert = await repo.run(["plan"]);
    expect(revert.stdout).toContain("+v model:churn-model:3");
    expect(revert.stdout).toContain("same content as 1");
    expect((await repo.run(["apply", "--auto-approve"])).code).toBe(0);
    if (embedded) expect(objectCount(registryDir)).toBe(objectsAfterFirst + 1);

    const v1 = JSON.parse((await repo.run(["show", "model:churn-model:1", "--json"])).stdout) as { digest: string };
    const v3 = JSON.parse((await repo.run(["show", "model:churn-model:3", "--json"])).stdout) as { digest: string };
    expect(v3.digest).toBe(v1.digest);
    // The model's files are stored in the registry: the digest in place of its path is not remote content.
    expect((await repo.run(["show", "model:churn-model:1"])).stdout).not.toContain("files at:");

    const history = JSON.parse((await repo.run(["history", "model:churn-model", "--json"])).stdout) as { versions: { version: string; commit: string }[] };
    expect(history.versions.map((v) => v.version)).toEqual(["1", "2", "3"]);
    expect(history.versions[0]?.commit).toBe(commit);
    expect(history.versions[1]?.commit).toBe(commit2);
    expect((await repo.run(["verify"])).code).toBe(0);
  });

  it("refuses a pinned version with new content, naming the conflict, and writes nothing", async () => {
    await repo.run(["apply", "--auto-approve"]);
    repo.write({ "components/src/train.py": "print('training, better')\n" });
    repo.commit("edit component code without a version bump");
    const before = embedded ? repo.registryFingerprint() : "";
    const plan = await repo.run(["plan"]);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain("!  component:train:1");
    expect(plan.stdout).toContain("version 1 already exists with different content (code)");
    const apply = await repo.run(["apply", "--auto-approve"]);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain("conflict");
    if (embedded) expect(repo.registryFingerprint()).toBe(before);
    else expect((await repo.run(["history", "component:train", "--json"])).stdout).not.toContain('"version": "2"');
  });

  it("updates a description in place, keeping it in the version's history", async () => {
    await repo.run(["apply", "--auto-approve"]);
    repo.write({ "models/model.yml": MODEL.replace("First model.", "Better words.") });
    repo.commit("describe the model");
    const plan = await repo.run(["plan"]);
    expect(plan.stdout).toContain("~  model:churn-model:1");
    expect(plan.stdout).toContain('~ /description: "First model." → "Better words."');
    expect(plan.stdout).toContain("0 new versions, 1 update");
    expect((await repo.run(["apply", "--auto-approve"])).code).toBe(0);
    const show = JSON.parse((await repo.run(["show", "model:churn-model", "--json"])).stdout) as { version: string; mutable: { description: string } };
    expect(show).toMatchObject({ version: "1", mutable: { description: "Better words." } });
    const history = JSON.parse((await repo.run(["history", "model:churn-model:1", "--json"])).stdout) as { versions: { updates: unknown[] }[] };
    expect(history.versions[0]?.updates).toHaveLength(1);
  });

  it("refuses a stale saved plan and applies a fresh one exactly", async () => {
    const out = path.join(repo.root, ".assetctl", "plan.json");
    expect((await repo.run(["plan", "--out", out])).code).toBe(0);
    repo.write({ "models/model.pkl": "changed after the plan" });
    repo.commit("retrain after planning");
    const stale = await repo.run(["apply", out]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain("stale");
    expect((await repo.run(["list", "--json"])).stdout).toContain('"assets": []');

    expect((await repo.run(["plan", "--out", out])).code).toBe(0);
    const applied = await repo.run(["apply", out]);
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain("3 versions created");
    const again = await repo.run(["apply", out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("stale");
  });

  it("refuses a saved plan whose file was edited, keeping its number of changes, and writes nothing", async () => {
    expect((await repo.run(["apply", "--auto-approve"])).code).toBe(0);
    repo.write({ "models/model.yml": MODEL.replace("First model.", "Second model.") });
    repo.commit("describe the model better");
    const out = path.join(repo.root, ".assetctl", "plan.json");
    expect((await repo.run(["plan", "--out", out])).code).toBe(0);
    const before = (await repo.run(["list", "--json"])).stdout;
    const original = readFileSync(out, "utf8");
    const edits: [string, (p: { changes: Record<string, unknown>[] }) => void][] = [
      ["a version", (p) => void (p.changes.find((c) => c["action"] === "update")!["version"] = "9")],
      ["a mutable field", (p) => void ((p.changes.find((c) => c["action"] === "update")!["mutable"] as { description: string }).description = "Edited.")],
    ];
    for (const [what, edit] of edits) {
      const file = JSON.parse(original) as { changes: Record<string, unknown>[] };
      const count = file.changes.length;
      edit(file);
      expect(file.changes, what).toHaveLength(count);
      writeFileSync(out, JSON.stringify(file));
      const applied = await repo.run(["apply", out]);
      expect(applied.code, what).toBe(1);
      expect(applied.stderr, what).toContain("was the file edited?");
      expect((await repo.run(["list", "--json"])).stdout, what).toBe(before);
    }
    writeFileSync(out, original);
    expect((await repo.run(["apply", out])).code).toBe(0);
  });

  it("refuses a dirty working tree unless --allow-dirty, and records it", async () => {
    repo.write({ "models/model.yml": MODEL.replace("First model.", "Uncommitted.") });
    const refused = await repo.run(["apply", "--auto-approve"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("--allow-dirty");
    expect((await repo.run(["apply", "--auto-approve", "--allow-dirty"])).code).toBe(0);
    const show = JSON.parse((await repo.run(["show", "model:churn-model:1", "--json"])).stdout) as { provenance: { dirty: boolean } };
    expect(show.provenance.dirty).toBe(true);
  });

  it("plans from a git ref without checking it out", async () => {
    repo.write({ "models/model.pkl": "pickled-bytes-v2" });
    repo.commit("retrain");
    await repo.run(["apply", "--auto-approve"]);
    const fromFirst = await repo.run(["plan", "--ref", commit]);
    expect(fromFirst.code).toBe(0);
    expect(fromFirst.stdout).toContain("+v model:churn-model:2");
    expect(repo.read("models/model.pkl")).toBe("pickled-bytes-v2");
  });

  it("pulls a version's files out of the registry, verified", async () => {
    await repo.run(["apply", "--auto-approve"]);
    const dest = path.join(repo.root, ".assetctl", "pulled");
    const pull = await repo.run(["pull", "component:train:1", dest]);
    expect(pull.code).toBe(0);
    expect(repo.read(".assetctl/pulled/train.py")).toBe("print('training')\n");
    const again = await repo.run(["pull", "component:train:1", dest]);
    expect(again.code).toBe(1);
  });

  it("lists orphans and archives them with --prune", async () => {
    await repo.run(["apply", "--auto-approve"]);
    repo.git("rm", "-q", "models/model.yml");
    repo.commit("retire the model");
    const plan = await repo.run(["plan"]);
    expect(plan.stdout).toContain("?  model:churn-model:1");
    expect((await repo.run(["apply", "--auto-approve", "--prune"])).code).toBe(0);
    const list = await repo.run(["list", "--json"]);
    expect(list.stdout).not.toContain("churn-model");
    expect((await repo.run(["plan"])).stdout).toContain("No changes.");
  });
});

describe("apply on a terminal", () => {
  // `script` gives the CLI a pseudo-terminal, as a person's shell would.
  const hasScript = spawnSync("script", ["--version"]).status === 0;
  let repo: TempRepo;
  beforeEach(() => {
    repo = new TempRepo(baseFiles());
    repo.commit("initial assets");
  });
  afterEach(() => repo.remove());

  function onTerminal(answer: string): Promise<{ code: number; output: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn("script", ["-qec", `${process.execPath} ${cliPath} apply`, "/dev/null"], {
        cwd: repo.root,
        env: { ...process.env, NO_COLOR: "1" },
      });
      let output = "";
      child.stdout.on("data", (d: Buffer) => {
        output += d.toString();
        if (output.includes("Only 'yes' is accepted")) child.stdin.end(`${answer}\n`);
      });
      child.on("error", reject);
      child.on("close", (code) => resolve({ code: code ?? -1, output }));
    });
  }

  it.skipIf(!hasScript)("asks for confirmation and applies only on yes", async () => {
    const before = repo.registryFingerprint();
    const no = await onTerminal("no");
    expect(no.output).toContain("Apply cancelled. Nothing was written.");
    expect(no.code).toBe(1);
    expect(repo.registryFingerprint()).toBe(before);
    const yes = await onTerminal("yes");
    expect(yes.output).toContain("Apply complete: 3 versions created");
    expect(yes.code).toBe(0);
  });
});
