// The survey in C gives the digest WorkTree.survey gives, whatever the tree holds: the replayed answer
// (cli/answer.ts) compares one with the other. The addon is the built one (dist/native), loaded through
// the built module, as the executable loads it.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WorkTree } from "./tree.js";

const built = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/source/native-survey.js");
const { nativeSha256, nativeSurvey, nativeSurveyWithNewest } = (await import(pathToFileURL(built).href)) as typeof import("./native-survey.js");

describe("the survey in C", () => {
  let root: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), "assetctl-native-"));
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const write = (files: Record<string, string>): void => {
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      writeFileSync(path.join(root, rel), text);
    }
  };

  it("is built on this platform (a C compiler is part of the build here)", () => {
    if (process.platform !== "linux" && process.platform !== "darwin") return;
    expect(nativeSurvey(root)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("gives WorkTree's digest for every kind of entry, and a new one after any change", () => {
    write({
      "assetctl.yaml": "registry: .assetctl/registry\n",
      "models/a/model.yml": "name: a\n",
      "models/a/weights.bin": "0123456789",
      "models/b/model.yml": "name: b\n",
      "data/ünïcödé name.csv": "x\n",
      "data/Z-upper.csv": "z\n",
      "node_modules/pkg/index.js": "skipped",
      ".assetctl/cache/plan.json": "skipped",
      "nested/.git/HEAD": "skipped",
      "nested/node_modules": "a file of that name is no folder: surveyed",
    });
    mkdirSync(path.join(root, "empty"));
    symlinkSync("models", path.join(root, "link-to-folder"));
    symlinkSync("missing", path.join(root, "dangling"));
    chmodSync(path.join(root, "models/a/weights.bin"), 0o755);
    execFileSync("mkfifo", [path.join(root, "fifo")]);
    const digests = new Set<string>();
    const check = (label: string): void => {
      const native = nativeSurvey(root);
      const js = new WorkTree(root).survey();
      expect(native, label).toBe(js.digest);
      // What a run that keeps its result asks: the same digest, and the same newest timestamp.
      expect(nativeSurveyWithNewest(root), label).toEqual(js);
      expect(digests.has(native ?? ""), `${label}: a new digest`).toBe(false);
      digests.add(native ?? "");
    };
    check("as made");
    writeFileSync(path.join(root, "models/a/weights.bin"), "9876543210");
    check("a file rewritten with as many bytes");
    mkdirSync(path.join(root, "empty/inner"));
    check("a folder in an empty folder");
    chmodSync(path.join(root, "data/Z-upper.csv"), 0o700);
    check("a mode changed");
    rmSync(path.join(root, "dangling"));
    check("a link removed");
  });

  it("digests a text as node:crypto does", () => {
    if (process.platform !== "linux" && process.platform !== "darwin") return;
    for (const text of ["", "plan", "ünïcödé \u0000 nul", "𝔘 astral", "x".repeat(100_000)]) {
      expect(nativeSha256(text), JSON.stringify(text.slice(0, 20))).toBe(createHash("sha256").update(text).digest("hex"));
    }
  });

  it("gives no digest for a tree deeper than any of assets, which the caller surveys in JavaScript", () => {
    mkdirSync(path.join(root, ...Array.from({ length: 300 }, () => "d")), { recursive: true });
    expect(nativeSurvey(root)).toBeUndefined();
    mkdirSync(path.join(root, "shallow", ...Array.from({ length: 200 }, () => "d")), { recursive: true });
    rmSync(path.join(root, "d"), { recursive: true });
    expect(nativeSurvey(root)).toBe(new WorkTree(root).survey().digest);
  });

  it("gives WorkTree's digest for a root that is not there: a folder that cannot be listed is a line of its own", () => {
    expect(nativeSurvey(path.join(root, "missing"))).toBe(new WorkTree(path.join(root, "missing")).survey().digest);
  });
});
