import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KeptListing } from "./kept-listing.js";
import { cleanupTemporary, temporaryDir, writeFiles } from "./repo.test-helper.js";
import { WorkTree } from "./tree.js";

afterAll(cleanupTemporary);

describe("KeptListing", () => {
  it("serves the last walk while only listed files change, and walks again after anything else", async () => {
    const root = temporaryDir();
    writeFiles(root, { "models/a/model.yml": "name: a\n", "models/a/w.bin": "1" });
    const listing = new KeptListing(root);
    const read = (): Promise<string[]> => new WorkTree(root, { shareStats: true, listing }).listFiles();
    expect(await read()).toEqual(["models/a/model.yml", "models/a/w.bin"]);

    // A file the watcher has not told of yet is not listed: the kept listing answers.
    writeFiles(root, { "models/b/model.yml": "name: b\n" });
    listing.fileEvent("change", path.join(root, "models/a/w.bin"));
    expect(await read()).toEqual(["models/a/model.yml", "models/a/w.bin"]);
    const tree = new WorkTree(root, { shareStats: true, listing });
    await tree.listFiles();
    expect(tree.isListedDir("models/a")).toBe(true);

    // Told of it, the next read walks again.
    listing.fileEvent("addDir", path.join(root, "models/b"));
    expect(await read()).toEqual(["models/a/model.yml", "models/a/w.bin", "models/b/model.yml"]);

    // A change to a path the listing lacks (a file seen through a symlinked folder, say) walks again too,
    // as do unlink, add and unlinkDir.
    mkdirSync(path.join(root, "data"));
    writeFileSync(path.join(root, "data/x.csv"), "x");
    listing.fileEvent("change", path.join(root, "data/x.csv"));
    expect(await read()).toContain("data/x.csv");
    for (const event of ["add", "unlink", "unlinkDir"]) {
      writeFileSync(path.join(root, `${event}.txt`), event);
      listing.fileEvent(event, path.join(root, "models/a/w.bin"));
      expect(await read()).toContain(`${event}.txt`);
    }
  });

  it("a tree without one walks every time", async () => {
    const root = temporaryDir();
    writeFiles(root, { "a.yml": "x" });
    expect(await new WorkTree(root, { shareStats: true }).listFiles()).toEqual(["a.yml"]);
    writeFiles(root, { "b.yml": "x" });
    expect(await new WorkTree(root, { shareStats: true }).listFiles()).toEqual(["a.yml", "b.yml"]);
  });
});
