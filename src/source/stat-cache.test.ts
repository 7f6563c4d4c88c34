import { readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { sha256 } from "../digest.js";
import { ArtifactHasher } from "./hash.js";
import { cleanupTemporary, temporaryDir, writeFiles } from "./repo.test-helper.js";
import { filesystemClock, isRacy, RACY_WINDOW_NS, StatCache, statKey } from "./stat-cache.js";
import { WorkTree } from "./tree.js";

afterAll(cleanupTemporary);

async function digestOf(root: string, rel: string, cache: StatCache): Promise<string> {
  const hasher = new ArtifactHasher(new WorkTree(root), { cache });
  try {
    return (await hasher.hash(rel)).digest;
  } finally {
    await hasher.close();
  }
}

/** A clock a minute ahead: files written now look old enough to trust (utimes cannot age a ctime). */
const later = (): bigint => (BigInt(Date.now()) + 60_000n) * 1_000_000n;

describe("StatCache", () => {
  it("a file unchanged since it was hashed is not read again", async () => {
    const root = temporaryDir();
    writeFiles(root, { "m.bin": "weights" });
    const file = path.join(root, "m.bin");
    const cache = new StatCache(undefined, { now: later });
    expect(await digestOf(root, "m.bin", cache)).toBe(sha256("weights"));
    expect(cache.size).toBe(1);

    // Prove the second run answers from the cache: plant a different digest under the same stat key.
    const planted = sha256("planted");
    const st = statSync(file, { bigint: true });
    cache.set(st, planted, st.mtimeNs + 10n * RACY_WINDOW_NS);
    const hits = cache.hits;
    expect(await digestOf(root, "m.bin", cache)).toBe(planted);
    expect(cache.hits).toBe(hits + 1);
  });

  it("a content change (new size, mtime or ctime) misses", async () => {
    const root = temporaryDir();
    writeFiles(root, { "m.bin": "one" });
    const file = path.join(root, "m.bin");
    const cache = new StatCache(undefined, { now: later });
    await digestOf(root, "m.bin", cache);
    expect(cache.size).toBe(1);
    writeFileSync(file, "two");
    expect(await digestOf(root, "m.bin", cache)).toBe(sha256("two"));
  });

  it("same-timestamp race: a file hashed within the window of its mtime is hashed again next time", async () => {
    const root = temporaryDir();
    writeFiles(root, { "m.bin": "first" });
    const file = path.join(root, "m.bin");
    const cache = new StatCache(undefined);
    expect(await digestOf(root, "m.bin", cache)).toBe(sha256("first"));
    expect(cache.size).toBe(0); // just written: not trusted

    // Same size, and the same mtime as before: only re-hashing can see the change.
    const { mtime } = statSync(file);
    writeFileSync(file, "secnd");
    utimesSync(file, mtime, mtime);
    const misses = cache.misses;
    expect(await digestOf(root, "m.bin", cache)).toBe(sha256("secnd"));
    expect(cache.misses).toBe(misses + 1);
  });

  it("answers a plain file at once from the cache; anything that needs waiting is left to hash()", async () => {
    const root = temporaryDir();
    writeFiles(root, { "m.bin": "weights", "folder/a.bin": "a", "link.bin": { link: "m.bin" }, "new.bin": "new" });
    const st = statSync(path.join(root, "m.bin"), { bigint: true });
    const planted = sha256("planted");
    const cache = new StatCache(undefined, { now: later });
    cache.set(st, planted, st.mtimeNs + 10n * RACY_WINDOW_NS);
    const hasher = new ArtifactHasher(new WorkTree(root, { shareStats: true }), { cache });
    try {
      const atOnce = hasher.hashAtOnce("m.bin");
      expect(atOnce).toMatchObject({ type: "file", digest: planted, files: [{ path: "m.bin", digest: planted }], realPaths: ["m.bin"] });
      expect(await hasher.hash("m.bin")).toBe(atOnce);
      expect(hasher.hashAtOnce("folder")).toBeUndefined();
      expect(hasher.hashAtOnce("link.bin")).toBeUndefined();
      expect(hasher.hashAtOnce("new.bin")).toBeUndefined(); // not cached: it must be read
      expect((await hasher.hash("new.bin")).digest).toBe(sha256("new"));
    } finally {
      await hasher.close();
    }
  });

  it("isRacy compares the newer of mtime and ctime with the hashing time", () => {
    const st = statSync(temporaryDir(), { bigint: true });
    const newest = st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs;
    expect(isRacy(st, newest)).toBe(true);
    expect(isRacy(st, newest + RACY_WINDOW_NS - 1n)).toBe(true);
    expect(isRacy(st, newest + RACY_WINDOW_NS)).toBe(false);
    expect(statKey(st)).toBe(`${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`);
  });

  it("with the filesystem's clock, keeps exactly the files older than it", async () => {
    const root = temporaryDir();
    writeFiles(root, { "old.bin": "old" });
    const old = statSync(path.join(root, "old.bin"), { bigint: true });
    const clockNs = filesystemClock(path.join(root, ".assetctl", "cache"), root);
    // The clock is the filesystem's: never behind a file written before it was read.
    expect(clockNs >= old.mtimeNs).toBe(true);
    const cache = new StatCache(undefined, { clockNs });
    cache.set({ key: "older", newestNs: clockNs - 1n }, sha256("older"));
    cache.set({ key: "same tick", newestNs: clockNs }, sha256("same tick"));
    cache.set({ key: "newer", newestNs: clockNs + 1n }, sha256("newer"));
    expect(cache.get({ key: "older", newestNs: clockNs - 1n })).toBe(sha256("older"));
    expect(cache.get({ key: "same tick", newestNs: clockNs })).toBeUndefined();
    expect(cache.get({ key: "newer", newestNs: clockNs + 1n })).toBeUndefined();
    // Not the wall clock's 2 s: a file a millisecond older than the clock is trusted at once.
    cache.set({ key: "just before", newestNs: clockNs - 1_000_000n }, sha256("just before"));
    expect(cache.size).toBe(2);
  });

  it("reads the wall clock less 2 s where the cache folder cannot be written", () => {
    const root = temporaryDir();
    writeFiles(root, { "a-file": "not a folder" });
    const before = BigInt(Date.now()) * 1_000_000n - RACY_WINDOW_NS;
    const clockNs = filesystemClock(path.join(root, "a-file", "cache"), root);
    expect(clockNs >= before && clockNs <= BigInt(Date.now()) * 1_000_000n - RACY_WINDOW_NS).toBe(true);
  });

  it("persists as JSON, writes only when it gained entries, survives a corrupt file", async () => {
    const root = temporaryDir();
    const dir = path.join(root, ".assetctl", "cache");
    writeFiles(root, { "a.bin": "a", "b.bin": "b" });
    const cache = await StatCache.load(dir, { now: later });
    expect(cache.size).toBe(0);
    await digestOf(root, "a.bin", cache);
    await digestOf(root, "b.bin", cache);
    cache.setBlob("0123abcd", sha256("blob"));
    await cache.save();
    const file = path.join(dir, "digests.json");
    const saved = readFileSync(file, "utf8");
    expect(JSON.parse(saved)).toMatchObject({ format: 1 });

    const again = await StatCache.load(dir);
    expect(again.size).toBe(3);
    expect(again.getBlob("0123abcd")).toBe(sha256("blob"));
    const hits = again.hits;
    expect(await digestOf(root, "a.bin", again)).toBe(sha256("a"));
    expect(again.hits).toBe(hits + 1);
    writeFileSync(file, "stale marker");
    await again.save(); // nothing new: not rewritten
    expect(readFileSync(file, "utf8")).toBe("stale marker");

    const fromCorrupt = await StatCache.load(dir);
    expect(fromCorrupt.size).toBe(0);

    // Unwritable (here: the cache folder is a file): the run goes on, the next one hashes again.
    writeFiles(root, { "blocked/.assetctl": "not a folder" });
    const blocked = await StatCache.load(path.join(root, "blocked", ".assetctl", "cache"), { now: later });
    await digestOf(root, "b.bin", blocked);
    expect(await blocked.save()).toBe(false);
  });
});
