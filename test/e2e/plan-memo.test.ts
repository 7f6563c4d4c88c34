// The kept plan (src/plan-memo.ts) end to end: apply keeps the plan of what it leaves, the next plan
// reuses it, and after any change to what a plan is made from — files, git, the registry — the plan
// printed is the one a run from scratch prints.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TempRepo } from "./harness.js";

const MODEL = `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json
name: churn-model
description: First model.
path: ./model.pkl
`;

const DATA = `$schema: https://azuremlschemas.azureedge.net/latest/data.schema.json
name: churn-data
type: uri_folder
path: ./files
`;

const KEPT = ".assetctl/cache/plan.json";
const KEPT_DESIRED = ".assetctl/cache/desired.json";


describe("the kept plan", () => {
  let repo: TempRepo;

  beforeEach(() => {
    repo = new TempRepo({
      "models/model.yml": MODEL,
      "models/model.pkl": "pickled-bytes-v1",
      "data/data.yml": DATA,
      "data/files/a.csv": "x,y\n1,2\n",
    });
    repo.commit("assets");
  });

  afterEach(() => repo.remove());

  /** The plan (its saved form, records included, and its text) with whatever kept plan is there, then from scratch. */
  async function planTwice(afterReused = (): void => {}): Promise<{ reused: string; scratch: string }> {
    const reused = await repo.run(["plan", "--out", "../reused.json"]);
    afterReused();
    rmSync(path.join(repo.root, KEPT), { force: true });
    rmSync(path.join(repo.root, KEPT_DESIRED), { force: true });
    const scratch = await repo.run(["plan", "--out", "../scratch.json"]);
    const saved = (name: string): string => readFileSync(path.join(repo.root, "..", name), "utf8");
    // The two runs save to different files, which the next-command hint names: compare all but that name.
    const named = (text: string, name: string): string => text.replaceAll(`../${name}.json`, "../PLAN.json");
    return {
      reused: named(`${reused.code}\n${reused.stdout}\n${reused.stderr}\n${saved("reused.json")}`, "reused"),
      scratch: named(`${scratch.code}\n${scratch.stdout}\n${scratch.stderr}\n${saved("scratch.json")}`, "scratch"),
    };
  }

  /** Runs a plan that keeps its result, and checks it did. */
  async function keepCurrentPlan(label = ""): Promise<void> {
    repo.waitForClockTick();
    await repo.run(["plan"]);
    expect(existsSync(path.join(repo.root, KEPT)), `a plan kept before ${label}`).toBe(true);
  }

  it("is kept by apply and reused by the next plan, which reads no manifest and hashes nothing", async () => {
    repo.waitForClockTick();
    expect((await repo.run(["apply", "--auto-approve"])).code).toBe(0);
    expect(existsSync(path.join(repo.root, KEPT))).toBe(true);
    // The caches a full plan reads and rewrites: gone, and not made again, so the plan was reused.
    rmSync(path.join(repo.root, ".assetctl/cache/manifests.json"), { force: true });
    rmSync(path.join(repo.root, ".assetctl/cache/digests.json"), { force: true });
    const plan = await repo.run(["plan", "--detailed-exitcode"]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("No changes.");
    expect(existsSync(path.join(repo.root, ".assetctl/cache/manifests.json"))).toBe(false);
    expect(existsSync(path.join(repo.root, ".assetctl/cache/digests.json"))).toBe(false);
  });

  it("keeps the desired state it was made from: the apply that follows a plan reads no manifest and hashes nothing", async () => {
    repo.waitForClockTick();
    expect((await repo.run(["plan"])).code).toBe(0);
    expect(existsSync(path.join(repo.root, KEPT_DESIRED))).toBe(true);
    rmSync(path.join(repo.root, ".assetctl/cache/manifests.json"), { force: true });
    rmSync(path.join(repo.root, ".assetctl/cache/digests.json"), { force: true });
    const apply = await repo.run(["apply", "--auto-approve"]);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain("Apply complete: 2 versions created");
    expect(existsSync(path.join(repo.root, ".assetctl/cache/manifests.json"))).toBe(false);
    expect(existsSync(path.join(repo.root, ".assetctl/cache/digests.json"))).toBe(false);
    const shown = JSON.parse((await repo.run(["show", "model:churn-model:1", "--json"])).stdout);
    expect(shown.provenance.commit).toBe(repo.git("rev-parse", "HEAD").trim());
    expect((await repo.run(["plan", "--detailed-exitcode"])).stdout).toContain("No changes.");
  });

  it("is planned again from the kept desired state when only the registry moved, as a plan from scratch", async () => {
    // No registry yet: the plan keeps no plan (there is no registry state to key it by), only its desired state.
    repo.waitForClockTick();
    await repo.run(["plan"]);
    expect(existsSync(path.join(repo.root, KEPT))).toBe(false);
    expect(existsSync(path.join(repo.root, KEPT_DESIRED))).toBe(true);
    const other = new TempRepo({ "models/model.yml": MODEL.replace("churn-model", "elsewhere-model"), "models/model.pkl": "e" });
    other.commit("other");
    expect((await other.run(["apply", "--auto-approve", "--registry", path.join(repo.root, ".assetctl/registry")])).code).toBe(0);
    other.remove();
    rmSync(path.join(repo.root, ".assetctl/cache/manifests.json"), { force: true });
    const { reused, scratch } = await planTwice(() => {
      // The first of the two was made from the kept desired state: the manifests were not read again.
      expect(existsSync(path.join(repo.root, ".assetctl/cache/manifests.json"))).toBe(false);
    });
    expect(reused).toBe(scratch);
    expect(reused).toContain("churn-model");
  });

  it("applies what the files say after a change since the plan that kept the desired state", async () => {
    const changes: [string, () => void, (shown: { mutable: { description?: string }; provenance: { commit: string } }) => void][] = [
      ["a description edited and committed", () => {
        repo.write({ "models/model.yml": MODEL.replace("First model.", "Second model.") });
        repo.commit("second");
      }, (shown) => expect(shown.mutable.description).toBe("Second model.")],
      ["an artifact rewritten with as many bytes and committed", () => {
        writeFileSync(path.join(repo.root, "models/model.pkl"), "pickled-bytes-v2");
        repo.commit("third");
      }, (shown) => expect(shown.provenance.commit).toBe(repo.git("rev-parse", "HEAD").trim())],
    ];
    expect((await repo.run(["apply", "--auto-approve"])).code).toBe(0);
    for (const [label, change, check] of changes) {
      await keepCurrentPlan(label);
      change();
      const apply = await repo.run(["apply", "--auto-approve"]);
      expect(apply.code, label).toBe(0);
      const shown = JSON.parse((await repo.run(["show", "model:churn-model", "--json"])).stdout);
      check(shown);
      expect((await repo.run(["plan", "--detailed-exitcode"])).code, label).toBe(0);
    }
  }, 60_000);

  it("is never reused after a change: each plan is the one made from scratch", async () => {
    repo.waitForClockTick();
    await repo.run(["apply", "--auto-approve"]);
    const changes: [string, () => void | Promise<void>][] = [
      ["an artifact rewritten with as many bytes", () => writeFileSync(path.join(repo.root, "models/model.pkl"), "pickled-bytes-v2")],
      ["a description edited", () => repo.write({ "models/model.yml": MODEL.replace("First model.", "Second model.") })],
      ["a file added to a folder artifact", () => repo.write({ "data/files/b.csv": "x,y\n3,4\n" })],
      ["a new manifest", () => repo.write({ "models/other.yml": MODEL.replace("churn-model", "other-model") })],
      ["an artifact made executable", () => chmodSync(path.join(repo.root, "data/files/a.csv"), 0o755)],
      ["an artifact replaced by a symlink", () => {
        unlinkSync(path.join(repo.root, "data/files/b.csv"));
        symlinkSync("a.csv", path.join(repo.root, "data/files/b.csv"));
      }],
      ["a commit", () => void repo.commit("more")],
      ["another branch", () => void repo.git("checkout", "-q", "-b", "feature")],
      ["an origin", () => void repo.git("remote", "add", "origin", "https://example.com/team/assets.git")],
      ["the origin moved", () => void repo.git("remote", "set-url", "origin", "https://example.com/team/moved.git")],
      ["a detached HEAD", () => void repo.git("checkout", "-q", "--detach")],
      ["the commit amended", () => void repo.git("commit", "-q", "--amend", "-m", "amended")],
      ["a new artifact, untracked", () => repo.write({ "models/new.yml": MODEL.replace("churn-model", "new-model").replace("model.pkl", "new.pkl"), "models/new.pkl": "new" })],
      ["that artifact ignored by git", () => repo.write({ ".gitignore": ".assetctl/\nmodels/new.pkl\n" })],
      ["another new artifact, untracked", () => {
        repo.write({ "models/third.yml": MODEL.replace("churn-model", "third-model").replace("model.pkl", "third.pkl"), "models/third.pkl": "3" });
      }],
      ["that artifact ignored by git's own exclude file", () => writeFileSync(path.join(repo.root, ".git/info/exclude"), "models/third.pkl\n")],
      ["that artifact staged", () => void repo.git("add", "-f", "models/third.pkl")],
      ["the registry written by this repository's apply", async () => void (await repo.run(["apply", "--auto-approve", "--allow-dirty"]))],
      ["the registry written from elsewhere", async () => {
        const other = new TempRepo({ "models/model.yml": MODEL.replace("churn-model", "elsewhere-model"), "models/model.pkl": "e" });
        other.commit("other");
        const registry = path.join(repo.root, ".assetctl/registry");
        expect((await other.run(["apply", "--auto-approve", "--registry", registry])).code).toBe(0);
        other.remove();
      }],
      // Last: a plan with errors is not kept, so no step can follow it.
      ["an artifact deleted", () => unlinkSync(path.join(repo.root, "models/model.pkl"))],
    ];
    for (const [label, change] of changes) {
      await keepCurrentPlan(label);
      await change();
      const { reused, scratch } = await planTwice();
      expect(reused, label).toBe(scratch);
    }
  }, 120_000);

  it("is reused without starting git while git's own files are unchanged, and asks git again when they change", async () => {
    // A git that logs each call before running the real one, first on the PATH.
    const bin = path.join(repo.root, "..", "logging-bin");
    const log = path.join(repo.root, "..", "git-calls.log");
    const real = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, "git"), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
    const env = { PATH: `${bin}${path.delimiter}${process.env["PATH"] ?? ""}` };
    const calls = (): string[] => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n").filter(Boolean) : []);
    repo.waitForClockTick();
    await repo.run(["apply", "--auto-approve"], { env });
    rmSync(log, { force: true });
    expect((await repo.run(["plan"], { env })).stdout).toContain("No changes.");
    expect(calls()).toEqual([]);
    // git's own state moves (a commit of nothing): git is asked, and the plan says the new commit.
    repo.git("commit", "-q", "--allow-empty", "-m", "empty");
    const next = repo.git("rev-parse", "HEAD").trim();
    const plan = await repo.run(["plan", "--json"], { env });
    expect(JSON.parse(plan.stdout).source.commit).toBe(next);
    expect(calls().length).toBeGreaterThan(0);
  });

  it("is not kept for a plan of another ref, and a plan of another ref does not reuse it", async () => {
    repo.waitForClockTick();
    await repo.run(["apply", "--auto-approve"]);
    const first = repo.commit("first");
    repo.write({ "models/model.pkl": "pickled-bytes-v2" });
    repo.commit("second");
    await keepCurrentPlan();
    const kept = readFileSync(path.join(repo.root, KEPT));
    const atRef = await repo.run(["plan", "--json", "--ref", first]);
    expect(JSON.parse(atRef.stdout).source.commit).toBe(first);
    expect(readFileSync(path.join(repo.root, KEPT))).toEqual(kept);
  });
});
