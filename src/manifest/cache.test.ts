import { readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTemporary, temporaryDir, writeFiles } from "../source/repo.test-helper.js";
import { WorkTree } from "../source/tree.js";
import { cachedByStats, isJsonExact, ManifestCache } from "./cache.js";
import { loadConfig } from "./config.js";
import { loadManifests } from "./load.js";
import { validateRepository } from "./validate.js";
import { schemaLine } from "./memory-tree.test-helper.js";

afterAll(cleanupTemporary);

/** A clock a minute ahead: files written now look old enough to trust (utimes cannot age a ctime). */
const later = (): bigint => (BigInt(Date.now()) + 60_000n) * 1_000_000n;

const model = (name: string, extra = "") => `${schemaLine("model")}\nname: ${name}\npath: ./m.pkl\n${extra}`;

function cacheDir(root: string): string {
  return path.join(root, ".assetctl", "cache");
}

/** One run: load the cache, load the manifests through it, save it. */
async function run(root: string, now?: () => bigint) {
  const cache = await ManifestCache.load(root, cacheDir(root), now ? { now } : {});
  const result = await loadManifests(new WorkTree(root), { cache });
  await cache.save();
  return { ...result, cache };
}

/** Rewrites what the cache file says about one file, to prove a later run answers from it. */
type Entry = { check: { manifest: { spec: Record<string, unknown> } } };
function plant(root: string, file: string, edit: (entry: Entry) => void): void {
  const cacheFile = path.join(cacheDir(root), "manifests.json");
  const data = JSON.parse(readFileSync(cacheFile, "utf8")) as { files: Record<string, Entry> };
  edit(data.files[file] as Entry);
  writeFileSync(cacheFile, JSON.stringify(data));
}

function savedEntry(root: string, file: string): { key: string | null } | undefined {
  const data = JSON.parse(readFileSync(path.join(cacheDir(root), "manifests.json"), "utf8")) as { files: Record<string, { key: string | null }> };
  return data.files[file];
}

