import { chmodSync, mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTemporary, temporaryDir, writeFiles } from "./repo.test-helper.js";
import { TreeReadError, WorkTree } from "./tree.js";

afterAll(cleanupTemporary);

describe("WorkTree", () => {
  it("with shareStats, stats each path once for the run; otherwise afresh every time", async () => {
    const root = temporaryDir();
    writeFiles(root, { "m.bin": "one" });
    const run = new WorkTree(root, { shareStats: true });
    const fresh = new WorkTree(root);
    expect((await run.stat("m.bin"))?.size).toBe(3);
    expect((await fresh.stat("m.bin"))?.size).toBe(3);
    writeFileSync(path.join(root, "m.bin"), "longer");
    expect((await run.stat("m.bin"))?.size).toBe(3);
    expect(run.look("m.bin")?.stamp?.key).toMatch(/:3:\d+:\d+$/);
    expect((await fresh.stat("m.bin"))?.size).toBe(6);
    expect(await run.stat("missing")).toBeUndefined();
  });

  it("reads what is there now, checking the limit against the file as it is", async () => {
    const root = temporaryDir();
    writeFiles(root, { "m.yml": "a: 1\n" });
    const run = new WorkTree(root, { shareStats: true });
    await run.stat("m.yml");
    writeFileSync(path.join(root, "m.yml"), "a: 1\nb: 2\n");
    expect((await run.readFile("m.yml")).toString()).toBe("a: 1\nb: 2\n");
    await expect(run.readFile("m.yml", 5)).rejects.toBeInstanceOf(TreeReadError);
  });
});

describe("WorkTree.survey", () => {
  const survey = (root: string): string => new WorkTree(root).survey().digest;

  it("gives the same digest while nothing changes, and another after any change a run could read", async () => {
    const root = temporaryDir();
    writeFiles(root, { "models/a/model.yml": "name: a\n", "models/a/w.bin": "weights", "README.md": "hi\n" });
    const digests = [survey(root)];
    expect(survey(root)).toBe(digests[0]);
    const changes: (() => void)[] = [
      () => writeFileSync(path.join(root, "models/a/w.bin"), "weights, retrained"),
      () => writeFiles(root, { "models/b/model.yml": "name: b\n" }),
      () => renameSync(path.join(root, "models/b"), path.join(root, "models/c")),
      () => chmodSync(path.join(root, "models/a/w.bin"), 0o755),
      () => mkdirSync(path.join(root, "empty")),
      () => symlinkSync("models/a/w.bin", path.join(root, "link.bin")),
      () => rmSync(path.join(root, "README.md")),
    ];
    for (const change of changes) {
      change();
      digests.push(survey(root));
    }
    expect(new Set(digests).size).toBe(digests.length);
  });

  it("lists what listFiles lists, and shares its stats with the run", async () => {
    const root = temporaryDir();
    writeFiles(root, { "b.yml": "", "a/x.bin": "x", ".git/HEAD": "ref", "node_modules/p/index.js": "", ".assetctl/cache/c.json": "{}" });
    symlinkSync("a/x.bin", path.join(root, "l.bin"));
    const run = new WorkTree(root, { shareStats: true });
    const { newestNs } = run.survey();
    expect(newestNs).toBeGreaterThan(0n);
    expect(await run.listFiles()).toEqual(await new WorkTree(root).listFiles());
    writeFileSync(path.join(root, "a/x.bin"), "changed after the survey");
    expect((await run.stat("a/x.bin"))?.size).toBe(1);
  });

  it("notes a run that reads inside the folders no survey looks into", () => {
    const root = temporaryDir();
    writeFiles(root, { "a/x.bin": "x", "node_modules/p/w.bin": "w" });
    const run = new WorkTree(root, { shareStats: true });
    run.survey();
    run.look("a/x.bin");
    expect(run.readBeyondSurvey()).toBe(false);
    run.look("node_modules/p/w.bin");
    expect(run.readBeyondSurvey()).toBe(true);
  });
});
