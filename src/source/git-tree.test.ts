import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { UserError } from "../diagnostics.js";
import { GitTree } from "./git-tree.js";
import { cleanupTemporary, commitAll, git, makeRepo, temporaryDir, writeFiles } from "./repo.test-helper.js";
import { TreeReadError, WorkTree } from "./tree.js";

afterAll(cleanupTemporary);

describe("GitTree", () => {
  it("lists and reads exactly what the commit holds, not the dirty working tree", async () => {
    const root = makeRepo({
      "models/model.yml": "name: m\n",
      "models/weights.bin": Buffer.from([0, 1, 2, 255]),
      "run.sh": { content: "#!/bin/sh\n", mode: 0o755 },
      "link-to-weights": { link: "models/weights.bin" },
      "node_modules/x/index.js": "skipped\n",
    });
    const first = commitAll(root);
    // Dirty the working tree every way: edit, delete, add.
    writeFiles(root, { "models/model.yml": "name: changed\n", "new.yml": "new\n" });
    git(root, "rm", "-q", "--cached", "run.sh");

    const tree = await GitTree.open(root, "HEAD");
    try {
      expect(tree.commit).toBe(first);
      expect(tree.label).toBe("HEAD");
      expect(await tree.listFiles()).toEqual(["link-to-weights", "models/model.yml", "models/weights.bin", "run.sh"]);
      expect((await tree.readFile("models/model.yml")).toString()).toBe("name: m\n");
      expect([...(await tree.readFile("models/weights.bin"))]).toEqual([0, 1, 2, 255]);
      expect(await tree.stat("run.sh")).toEqual({ path: "run.sh", type: "file", size: 10, mode: 0o755 });
      expect(await tree.stat("models/model.yml")).toMatchObject({ type: "file", mode: 0o644, size: 8 });
      expect(await tree.stat("link-to-weights")).toMatchObject({ type: "symlink" });
      expect(await tree.readLink("link-to-weights")).toBe("models/weights.bin");
      expect(await tree.stat("models")).toEqual({ path: "models", type: "dir", size: 0, mode: 0o755 });
      expect(await tree.stat("new.yml")).toBeUndefined();
      expect((await tree.readDir("")).map((e) => `${e.type}:${e.path}`)).toEqual([
        "symlink:link-to-weights",
        "dir:models",
        "dir:node_modules",
        "file:run.sh",
      ]);
      expect((await tree.readDir("models")).map((e) => e.path)).toEqual(["models/model.yml", "models/weights.bin"]);
    } finally {
      await tree.close();
    }
  });

  it("answers many pipelined reads in request order, and large blobs intact", async () => {
    const big = Buffer.alloc(3 * 1024 * 1024 + 17, 0);
    for (let i = 0; i < big.length; i += 4093) big[i] = i % 251;
    const files: Record<string, string | Buffer> = { "big.bin": big };
    for (let i = 0; i < 200; i++) files[`f/${String(i).padStart(3, "0")}.txt`] = `file ${i}\n`.repeat(i % 7);
    const root = makeRepo(files);
    commitAll(root);
    const tree = await GitTree.open(root, "main");
    try {
      const reads = await Promise.all(Object.keys(files).map((f) => tree.readFile(f)));
      Object.values(files).forEach((content, i) => expect(Buffer.compare(reads[i] as Buffer, Buffer.from(content))).toBe(0));
    } finally {
      await tree.close();
    }
  });

  it("reads an older commit and a tag", async () => {
    const root = makeRepo({ "a.txt": "one\n" });
    const first = commitAll(root);
    git(root, "tag", "v1");
    writeFiles(root, { "a.txt": "two\n" });
    commitAll(root);
    for (const ref of ["v1", first, "HEAD~1"]) {
      const tree = await GitTree.open(root, ref);
      expect((await tree.readFile("a.txt")).toString()).toBe("one\n");
      await tree.close();
    }
  });

  it("reports submodules as 'other' and never lists them as files", async () => {
    const sub = makeRepo({ "inner.txt": "x\n" });
    commitAll(sub);
    const root = makeRepo({ "top.txt": "t\n" });
    git(root, "-c", "protocol.file.allow=always", "submodule", "add", "-q", sub, "vendor/sub");
    commitAll(root);
    const tree = await GitTree.open(root, "HEAD");
    expect(await tree.stat("vendor/sub")).toMatchObject({ type: "other" });
    expect(await tree.listFiles()).toEqual([".gitmodules", "top.txt"]);
    await expect(tree.readFile("vendor/sub")).rejects.toBeInstanceOf(TreeReadError);
  });

  it("reads a sub-folder of the repository as the root", async () => {
    const root = makeRepo({ "project/assets/m.yml": "m\n", "other/x.txt": "x\n" });
    commitAll(root);
    const tree = await GitTree.open(path.join(root, "project"), "HEAD");
    expect(await tree.listFiles()).toEqual(["assets/m.yml"]);
    expect((await tree.readFile("assets/m.yml")).toString()).toBe("m\n");
    await tree.close();
  });

  it("refuses files over the limit and paths that are not files", async () => {
    const root = makeRepo({ "a.txt": "0123456789", "d/b.txt": "b" });
    commitAll(root);
    const tree = await GitTree.open(root, "HEAD");
    await expect(tree.readFile("a.txt", 5)).rejects.toMatchObject({ reason: "too-large" });
    await expect(tree.readFile("d")).rejects.toMatchObject({ reason: "not-a-file" });
    await expect(tree.readFile("nope")).rejects.toMatchObject({ reason: "missing" });
    await tree.close();
  });

  it("an unknown ref is a user error with code ref-unknown", async () => {
    const root = makeRepo({ "a.txt": "a" });
    commitAll(root);
    const error = await GitTree.open(root, "no-such-branch").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: "ref-unknown" });
    await expect(GitTree.open(root, "--output=/tmp/x")).rejects.toMatchObject({ code: "ref-unknown" });
  });

  it("outside a git repository --ref is a user error", async () => {
    const plain = temporaryDir();
    await expect(GitTree.open(plain, "HEAD")).rejects.toMatchObject({ code: "not-a-git-repository" });
  });

  it("sees the same modes and types as the working tree", async () => {
    const root = makeRepo({
      "x/run.sh": { content: "#!/bin/sh\n", mode: 0o755 },
      "x/group-exec.txt": { content: "g\n", mode: 0o654 },
      "x/data.txt": "d\n",
      "x/link": { link: "data.txt" },
    });
    commitAll(root);
    const tree = await GitTree.open(root, "HEAD");
    const work = new WorkTree(root);
    expect(await tree.readDir("x")).toEqual(await work.readDir("x"));
    await tree.close();
  });
});