describe("ManifestCache", () => {
  it("hit: an unchanged file is neither read nor checked again, and its positions are kept", async () => {
    const root = temporaryDir();
    writeFiles(root, { "m/model.yml": model("m", "description: first\n"), "m/m.pkl": "w" });
    const first = await run(root, later);
    expect(first.cache.misses).toBe(1);
    expect(first.manifests[0]?.locate(["description"])).toEqual({ line: 4, column: 14 });
    await first.cache.save();

    plant(root, "m/model.yml", (entry) => {
      entry.check.manifest.spec["description"] = "planted";
    });
    const second = await run(root, later);
    expect(second.cache.hits).toBe(1);
    const manifest = second.manifests[0];
    expect(manifest?.spec["description"]).toBe("planted");
    expect(manifest?.locate(["description"])).toEqual({ line: 4, column: 14 });
  });

  it("miss: a changed file (size, mtime or ctime) is read and checked again", async () => {
    const root = temporaryDir();
    writeFiles(root, { "model.yml": model("m"), "m.pkl": "w" });
    await run(root, later);
    writeFileSync(path.join(root, "model.yml"), model("renamed"));
    const again = await run(root, later);
    expect(again.cache.misses).toBe(1);
    expect(again.manifests.map((m) => m.name)).toEqual(["renamed"]);
    // A broken edit is reported, not answered from the cache.
    writeFileSync(path.join(root, "model.yml"), `${schemaLine("model")}\nname: [\n`);
    expect((await run(root, later)).diagnostics.map((d) => d.code)).toEqual(["yaml-syntax"]);
  });

  it("same-timestamp race: a file written within the window is vouched for by its text, not its stats", async () => {
    const root = temporaryDir();
    writeFiles(root, { "model.yml": model("first"), "m.pkl": "w" });
    const file = path.join(root, "model.yml");
    await run(root); // real clock: just written, so its stats cannot vouch for it
    expect(savedEntry(root, "model.yml")?.key).toBeNull();

    // Same text: answered from the cache all the same, by its digest.
    plant(root, "model.yml", (entry) => {
      entry.check.manifest.spec["description"] = "planted";
    });
    const same = await run(root);
    expect(same.cache.hits).toBe(1);
    expect(same.manifests[0]?.spec["description"]).toBe("planted");

    // Same size, and the same mtime as before: only reading again can see the change.
    const { mtime } = statSync(file);
    writeFileSync(file, model("secnd"));
    utimesSync(file, mtime, mtime);
    const second = await run(root, later);
    expect(second.cache.misses).toBe(1);
    expect(second.manifests.map((m) => m.name)).toEqual(["secnd"]);
    // Read when old enough: from now on its stats vouch for it.
    expect(savedEntry(root, "model.yml")?.key).toMatch(/^\d+:\d+:\d+:\d+:\d+$/);
  });

  it("anonymity change: a component a pipeline starts (or stops) naming by path is checked again", async () => {
    const root = temporaryDir();
    const component = `${schemaLine("commandComponent")}\nname: Train-Model\nversion: 3\ncommand: python train.py\nenvironment: azureml:env:1\n`;
    writeFiles(root, { "c/train.yml": component });
    const alone = await run(root, later);
    expect(alone.diagnostics.map((d) => d.code)).toEqual(["name-invalid"]);

    const pipeline = `${schemaLine("pipelineJob")}\ntype: pipeline\njobs:\n  train:\n    component: ../c/train.yml\n`;
    writeFiles(root, { "p/job.yml": pipeline });
    const used = await run(root, later);
    expect(used.cache.hits).toBe(1); // the component's stats are unchanged: classified from the cache…
    expect(used.diagnostics).toEqual([]); // …but checked again, as Azure ML loads it: anonymously
    expect(used.manifests.map((m) => [m.file, m.anonymous, m.version])).toEqual([
      ["c/train.yml", true, undefined],
      ["p/job.yml", false, undefined],
    ]);

    writeFiles(root, { "p/job.yml": `${schemaLine("pipelineJob")}\ntype: pipeline\njobs: {}\n` });
    expect((await run(root, later)).diagnostics.map((d) => d.code)).toEqual(["name-invalid"]);
  });

  it("config change: results made under other exclude or kinds settings are dropped", async () => {
    const root = temporaryDir();
    writeFiles(root, { "a/model.yml": model("a"), "b/plain.yml": "name: b\npath: ./m.pkl\n", "a/m.pkl": "w", "b/m.pkl": "w" });
    expect((await run(root, later)).manifests.map((m) => m.file)).toEqual(["a/model.yml"]);
    writeFiles(root, { "assetctl.yaml": "kinds:\n  b/*.yml: model\nexclude: [a/]\n" });
    const mapped = await run(root, later);
    expect(mapped.cache.hits).toBe(0);
    expect(mapped.manifests.map((m) => m.file)).toEqual(["b/plain.yml"]);
  });

  it("lazy locate: a position never asked before is read from the file, unless it changed meanwhile", async () => {
    const root = temporaryDir();
    writeFiles(root, { "model.yml": model("m", "tags:\n  stage: dev\n"), "m.pkl": "w" });
    await run(root, later);
    const second = await run(root, later);
    const manifest = second.manifests[0];
    expect(second.cache.hits).toBe(1);
    expect(manifest?.locate(["tags", "stage"])).toEqual({ line: 5, column: 10 });
    await second.cache.save();
    const cached = JSON.parse(readFileSync(path.join(cacheDir(root), "manifests.json"), "utf8")) as { files: Record<string, { at: object }> };
    expect(cached.files["model.yml"]?.at).toHaveProperty(JSON.stringify(["tags", "stage"]));

    const third = await run(root, later);
    writeFileSync(path.join(root, "model.yml"), `\n\n${model("m", "tags:\n  stage: dev\n")}`);
    expect(third.manifests[0]?.locate(["name"])).toEqual({ line: 1, column: 1 }); // edited mid-run: not guessed
  });

  it("starts empty when the code that made it differs, or the file is corrupt", async () => {
    const root = temporaryDir();
    writeFiles(root, { "model.yml": model("m"), "m.pkl": "w" });
    await run(root, later);
    const cacheFile = path.join(cacheDir(root), "manifests.json");
    const data = JSON.parse(readFileSync(cacheFile, "utf8")) as { code: string };
    writeFileSync(cacheFile, JSON.stringify({ ...data, code: "another build" }));
    expect((await ManifestCache.load(root, cacheDir(root))).size).toBe(0);
    writeFileSync(cacheFile, "{ torn");
    expect((await ManifestCache.load(root, cacheDir(root))).size).toBe(0);
  });

  it("keeps only what JSON gives back exactly", () => {
    expect(isJsonExact({ a: [1, "x", true, null, { b: 2.5 }] })).toBe(true);
    expect(isJsonExact({ a: Number.POSITIVE_INFINITY })).toBe(false);
    expect(isJsonExact({ a: -0 })).toBe(false);
    expect(isJsonExact({ a: undefined })).toBe(false);
    expect(isJsonExact([1, , 3])).toBe(false); // eslint-disable-line no-sparse-arrays
    expect(isJsonExact({ a: new Date(0) })).toBe(false);
  });
});

