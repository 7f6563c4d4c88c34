// The replayed answer (src/cli/answer.ts) end to end, through the executable as installed: a plan of
// nothing changed prints what the CLI printed, exit code included, without loading the CLI; after any
// change to what it was made of — files, git, the registry, the invocation — what is printed is what a
// plan from scratch prints.
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { replayAnswer } from "../../src/cli/answer.js";
import { WorkTree } from "../../src/source/tree.js";
import { executablePath, TempRepo, type RunResult } from "./harness.js";

const MODEL = `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json
name: churn-model
description: First model.
path: ./model.pkl
`;

const ANSWER = ".assetctl/cache/answer.json";
const KEPT = ".assetctl/cache/plan.json";

describe("the replayed answer", () => {
  let repo: TempRepo;

  beforeEach(() => {
    repo = new TempRepo({ "models/model.yml": MODEL, "models/model.pkl": "pickled-bytes-v1", "data/files/a.csv": "x,y\n1,2\n" });
    repo.commit("assets");
  });

  afterEach(() => repo.remove());

  const shown = (result: RunResult): string => `${result.code}\n${result.stdout}\n--- stderr\n${result.stderr}`;

  /** A plan through the executable that keeps its answer, checked to have. */
  async function keepAnswer(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<RunResult> {
    repo.waitForClockTick();
    rmSync(path.join(repo.root, ANSWER), { force: true });
    const made = await repo.run(args, { ...options, executable: executablePath });
    expect(existsSync(path.join(repo.root, ANSWER)), `an answer kept for ${args.join(" ")}`).toBe(true);
    return made;
  }

  /** The plan printed from scratch: no kept plan, no kept answer. */
  async function fromScratch(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<string> {
    rmSync(path.join(repo.root, ANSWER), { force: true });
    rmSync(path.join(repo.root, KEPT), { force: true });
    return shown(await repo.run(args, options));
  }

  it("is replayed while nothing changes: the same output and exit code, and the CLI is not run", async () => {
    repo.waitForClockTick();
    await repo.run(["apply", "--auto-approve"]);
    // The environment is part of what vouches, git's variables part of its stamp, and both hold
    // credentials: only their digests are written.
    await keepAnswer(["plan"], { env: { GIT_ASSETCTL_TEST_CREDENTIAL: "credential-value-never-written" } });
    expect(readFileSync(path.join(repo.root, ANSWER), "utf8")).not.toContain("credential-value-never-written");
    for (const args of [["plan"], ["plan", "--detailed-exitcode", "--json"], ["-q", "plan"]]) {
      const made = await keepAnswer(args);
      // The CLI rewrites the kept plan on every full run: gone and not made again, the answer was replayed.
      rmSync(path.join(repo.root, KEPT));
      const replayed = await repo.run(args, { executable: executablePath });
      expect(existsSync(path.join(repo.root, KEPT)), args.join(" ")).toBe(false);
      expect(shown(replayed)).toBe(shown(made));
    }
    // A plan with changes too, with its exit code.
    repo.write({ "models/model.yml": MODEL.replace("First model.", "Second model.") });
    const made = await keepAnswer(["plan", "--detailed-exitcode"]);
    expect(made.code).toBe(2);
    rmSync(path.join(repo.root, KEPT));
    const replayed = await repo.run(["plan", "--detailed-exitcode"], { executable: executablePath });
    expect(existsSync(path.join(repo.root, KEPT))).toBe(false);
    expect(shown(replayed)).toBe(shown(made));
  });

  it("is never replayed after a change: each answer is the one made from scratch", async () => {
    repo.waitForClockTick();
    await repo.run(["apply", "--auto-approve"]);
    const changes: [string, () => void | Promise<void>, { args?: string[]; env?: NodeJS.ProcessEnv; cwd?: string }?][] = [
      ["an artifact rewritten with as many bytes", () => writeFileSync(path.join(repo.root, "models/model.pkl"), "pickled-bytes-v2")],
      ["a description edited", () => repo.write({ "models/model.yml": MODEL.replace("First model.", "Other model.") })],
      ["a new manifest", () => repo.write({ "models/other.yml": MODEL.replace("churn-model", "other-model") })],
      ["a file made executable", () => chmodSync(path.join(repo.root, "data/files/a.csv"), 0o755)],
      ["an empty folder", () => mkdirSync(path.join(repo.root, "data/empty"))],
      ["a commit", () => void repo.commit("more")],
      ["another branch", () => void repo.git("checkout", "-q", "-b", "feature")],
      ["an origin", () => void repo.git("remote", "add", "origin", "https://example.com/team/assets.git")],
      ["the registry written by this repository's apply", async () => void (await repo.run(["apply", "--auto-approve", "--allow-dirty"]))],
      ["the registry written from elsewhere", async () => {
        const other = new TempRepo({ "models/model.yml": MODEL.replace("churn-model", "elsewhere-model"), "models/model.pkl": "e" });
        other.commit("other");
        expect((await other.run(["apply", "--auto-approve", "--registry", path.join(repo.root, ".assetctl/registry")])).code).toBe(0);
        other.remove();
      }],
      ["other arguments", () => undefined, { args: ["plan", "--json"] }],
      ["another environment", () => undefined, { env: { FORCE_COLOR: "1" } }],
      ["another registry named by the environment", () => undefined, { env: { ASSETCTL_REGISTRY: "other-registry" } }],
      ["another working folder", () => undefined, { cwd: "models" }],
    ];
    for (const [label, change, next = {}] of changes) {
      await keepAnswer(["plan"]);
      await change();
      const args = next.args ?? ["plan"];
      const options = { ...(next.env ? { env: next.env } : {}), ...(next.cwd ? { cwd: path.join(repo.root, next.cwd) } : {}) };
      const replayed = shown(await repo.run(args, { ...options, executable: executablePath }));
      expect(replayed, label).toBe(await fromScratch(args, options));
    }
  }, 120_000);

  it("is replayed with the tree surveyed in JavaScript where the survey in C is not built", async () => {
    repo.waitForClockTick();
    await repo.run(["apply", "--auto-approve"]);
    const made = await keepAnswer(["plan", "--json"]);
    const printed: string[] = [];
    const context = {
      cwd: repo.root,
      // As the harness runs the CLI: this process's environment, without colour.
      env: { ...process.env, NO_COLOR: "1" },
      terminals: { stdout: { isTTY: false }, stderr: { isTTY: false } },
      survey: (root: string) => new WorkTree(root).survey().digest,
      sha256: (text: string) => createHash("sha256").update(text).digest("hex"),
    };
    const code = await replayAnswer(["plan", "--json"], context, (_fd, text) => void printed.push(text));
    expect(code).toBe(made.code);
    expect(printed.join("")).toBe(made.stdout);
    // A file changed: nothing printed, the CLI must answer.
    writeFileSync(path.join(repo.root, "models/model.pkl"), "pickled-bytes-v2");
    printed.length = 0;
    expect(await replayAnswer(["plan", "--json"], context, (_fd, text) => void printed.push(text))).toBeUndefined();
    expect(printed).toEqual([]);
  });

  it("is not replayed when torn or malformed: the CLI answers, and keeps a good one", async () => {
    repo.waitForClockTick();
    await repo.run(["apply", "--auto-approve"]);
    const made = await keepAnswer(["plan"]);
    const good = JSON.parse(readFileSync(path.join(repo.root, ANSWER), "utf8")) as Record<string, unknown>;
    for (const [label, text] of [
      ["torn", JSON.stringify(good).slice(0, 200)],
      ["output malformed", JSON.stringify({ ...good, output: [[1, "half"], [3, 5]] })],
      ["exit code malformed", JSON.stringify({ ...good, exitCode: "0" })],
      ["witness missing", JSON.stringify({ ...good, witness: undefined })],
    ] as const) {
      writeFileSync(path.join(repo.root, ANSWER), text);
      const result = await repo.run(["plan"], { executable: executablePath });
      expect(shown(result), label).toBe(shown(made));
      expect(JSON.parse(readFileSync(path.join(repo.root, ANSWER), "utf8")), label).toEqual(good);
    }
  });

  it("is not kept for a plan that writes a file, which each run writes again", async () => {
    repo.waitForClockTick();
    await repo.run(["apply", "--auto-approve"]);
    repo.waitForClockTick();
    await repo.run(["plan", "--out", "../plan.json"], { executable: executablePath });
    expect(existsSync(path.join(repo.root, ANSWER))).toBe(false);
    rmSync(path.join(repo.root, "..", "plan.json"));
    await repo.run(["plan", "--out", "../plan.json"], { executable: executablePath });
    expect(JSON.parse(readFileSync(path.join(repo.root, "..", "plan.json"), "utf8")).summary).toBeDefined();
  });
});
