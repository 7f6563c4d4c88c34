import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commitAuthor, explainIgnoredMissing, ignoreRules, readPathStatus, readSourceInfo, stripCredentials, uncommittedFiles } from "./provenance.js";
import { cleanupTemporary, commitAll, git, makeRepo, temporaryDir, writeFiles } from "./repo.test-helper.js";

afterAll(cleanupTemporary);

describe("stripCredentials", () => {
  it.each([
    ["https://user:ghp_secret123@github.com/org/repo.git", "https://github.com/org/repo.git"],
    ["https://ghp_tokenonly@github.com/org/repo.git", "https://github.com/org/repo.git"],
    ["http://u:p@example.com:8080/r", "http://example.com:8080/r"],
    ["ssh://git:hunter2@host.example/org/repo.git", "ssh://git@host.example/org/repo.git"],
    ["ssh://git@host.example/org/repo.git", "ssh://git@host.example/org/repo.git"],
    ["git@github.com:org/repo.git", "git@github.com:org/repo.git"],
    ["/srv/git/repo.git", "/srv/git/repo.git"],
    ["https://github.com/org/repo.git", "https://github.com/org/repo.git"],
  ])("%s → %s", (input, expected) => {
    expect(stripCredentials(input)).toBe(expected);
  });
});

describe("readSourceInfo", () => {
  it("reports commit, branch, a clean tree and origin without its token", async () => {
    const root = makeRepo({ "m.yml": "name: m\n", ".gitignore": "out/\n" });
    const sha = commitAll(root);
    git(root, "checkout", "-q", "-b", "feature/x");
    git(root, "remote", "add", "origin", "https://alice:s3cr3t-token@git.example.com/team/ml.git");
    writeFiles(root, { "out/model.bin": "ignored\n", "scratch.txt": "untracked, not a manifest\n" });

    const info = await readSourceInfo(root, undefined, { manifestFiles: ["m.yml"] });
    expect(info).toEqual({
      commit: sha,
      dirty: false,
      ref: null,
      branch: "feature/x",
      remote: "https://git.example.com/team/ml.git",
    });
    expect(JSON.stringify(info)).not.toContain("s3cr3t");
  });

  it("is dirty with a tracked change, staged or not", async () => {
    const root = makeRepo({ "m.yml": "name: m\n" });
    commitAll(root);
    writeFiles(root, { "m.yml": "name: changed\n" });
    expect((await readSourceInfo(root)).dirty).toBe(true);
    git(root, "add", "m.yml");
    expect((await readSourceInfo(root)).dirty).toBe(true);
  });

  it("is dirty when a manifest is untracked or ignored, not for other untracked files", async () => {
    const root = makeRepo({ "m.yml": "name: m\n", ".gitignore": "secret.yml\n" });
    commitAll(root);
    writeFiles(root, { "new.yml": "name: n\n", "secret.yml": "name: s\n", "notes.txt": "x" });
    expect((await readSourceInfo(root, undefined, { manifestFiles: ["m.yml"] })).dirty).toBe(false);
    expect((await readSourceInfo(root, undefined, { manifestFiles: ["m.yml", "new.yml"] })).dirty).toBe(true);
    expect((await readSourceInfo(root, undefined, { manifestFiles: ["m.yml", "secret.yml"] })).dirty).toBe(true);
  });

  it("reads a ref: its commit, never dirty, its branch when it is one", async () => {
    const root = makeRepo({ "m.yml": "one\n" });
    const first = commitAll(root);
    writeFiles(root, { "m.yml": "two\n" });
    commitAll(root);
    writeFiles(root, { "m.yml": "dirty\n" });
    git(root, "branch", "release", first);
    expect(await readSourceInfo(root, "release")).toMatchObject({ commit: first, dirty: false, ref: "release", branch: "release" });
    expect(await readSourceInfo(root, "HEAD~1")).toMatchObject({ commit: first, branch: null, ref: "HEAD~1" });
    await expect(readSourceInfo(root, "nope")).rejects.toMatchObject({ code: "ref-unknown" });
  });

  it("has no commit before the first one, and none outside git", async () => {
    const root = makeRepo({ "m.yml": "m\n" });
    expect(await readSourceInfo(root)).toMatchObject({ commit: null, branch: "main", remote: null });
    const plain = temporaryDir();
    expect(await readSourceInfo(plain)).toEqual({ commit: null, dirty: false, ref: null, branch: null, remote: null });
  });

  it("detached HEAD has no branch", async () => {
    const root = makeRepo({ "a": "a" });
    const sha = commitAll(root);
    git(root, "checkout", "-q", sha);
    expect(await readSourceInfo(root)).toMatchObject({ commit: sha, branch: null });
  });
});