describe("manifest rule findings", () => {
  /** One validate run through the cache. */
  async function validate(root: string) {
    const cache = await ManifestCache.load(root, cacheDir(root), { now: later });
    const result = await validateRepository(new WorkTree(root), { cache });
    await cache.save();
    return result;
  }
  const store = (name: string, key: string) =>
    `${schemaLine("azureBlob")}\nname: ${name}\ntype: azure_blob\naccount_name: acct\ncontainer_name: c\ncredentials:\n  account_key: ${key}\n`;

  it("are kept while the manifests are the same, and found again when one changes", async () => {
    const root = temporaryDir();
    writeFiles(root, { "a.yml": store("a", "${{env.A_KEY}}"), "b.yml": store("b", "Zm9vYmFyYmF6cXV4c2VjcmV0a2V5MTIzNDU2Nzg5MA==") });
    const first = await validate(root);
    const found = first.diagnostics.map((d) => d.message);
    expect(found).toHaveLength(1);

    const cacheFile = path.join(cacheDir(root), "manifests.json");
    const data = JSON.parse(readFileSync(cacheFile, "utf8")) as { rules: { diagnostics: { message: string }[] } };
    for (const d of data.rules.diagnostics) d.message = "planted";
    writeFileSync(cacheFile, JSON.stringify(data));
    expect((await validate(root)).diagnostics.map((d) => d.message)).toEqual(["planted"]);

    // Another manifest changes: every manifest rule looks again.
    writeFileSync(path.join(root, "a.yml"), store("a2", "${{env.A_KEY}}"));
    expect((await validate(root)).diagnostics.map((d) => d.message)).toEqual(found);
  });

  it("are not kept for a tree rule: a file a manifest names is looked at every time", async () => {
    const root = temporaryDir();
    writeFiles(root, { "model.yml": model("m"), "m.pkl": "w" });
    expect((await validate(root)).diagnostics).toEqual([]);
    rmSync(path.join(root, "m.pkl"));
    expect((await validate(root)).diagnostics.map((d) => d.code)).toEqual(["path-missing"]);
  });
});

describe("assetctl.yaml cache", () => {
  it("answers while the file is unchanged, and checks it again once it changes", async () => {
    const root = temporaryDir();
    writeFiles(root, { "assetctl.yaml": "exclude: [drafts/]\n" });
    const tree = new WorkTree(root);
    const dir = cacheDir(root);
    let computed = 0;
    const load = (now?: () => bigint) =>
      cachedByStats(
        path.join(root, "assetctl.yaml"),
        dir,
        async () => {
          computed++;
          return loadConfig(tree);
        },
        now,
      );
    expect((await load(later)).config.exclude).toEqual(["drafts/"]);
    expect((await load(later)).config.exclude).toEqual(["drafts/"]);
    expect(computed).toBe(1);
    writeFileSync(path.join(root, "assetctl.yaml"), "exclude: [drafts/, old/]\n");
    expect((await load()).config.exclude).toEqual(["drafts/", "old/"]);
    // Just written: not kept (the same-timestamp race), so checked again every time until it is older.
    expect((await load()).config.exclude).toEqual(["drafts/", "old/"]);
    expect(computed).toBe(3);
    expect((await loadConfig(tree, { cacheDir: dir })).config.exclude).toEqual(["drafts/", "old/"]);
  });
});
