// The kept validation (src/validate-memo.ts) end to end: validating unchanged files again reuses the last
// result, and after any change to the files or to what is asked, validate prints what a run from scratch
// prints.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TempRepo } from "./harness.js";

const MODEL = `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json
name: churn-model
path: ./model.pkl
`;

const KEPT = ".assetctl/cache/validate.json";


describe("the kept validation", () => {
  let repo: TempRepo;

  beforeEach(() => {
    repo = new TempRepo({ "models/model.yml": MODEL, "models/model.pkl": "bytes", "models/other.yml": MODEL.replace("churn-model", "other-model") });
    repo.commit("assets");
  });

  afterEach(() => repo.remove());

  /** validate's exit code and output, first with whatever result is kept, then from scratch. */
  async function validateTwice(args: string[] = []): Promise<{ reused: string; scratch: string }> {
    const reused = await repo.run(["validate", ...args]);
    rmSync(path.join(repo.root, ".assetctl", "cache"), { recursive: true, force: true });
    const scratch = await repo.run(["validate", ...args]);
    return { reused: `${reused.code}\n${reused.stdout}\n${reused.stderr}`, scratch: `${scratch.code}\n${scratch.stdout}\n${scratch.stderr}` };
  }

  /** Replaces `from` by `to` in the kept result: output that shows `to` came from the kept result. */
  function markKept(from: string, to: string): void {
    const file = path.join(repo.root, KEPT);
    const text = readFileSync(file, "utf8");
    expect(text).toContain(from);
    writeFileSync(file, text.replaceAll(from, to));
  }

  it("is reused when nothing changed, and not kept or reused once a file changes", async () => {
    repo.write({ "models/model.yml": MODEL.replace("path: ./model.pkl", "path: ./missing.pkl") });
    repo.waitForClockTick();
    const first = await repo.run(["validate", "--json"]);
    expect(first.code).toBe(1);
    expect(existsSync(path.join(repo.root, KEPT))).toBe(true);
    markKept("missing.pkl", "MARKED.pkl");
    const again = await repo.run(["validate"]);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain("MARKED.pkl"); // the kept result, not a fresh one

    repo.write({ "models/model.yml": MODEL }); // fixed: same folder, new content
    const fixed = await validateTwice();
    expect(fixed.reused).toBe(fixed.scratch);
    expect(fixed.reused).toMatch(/^0\n2 manifests valid\./);
  });

  it("answers for the files asked for, not for the last question", async () => {
    repo.write({ "models/other.yml": MODEL.replace("churn-model", "other-model").replace("./model.pkl", "./gone.pkl") });
    repo.waitForClockTick();
    expect((await repo.run(["validate", "models/model.yml"])).code).toBe(0);
    const all = await validateTwice();
    expect(all.reused).toBe(all.scratch);
    expect(all.reused).toMatch(/^1\n/);
    repo.waitForClockTick();
    expect((await repo.run(["validate"])).code).toBe(1);
    const one = await validateTwice(["models/model.yml"]);
    expect(one.reused).toBe(one.scratch);
    expect(one.reused).toMatch(/^0\n1 manifest valid\./);
  });

  it("notices a file added or removed, even one no manifest names yet", async () => {
    repo.waitForClockTick();
    expect((await repo.run(["validate"])).code).toBe(0);
    repo.write({ "data/data.yml": "$schema: https://azuremlschemas.azureedge.net/latest/data.schema.json\nname: d\ntype: uri_file\npath: ./x.csv\n" });
    const added = await validateTwice();
    expect(added.reused).toBe(added.scratch);
    expect(added.reused).toContain("x.csv");
    repo.waitForClockTick();
    await repo.run(["validate"]);
    rmSync(path.join(repo.root, "data"), { recursive: true });
    const removed = await validateTwice();
    expect(removed.reused).toBe(removed.scratch);
    expect(removed.reused).toMatch(/^0\n2 manifests valid\./);
  });
});