describe("readPathStatus", () => {
  it("tells tracked, untracked and ignored apart, with ignored parents and odd names", async () => {
    const root = makeRepo({ ".gitignore": "*.bin\nbuild/\n", "src/a.py": "a", "weird [x]*.txt": "w" });
    commitAll(root);
    writeFiles(root, {
      "src/new.py": "n",
      "models/m.bin": "ignored by pattern",
      "build/deep/x.txt": "ignored by folder",
      "data/ok.csv": "untracked",
    });
    const status = await readPathStatus(root, [
      "src/a.py",
      "weird [x]*.txt",
      "src/new.py",
      "models/m.bin",
      "build/deep/x.txt",
      "data/ok.csv",
    ]);
    expect(Object.fromEntries(status)).toEqual({
      "src/a.py": "tracked",
      "weird [x]*.txt": "tracked",
      "src/new.py": "untracked",
      "models/m.bin": "ignored",
      "build/deep/x.txt": "ignored",
      "data/ok.csv": "untracked",
    });
  });

  it("works for thousands of paths in a few calls, relative to a sub-folder root", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) files[`sub/d${i % 10}/f${i}.txt`] = String(i);
    const root = makeRepo({ ...files, "sub/.gitignore": "d9/\n" });
    git(root, "add", "sub/d0");
    const status = await readPathStatus(path.join(root, "sub"), Object.keys(files).map((f) => f.slice("sub/".length)));
    const counts = { tracked: 0, untracked: 0, ignored: 0, unknown: 0 };
    for (const s of status.values()) counts[s]++;
    expect(counts).toEqual({ tracked: 300, untracked: 2400, ignored: 300, unknown: 0 });
  });

  it("is unknown outside git", async () => {
    const plain = temporaryDir();
    writeFiles(plain, { "a.txt": "a" });
    expect(Object.fromEntries(await readPathStatus(plain, ["a.txt"]))).toEqual({ "a.txt": "unknown" });
  });
});

describe("uncommittedFiles and commitAuthor", () => {
  it("lists what differs from the commit below the root, relative to it, and the manifests git does not track", async () => {
    const top = makeRepo({ "ml/m.yml": "name: m\n", "ml/w.bin": "v1", "ml/gone.txt": "x", "other/x.txt": "elsewhere\n" });
    const sha = commitAll(top);
    const root = path.join(top, "ml");
    writeFiles(root, { "w.bin": "v2", "new.yml": "name: n\n", "scratch.txt": "untracked, not a manifest\n" });
    writeFiles(top, { "other/x.txt": "changed outside the root\n" });
    git(top, "rm", "-q", "ml/gone.txt");
    const files = await uncommittedFiles(root, sha, ["m.yml", "new.yml"]);
    expect(files).toEqual([
      { path: "gone.txt", change: "deleted", manifest: false },
      { path: "w.bin", change: "modified", manifest: false },
      { path: "new.yml", change: "untracked", manifest: true },
    ]);
    expect(await commitAuthor(top, sha)).toBe("Test <test@example.com>");
    expect(await commitAuthor(top, null)).toBeNull();
  });
});

describe("ignoreRules and explainIgnoredMissing", () => {
  it("names the rule that ignores each path, not a path a !rule takes back, and nothing outside git", async () => {
    const root = makeRepo({ ".gitignore": "*.pkl\n!keep.pkl\n", "ml/.gitignore": "out/\n", "a.pkl": "x", "keep.pkl": "y", "ml/out/w.bin": "z", "b.txt": "t" });
    const rules = await ignoreRules(root, ["a.pkl", "keep.pkl", "ml/out/w.bin", "b.txt"]);
    expect(Object.fromEntries(rules)).toEqual({ "a.pkl": ".gitignore:1: *.pkl", "ml/out/w.bin": "ml/.gitignore:1: out/" });
    expect(await ignoreRules(temporaryDir(), ["a.pkl"])).toEqual(new Map());
  });

  it("explains a file missing from a commit by the rule that ignores it, when the working tree has it", async () => {
    const root = makeRepo({ ".gitignore": "*.pkl\n", "m/model.pkl": "w" });
    const missing = (file: string) => ({ code: "path-missing", severity: "error" as const, message: `path: ${file} does not exist`, file: "m/model.yml", line: 3, column: 7, hint: "Did you mean ./model.yml?" });
    const [explained, typo] = await explainIgnoredMissing(root, [missing("m/model.pkl"), missing("m/modle.pkl")]);
    expect(explained?.hint).toContain("m/model.pkl is in the working tree but ignored by git (.gitignore:1: *.pkl)");
    expect(typo?.hint).toBe("Did you mean ./model.yml?");
  });
});
