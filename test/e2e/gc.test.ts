// The garbage collector end to end on the built CLI: a dry run that changes nothing, apply that deletes
// only what no rule keeps and leaves `verify` clean, show and pull of a deleted version, and restore.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TempRepo } from "./harness.js";

const MODEL = `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json
name: churn-model
path: ./model.pkl
`;

const CONFIG = `retention:
  keep_last: 1
  keep_within: 0d
  grace: 0m
  trash_days: 7
`;

interface GcJson {
  ref: string;
  versions: { address: string; action: string; reasons: { rule: string }[] }[];
  objects: { digest: string; action: string }[];
  summary: { versions_delete: number; versions_keep: number; objects_sweep: number };
}

describe("assetctl gc", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = new TempRepo({ "assetctl.yaml": CONFIG, "models/model.yml": MODEL, "models/model.pkl": "weights-1" });
    repo.commit("a model");
    expect((await repo.run(["apply", "--auto-approve"])).code).toBe(0);
    for (const n of [2, 3]) {
      repo.write({ "models/model.pkl": `weights-${n}` });
      repo.commit(`retrain ${n}`);
      expect((await repo.run(["apply", "--auto-approve"])).code).toBe(0);
    }
  });
  afterEach(() => repo.remove());

  it("dry run: lists what no rule keeps, changes nothing, and exits 2 with --detailed-exitcode", async () => {
    const before = repo.registryFingerprint();
    const text = await repo.run(["gc"]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain("- model:churn-model:1");
    expect(text.stdout).toContain("- model:churn-model:2");
    expect(text.stdout).not.toContain("- model:churn-model:3");
    expect(text.stdout).toContain("Gc: 2 versions to delete, 1 kept, 2 objects to sweep");
    expect(text.stderr).toContain("assetctl gc --apply");
    expect((await repo.run(["gc", "--detailed-exitcode"])).code).toBe(2);

    const json = JSON.parse((await repo.run(["gc", "--json"])).stdout) as GcJson;
    expect(json.ref).toBe("main");
    expect(json.summary).toMatchObject({ versions_delete: 2, versions_keep: 1, objects_sweep: 2 });
    const kept = json.versions.find((v) => v.address === "model:churn-model:3");
    expect(kept?.reasons.map((r) => r.rule)).toEqual(["latest", "keep_last", "declared"]);

    const markdown = await repo.run(["gc", "--format", "markdown"]);
    expect(markdown.stdout).toContain("### assetctl gc (dry run)");
    expect(markdown.stdout).toContain("| `model:churn-model:1` |");
    expect(repo.registryFingerprint()).toBe(before);
  });

  it("keeps an older version the default branch declares, read from main while another branch is checked out", async () => {
    const pinned = (version: string) => `${MODEL.replace("churn-model", "pinned").replace("./model.pkl", "./old.pkl")}version: '${version}'\n`;
    repo.write({ "models/old.yml": pinned("7"), "models/old.pkl": "old" });
    repo.commit("a pinned model");
    expect((await repo.run(["apply", "--auto-approve"])).code).toBe(0);
    repo.git("checkout", "-q", "-b", "feature");
    repo.write({ "models/old.yml": pinned("8"), "models/old.pkl": "newer" });
    repo.commit("try version 8");
    expect((await repo.run(["apply", "--auto-approve"])).code).toBe(0);
    const json = JSON.parse((await repo.run(["gc", "--json"])).stdout) as GcJson;
    expect(json.ref).toBe("main");
    expect(json.versions.find((v) => v.address === "model:pinned:7")?.reasons.map((r) => r.rule)).toEqual(["declared"]);
    // Read from the feature branch instead, version 7 is no longer declared.
    const feature = JSON.parse((await repo.run(["gc", "--json", "--ref", "feature"])).stdout) as GcJson;
    expect(feature.versions.find((v) => v.address === "model:pinned:7")?.action).toBe("delete");
  });

  it("apply deletes and sweeps, verify stays clean, show names the journal entry, pull refuses; restore brings it all back", async () => {
    const applied = await repo.run(["gc", "--apply"]);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/deleted model:churn-model:1 \(journal #\d+\)/);
    expect(applied.stdout).toContain("Swept 2 object(s)");
    expect((await repo.run(["verify"])).code).toBe(0);

    const shown = await repo.run(["show", "model:churn-model:1"]);
    expect(shown.stdout).toMatch(/^model:churn-model:1 \(deleted by gc, journal #\d+\)/);
    const pulled = await repo.run(["pull", "model:churn-model:1", "out"]);
    expect(pulled.code).toBe(1);
    expect(pulled.stderr).toContain("was deleted by gc");
    // The latest is untouched and nothing is left to do.
    expect((await repo.run(["pull", "model:churn-model", "latest"])).code).toBe(0);
    expect((await repo.run(["plan"])).stdout).toContain("No changes.");
    expect((await repo.run(["gc", "--detailed-exitcode"])).code).toBe(0);

    const restored = await repo.run(["gc", "--restore"]);
    expect(restored.code).toBe(0);
    expect(restored.stdout).toContain("Brought back 2 object(s) from the trash and 2 version(s).");
    expect((await repo.run(["show", "model:churn-model:1"])).stdout).not.toContain("deleted by gc");
    expect((await repo.run(["pull", "model:churn-model:1", "again"])).code).toBe(0);
    expect(repo.read("again/model.pkl")).toBe("weights-1");
    expect((await repo.run(["verify"])).code).toBe(0);
  });

  it("never gives a deleted version's number again, and refuses a manifest that pins it", async () => {
    expect((await repo.run(["gc", "--apply"])).code).toBe(0);
    repo.write({ "models/model.yml": `${MODEL}version: '1'\n` });
    const plan = await repo.run(["plan"]);
    expect(plan.code).toBe(1);
    expect(plan.stdout).toContain("was deleted by gc; its number is never reused");
  });

  it("says what is wrong with a broken retention block, where it is", async () => {
    repo.write({ "assetctl.yaml": "retention:\n  grace: soon\n" });
    repo.commit("a typo");
    const result = await repo.run(["gc"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("assetctl.yaml:2:10");
  });
});
