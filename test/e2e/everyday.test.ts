// What a person meets in everyday use, end to end on the built CLI: archived versions brought back by
// their manifest or by hand, the lock's holder and ID, and what each command says.
import { spawn } from "node:child_process";
import { readdirSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cliPath, TempRepo } from "./harness.js";

const MODEL = `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json
name: churn-model
description: First model.
path: ./model.pkl
`;

describe("archived versions are reversible", () => {
  let repo: TempRepo;
  beforeEach(() => {
    repo = new TempRepo({ "models/model.yml": MODEL, "models/model.pkl": "pickled-bytes-v1" });
    repo.commit("a model");
  });
  afterEach(() => repo.remove());

  it("restoring a pruned manifest plans an unarchive of its own, and apply brings the version back", async () => {
    expect((await repo.run(["apply", "--auto-approve"])).code).toBe(0);
    repo.git("rm", "-q", "models/model.yml");
    repo.commit("retire the model");
    expect((await repo.run(["apply", "--auto-approve", "--prune"])).code).toBe(0);
    expect((await repo.run(["list", "--all"])).stdout).toContain("churn-model (archived)");

    repo.write({ "models/model.yml": MODEL });
    repo.commit("bring the model back");
    const plan = await repo.run(["plan", "--detailed-exitcode"]);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain("^  model:churn-model:1");
    expect(plan.stdout).toContain("~ /archived: true → false");
    expect(plan.stdout).toContain("1 to unarchive");
    const json = JSON.parse((await repo.run(["plan", "--json"])).stdout) as { changes: { address: string; action: string }[]; summary: { unarchive: number } };
    expect(json.changes).toContainEqual(expect.objectContaining({ address: "model:churn-model:1", action: "unarchive" }));
    expect(json.summary.unarchive).toBe(1);

    const apply = await repo.run(["apply", "--auto-approve"]);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain("1 restored");
    const list = await repo.run(["list"]);
    expect(list.stdout).toContain("churn-model");
    expect(list.stdout).not.toContain("(archived)");
    expect((await repo.run(["plan"])).stdout).toContain("No changes.");
  });

  it("archive ADDR and unarchive ADDR change the version out of band, journaled, and say when nothing changed", async () => {
    expect((await repo.run(["apply", "--auto-approve"])).code).toBe(0);
    const archived = await repo.run(["archive", "model:churn-model:1"]);
    expect(archived.stdout).toBe("model:churn-model:1 archived.\n");
    expect((await repo.run(["archive", "model:churn-model:1"])).stdout).toContain("was already archived; nothing written");
    expect((await repo.run(["show", "model:churn-model:1"])).stdout).toContain("(archived)");
    // The manifest still declares it: the plan offers to restore it.
    expect((await repo.run(["plan"])).stdout).toContain("^  model:churn-model:1");

    const restored = await repo.run(["unarchive", "model:churn-model:1"]);
    expect(restored.stdout).toBe("model:churn-model:1 restored.\n");
    expect((await repo.run(["plan"])).stdout).toContain("No changes.");
    const history = await repo.run(["history", "model:churn-model"]);
    expect(history.stdout).toContain("archived");
    expect(history.stdout).toContain("restored");

    const missing = await repo.run(["archive", "model:churn-model:9"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("[version-not-found]");
  });
});

describe("an interrupted apply", () => {
  let repo: TempRepo;
  afterEach(() => repo.remove());

  it("on SIGINT while storing says what was written, leaves no temp file or lock, never says complete, and exits 130", { timeout: 120_000 }, async () => {
    repo = new TempRepo({ "models/model.yml": MODEL.replace("model.pkl", "big.bin") });
    // Sparse: costs no disk to make, and seconds to copy into the registry.
    writeFileSync(path.join(repo.root, "models/big.bin"), "");
    truncateSync(path.join(repo.root, "models/big.bin"), 300 * 1024 * 1024);
    repo.commit("a large model");

    const child = spawn(process.execPath, [cliPath, "apply", "--auto-approve"], { cwd: repo.root, env: { ...process.env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let sent = false;
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      // The plan is shown before the lock is taken and the bytes are stored: interrupt just after.
      if (!sent && stdout.includes("Plan:")) {
        sent = true;
        setTimeout(() => child.kill("SIGINT"), 300);
      }
    });
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));

    expect(sent).toBe(true);
    expect(code).toBe(130);
    expect(stderr).toContain("Interrupt received.");
    expect(stderr).toContain("Apply interrupted");
    expect(stderr).toContain("Run `assetctl apply` again to finish");
    expect(stdout).not.toContain("Apply complete");
    expect(readdirSync(path.join(repo.root, ".assetctl/registry/tmp"))).toEqual([]);
    expect((await repo.run(["lock", "status"])).stdout).toContain("is not locked");
    // Nothing half-done: the next apply finishes the job.
    const again = await repo.run(["apply", "--auto-approve"]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Apply complete");
  });
});

describe("what apply and plan --out say", () => {
  let repo: TempRepo;
  afterEach(() => repo.remove());

  it("apply names each version it writes with its size in units; plan --out prints the command that applies it", async () => {
    repo = new TempRepo({ "models/model.yml": MODEL, "models/model.pkl": Buffer.alloc(3 * 1024 * 1024 + 512 * 1024, 1) });
    repo.commit("a model");
    const plan = await repo.run(["plan", "--out", "plan.json"]);
    expect(plan.code).toBe(0);
    expect(plan.stderr).toContain("Saved the plan to plan.json. To apply exactly this plan, run:\n  assetctl apply plan.json");
    const apply = await repo.run(["apply", "plan.json"]);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain("  created model:churn-model:1 (3.5 MiB)\n");
    expect(apply.stdout).toContain("1 object stored (3.5 MiB).");

    repo.write({ "models/model.yml": MODEL.replace("First model.", "Better model.") });
    repo.commit("describe it better");
    const update = await repo.run(["apply", "--auto-approve"]);
    expect(update.stdout).toContain("  updated model:churn-model:1\n");
    expect(update.stdout).toContain("0 objects stored (0 B).");
  });
});

describe("a --target that matches nothing", () => {
  let repo: TempRepo;
  afterEach(() => repo.remove());

  it("warns, naming the address, instead of a silent empty plan", async () => {
    repo = new TempRepo({ "models/model.yml": MODEL, "models/model.pkl": "weights" });
    repo.commit("a model");
    const typo = await repo.run(["plan", "--target", "model:churn-modle"]);
    expect(typo.code).toBe(0);
    expect(typo.stderr).toContain("warning --target model:churn-modle matches no asset of the manifests or the registry; it selected nothing [target-unmatched]");
    const right = await repo.run(["plan", "--target", "model:churn-model"]);
    expect(right.stdout).toContain("+  model:churn-model:1");
    expect(right.stderr).not.toContain("target-unmatched");
  });
});
