import { createHash, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sha256 } from "../digest.js";
import type { ProgressUpdate } from "../progress.js";
import { GitTree } from "./git-tree.js";
import { ArtifactError, ArtifactHasher, compareUtf8, folderDigest, type HashedArtifact } from "./hash.js";
import { resolveReal } from "./symlinks.js";
import { cleanupTemporary, commitAll, makeRepo, temporaryDir, writeFiles, type FileSpec } from "./repo.test-helper.js";
import { StatCache } from "./stat-cache.js";
import { WorkTree } from "./tree.js";

afterAll(cleanupTemporary);

async function hashIn(root: string, rel: string, ignoreFiles = false): Promise<HashedArtifact> {
  const hasher = new ArtifactHasher(new WorkTree(root));
  try {
    return await hasher.hash(rel, { ignoreFiles });
  } finally {
    await hasher.close();
  }
}

function listing(a: HashedArtifact): string[] {
  return a.files.map((f) => `${f.path} ${f.mode.toString(8)} ${f.size}`);
}

describe("file digests", () => {
  it("are the SHA-256 of the bytes, equal for equal content wherever it sits", async () => {
    const root = temporaryDir();
    writeFiles(root, { "a/model.pkl": "weights", "b/other-name.pkl": "weights", "empty.bin": "" });
    const a = await hashIn(root, "a/model.pkl");
    const b = await hashIn(root, "b/other-name.pkl");
    expect(a.digest).toBe(sha256("weights"));
    expect(b.digest).toBe(a.digest);
    expect(a).toMatchObject({ type: "file", size: 7, files: [{ path: "model.pkl", size: 7, mode: 0o644 }] });
    const empty = await hashIn(root, "empty.bin");
    expect(empty.digest).toBe(sha256(""));
    expect(empty.size).toBe(0);
  });

  it("a 50 MB file (worker thread, many buffer refills) hashes equal to crypto.createHash", async () => {
    const root = temporaryDir();
    const data = Buffer.alloc(50 * 1024 * 1024 + 123);
    randomBytes(1 << 20).copy(data, 7 << 20);
    for (let i = 0; i < data.length; i += 65_537) data[i] = i & 0xff;
    writeFileSync(path.join(root, "big.bin"), data);
    const hashed = await hashIn(root, "big.bin");
    expect(hashed.digest).toBe(`sha256:${createHash("sha256").update(data).digest("hex")}`);
    expect(hashed.size).toBe(data.length);
  });

  it("hashes many files of mixed sizes in parallel, each correctly", async () => {
    const root = temporaryDir();
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 40; i++) files[`d/f${i}`] = randomBytes(i % 4 === 0 ? (1 << 20) + i * 1000 : i * 97);
    writeFiles(root, files);
    const hashed = await hashIn(root, "d");
    for (const f of hashed.files) expect(f.digest).toBe(sha256(files[`d/${f.path}`] as Buffer));
    expect(hashed.files).toHaveLength(40);
  });
});

describe("a file that changes while it is hashed", () => {
  it("is refused as artifact-changed when truncated mid-read, not given the digest of the bytes read so far", async () => {
    const root = temporaryDir();
    writeFiles(root, { "model.pkl": randomBytes(16 << 20) });
    let truncated = false;
    const hasher = new ArtifactHasher(new WorkTree(root), {
      onProgress: (u) => {
        if (truncated || u.done === 0) return;
        truncated = true;
        truncateSync(path.join(root, "model.pkl"), 5000);
      },
    });
    const outcome = await hasher.hash("model.pkl").then(
      (hashed) => hashed,
      (error: unknown) => error,
    );
    await hasher.close();
    expect(truncated).toBe(true);
    expect(outcome).toBeInstanceOf(ArtifactError);
    expect((outcome as ArtifactError).code).toBe("artifact-changed");
  });
});

