import { writeFileSync } from "node:fs";
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
