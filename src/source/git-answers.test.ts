import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GitAnswers } from "./git-answers.js";
import { cleanupTemporary, commitAll, git, makeRepo } from "./repo.test-helper.js";

afterAll(cleanupTemporary);

describe("GitAnswers", () => {
  it("keeps what only git's files change, forgets statuses when an ignore file changes, and asks again when git's files change", async () => {
    const root = makeRepo({ "m.yml": "name: m\n" });
    commitAll(root);
    git(root, "remote", "add", "origin", "https://git.example.com/team/a.git");
    writeFileSync(path.join(root, "new.txt"), "untracked\n");
    // Answers are kept only once git's files are older than the filesystem's timestamps can tell apart.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const answers = new GitAnswers(root, {});

    expect((await answers.source()).remote).toBe("https://git.example.com/team/a.git");
    expect(await answers.pathStatus(["new.txt", "m.yml"])).toEqual(new Map([["new.txt", "untracked"], ["m.yml", "tracked"]]));

    // An ignore file is part of the tree, not of git's files: the watcher says it changed.
    writeFileSync(path.join(root, ".gitignore"), "new.txt\n");
    expect((await answers.pathStatus(["new.txt"])).get("new.txt")).toBe("untracked"); // kept: nobody said
    answers.fileChanged(path.join(root, ".gitignore"));
    expect((await answers.pathStatus(["new.txt"])).get("new.txt")).toBe("ignored");

    // git's own files move: asked again.
    git(root, "remote", "set-url", "origin", "https://git.example.com/team/b.git");
    expect((await answers.source()).remote).toBe("https://git.example.com/team/b.git");
    const info = await answers.source();
    expect(info.dirty).toBe(false);
    writeFileSync(path.join(root, "m.yml"), "name: changed\n");
    expect((await answers.source()).dirty).toBe(true); // dirtiness is asked every time
  });
});