describe("folder digests", () => {
  const content: Record<string, FileSpec> = {
    "MLmodel": "flavors: {}\n",
    "model.pkl": "weights",
    "sub/conda.yaml": "name: env\n",
    "sub/deeper/readme.md": "# r\n",
  };

  it("depend on names, content and modes only: not creation order, times, or empty folders", async () => {
    const root = temporaryDir();
    const forward = Object.entries(content);
    writeFiles(root, Object.fromEntries(forward.map(([k, v]) => [`one/${k}`, v])));
    writeFiles(root, Object.fromEntries([...forward].reverse().map(([k, v]) => [`two/${k}`, v])));
    mkdirSync(path.join(root, "two/empty/nested"), { recursive: true });
    const one = await hashIn(root, "one");
    const two = await hashIn(root, "two");
    expect(two.digest).toBe(one.digest);
    expect(listing(one)).toEqual(["MLmodel 644 12", "model.pkl 644 7", "sub/conda.yaml 644 10", "sub/deeper/readme.md 644 4"]);
    expect(one).toMatchObject({ type: "folder", size: 33 });
    expect(one.digest).toBe(folderDigest(one.files));
  });

  it("sort paths by byte order and use the documented listing format", async () => {
    const root = temporaryDir();
    writeFiles(root, { "f/b": "2", "f/B": "1", "f/a-b": "3", "f/a/b": "4", "f/é": "5" });
    const hashed = await hashIn(root, "f");
    expect(hashed.files.map((f) => f.path)).toEqual(["B", "a-b", "a/b", "b", "é"]);
    const text = hashed.files.map((f) => `${f.path}\u0000644\u0000${f.digest}\n`).join("");
    expect(hashed.digest).toBe(sha256(text));
  });

  it("change when a file's executable bit changes, or a file is renamed inside", async () => {
    const root = temporaryDir();
    writeFiles(root, { "f/run.sh": "echo\n", "f/x": "x" });
    const before = await hashIn(root, "f");
    chmodSync(path.join(root, "f/run.sh"), 0o755);
    const after = await hashIn(root, "f");
    expect(after.digest).not.toBe(before.digest);
    expect(after.files[0]).toMatchObject({ path: "run.sh", mode: 0o755 });
    writeFiles(root, { "g/run2.sh": { content: "echo\n", mode: 0o755 }, "g/x": "x" });
    expect((await hashIn(root, "g")).digest).not.toBe(after.digest);
  });

  it("honour .amlignore over .gitignore, at any depth, with negation, for code only", async () => {
    const root = temporaryDir();
    writeFiles(root, {
      "code/.amlignore": "*.log\nouts/\n!keep.log\n",
      "code/.gitignore": "train.py\n", // shadowed by .amlignore in the same folder
      "code/train.py": "print()\n",
      "code/debug.log": "x",
      "code/keep.log": "k",
      "code/outs/model.bin": "big",
      "code/lib/.gitignore": "*.tmp\n/local-only.py\n",
      "code/lib/util.py": "u",
      "code/lib/cache.tmp": "t",
      "code/lib/local-only.py": "l",
      "code/lib/deep/local-only.py": "kept: anchored pattern",
      "code/lib/deep/trace.log": "ignored by the parent's rule",
    });
    const code = await hashIn(root, "code", true);
    expect(code.files.map((f) => f.path)).toEqual([
      ".amlignore",
      ".gitignore",
      "keep.log",
      "lib/.gitignore",
      "lib/deep/local-only.py",
      "lib/util.py",
      "train.py",
    ]);
    const everything = await hashIn(root, "code", false);
    expect(everything.files).toHaveLength(12);
    expect(everything.digest).not.toBe(code.digest);
  });

  it("follow symlinks that stay in the repository, as if the files were there", async () => {
    const root = temporaryDir();
    writeFiles(root, {
      "shared/util.py": "u",
      "shared/more/x.py": "x",
      "plain/code/main.py": "m",
      "plain/code/util.py": "u",
      "plain/code/lib/util.py": "u",
      "plain/code/lib/more/x.py": "x",
      "linked/code/main.py": "m",
      "linked/code/util.py": { link: "../../shared/util.py" },
      "linked/code/lib": { link: "../../shared" },
      "linked/via-parent": { link: "code" },
    });
    const plain = await hashIn(root, "plain/code");
    const linked = await hashIn(root, "linked/code");
    expect(listing(linked)).toEqual(listing(plain));
    expect(linked.digest).toBe(plain.digest);
    expect((await hashIn(root, "linked/via-parent")).digest).toBe(plain.digest);
    expect((await hashIn(root, "linked/via-parent/util.py")).digest).toBe(sha256("u"));
  });

  it("refuse symlink loops and links out of the repository", async () => {
    const root = temporaryDir();
    writeFiles(root, {
      "loop/a.txt": "a",
      "loop/self": { link: "." },
      "up/a.txt": "a",
      "up/sub/back": { link: "../.." },
      "chain/x": { link: "y" },
      "chain/y": { link: "x" },
      "out/escape": { link: "../../../etc" },
    });
    await expect(hashIn(root, "loop")).rejects.toMatchObject({ code: "artifact-symlink-loop" });
    await expect(hashIn(root, "up")).rejects.toMatchObject({ code: "artifact-symlink-loop" });
    await expect(hashIn(root, "chain/x")).rejects.toMatchObject({ code: "artifact-symlink-loop" });
    await expect(hashIn(root, "out")).rejects.toMatchObject({ code: "artifact-escapes-repo" });
    await expect(hashIn(root, "missing")).rejects.toMatchObject({ code: "artifact-missing" });
  });
});

describe("hashing a git ref", () => {
  it("gives the digests of the working tree for the same committed content", async () => {
    const files: Record<string, FileSpec> = {
      "code/.amlignore": "*.log\n",
      "code/train.py": "print()\n",
      "code/run.sh": { content: "#!/bin/sh\n", mode: 0o755 },
      "code/x.log": "ignored",
      "code/lib": { link: "../shared" },
      "shared/util.py": "u",
      "models/m.pkl": randomBytes(3 << 20),
      "models/empty": "",
    };
    const root = makeRepo(files);
    commitAll(root);
    writeFiles(root, { "code/train.py": "changed after commit\n" });

    const gitTree = await GitTree.open(root, "HEAD");
    const fromGit = new ArtifactHasher(gitTree);
    const fromDisk = new ArtifactHasher(new WorkTree(root));
    try {
      for (const [rel, ignoreFiles] of [["models", false], ["models/m.pkl", false], ["shared", false]] as const) {
        expect((await fromGit.hash(rel, { ignoreFiles })).digest).toBe((await fromDisk.hash(rel, { ignoreFiles })).digest);
      }
      const code = await fromGit.hash("code", { ignoreFiles: true });
      expect(listing(code)).toEqual([".amlignore 644 6", "lib/util.py 644 1", "run.sh 755 10", "train.py 644 8"]);
      // The working tree has an edit: different digest, and the ref is unaffected.
      expect((await fromDisk.hash("code", { ignoreFiles: true })).digest).not.toBe(code.digest);
    } finally {
      await fromGit.close();
      await fromDisk.close();
      await gitTree.close();
    }
  });
});

describe("compareUtf8", () => {
  it("sorts like the UTF-8 bytes, surrogate pairs included", () => {
    const names = ["b", "B", "a-b", "a/b", "a", "é", "\u{E000}", "\u{FFFD}", "😀", "\u{10000}", "ab", ""];
    const expected = [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...names].sort(compareUtf8)).toEqual(expected);
    expect([...names].reverse().sort(compareUtf8)).toEqual(expected);
  });
});

describe("resolveReal", () => {
  it("finds a file reached through symlinked folders in a git ref, where only links are listed", async () => {
    const root = makeRepo({
      "shared/lib/util.py": "u",
      "code/lib": { link: "../shared/lib" },
      "code/alias.py": { link: "lib/util.py" },
    });
    commitAll(root);
    const tree = await GitTree.open(root, "HEAD");
    try {
      expect(await tree.stat("code/lib/util.py")).toBeUndefined();
      expect((await resolveReal(tree, "code/lib/util.py")).path).toBe("shared/lib/util.py");
      expect((await resolveReal(tree, "code/alias.py")).path).toBe("shared/lib/util.py");
      await expect(resolveReal(tree, "code/lib/nope.py")).rejects.toMatchObject({ code: "artifact-missing" });
    } finally {
      await tree.close();
    }
  });
});

describe("hashing progress", () => {
  it("counts the bytes of the files it reads, totals them as it finds them, and ends when closed", async () => {
    const root = temporaryDir();
    writeFiles(root, { "m/big.bin": randomBytes((3 << 20) + 5), "m/small.txt": "abc", "m/sub/more.bin": randomBytes(70_000) });
    const updates: ProgressUpdate[] = [];
    const hasher = new ArtifactHasher(new WorkTree(root), { workers: 1, onProgress: (u) => updates.push(u) });
    const folder = await hasher.hash("m");
    await hasher.close();
    const last = updates.at(-1);
    expect(last).toEqual({ phase: "hashing", done: folder.size, total: folder.size, ended: true });
    expect(updates.filter((u) => u.ended)).toHaveLength(1);
    for (const u of updates) expect(u.done).toBeLessThanOrEqual(u.total ?? 0);
    // The large file is told of chunk by chunk, not only once it is done.
    expect(updates.filter((u) => u.done > 0 && u.done < (3 << 20)).length).toBeGreaterThan(0);
  });

  it("files the digest cache knows are not hashing: a warm run tells nothing", async () => {
    const root = temporaryDir();
    writeFiles(root, { "model.bin": randomBytes(100_000) });
    const cache = new StatCache(undefined, { now: () => (BigInt(Date.now()) + 60_000n) * 1_000_000n });
    const cold = new ArtifactHasher(new WorkTree(root), { cache });
    await cold.hash("model.bin");
    await cold.close();
    const updates: ProgressUpdate[] = [];
    const warm = new ArtifactHasher(new WorkTree(root), { cache, onProgress: (u) => updates.push(u) });
    await warm.hash("model.bin");
    await warm.close();
    expect(updates).toEqual([]);
  });

  it("counts blobs read from a git ref too", async () => {
    const root = makeRepo({ "model.bin": randomBytes(200_000) });
    commitAll(root);
    const updates: ProgressUpdate[] = [];
    const tree = await GitTree.open(root, "HEAD");
    const hasher = new ArtifactHasher(tree, { onProgress: (u) => updates.push(u) });
    try {
      await hasher.hash("model.bin");
    } finally {
      await hasher.close();
      await tree.close();
    }
    expect(updates.at(-1)).toEqual({ phase: "hashing", done: 200_000, total: 200_000, ended: true });
  });
});
