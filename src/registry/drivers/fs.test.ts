// The embedded fs registry: the shared conformance suite, then what only a directory can get wrong —
// its layout, format refusal, tampering found by verify, crash leftovers, the snapshot cache.
import { appendFileSync, chmodSync, truncateSync } from "node:fs";
import { chmod, link, mkdir, mkdtemp, readdir, readFile, rm, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { jsonDigest, sha256 } from "../../digest.js";
import { describeRegistryConformance, deadPid, expectCode, readAll } from "../conformance.test-helper.js";
import { RegistryError } from "../driver.js";
import { sampleArtifact, sampleRecord, sampleUpdate } from "../sample-records.test-helper.js";
import type { VersionRecord } from "../types.js";
import { FsDriver } from "./fs.js";
import { FsLayout } from "./fs/layout.js";

describeRegistryConformance("fs", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "assetctl-fs-"));
  const root = path.join(dir, "registry");
  return {
    driver: new FsDriver({ path: root }),
    connect: async (identity) => new FsDriver({ path: root, identity }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describe("fs registry", () => {
  let dir: string;
  let root: string;
  let layout: FsLayout;
  let registry: FsDriver;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "assetctl-fs-"));
    root = path.join(dir, "registry");
    layout = new FsLayout(root);
    registry = new FsDriver({ path: root });
    await registry.open({ create: true });
  });

  afterEach(async () => {
    await registry.close();
    // Objects and records are read-only; make them removable.
    await chmodTree(dir);
    await rm(dir, { recursive: true, force: true });
  });

  async function reopen(): Promise<FsDriver> {
    const again = new FsDriver({ path: root });
    await again.open();
    return again;
  }

  async function stored(): Promise<{ data: Buffer; record: VersionRecord }> {
    const data = Buffer.from("model weights");
    const record = sampleRecord({ artifacts: [sampleArtifact(data)] });
    await registry.putObject(sha256(data), { kind: "bytes", data });
    await registry.createVersion(record);
    return { data, record };
  }

  describe("layout", () => {
    it("writes format, objects, records, history and journal where documented, leaving tmp/ empty", async () => {
      const { data, record } = await stored();
      await registry.updateVersion(sampleUpdate(record, { archived: true }));
      expect(JSON.parse(await readFile(path.join(root, "format.json"), "utf8"))).toEqual({ format: "assetctl-registry", version: 1 });
      const hex = sha256(data).slice("sha256:".length);
      const object = path.join(root, "objects", "sha256", hex.slice(0, 2), hex.slice(2));
      expect(await readFile(object)).toEqual(data);
      expect((await stat(object)).mode & 0o777).toBe(0o444);
      const doc = JSON.parse(await readFile(path.join(root, "versions", "model", "mnist", "1.json"), "utf8"));
      expect(doc).toMatchObject({ format: 1, record, record_digest: jsonDigest(record) });
      expect(await readdir(path.join(root, "history", "model", "mnist", "1"))).toEqual(["00000001.json"]);
      expect(await readdir(path.join(root, "journal"))).toEqual(["0000000000000001.json", "0000000000000002.json"]);
      expect(JSON.parse(await readFile(path.join(root, "journal", "0000000000000002.json"), "utf8"))).toMatchObject({
        serial: 2,
        entry: { op: "archive", address: "model:mnist:1", archived: true },
      });
      expect(await readdir(path.join(root, "tmp"))).toEqual([]);
    });

    it("keeps ordinary names readable and encodes anything that could act as a path", async () => {
      await registry.createVersion(sampleRecord({ name: "AzureML-sklearn-1.5", version: "1.0.0" }));
      await registry.createVersion(sampleRecord({ name: "odd name%", version: ".hidden" }));
      expect(await readdir(path.join(root, "versions", "model", "AzureML-sklearn-1.5"))).toEqual(["1.0.0.json"]);
      expect(await readdir(path.join(root, "versions", "model", "odd%20name%25"))).toEqual(["%2Ehidden.json"]);
      const again = await reopen();
      await rm(path.join(root, "index"), { recursive: true });
      expect((await again.snapshot()).versions.map((v) => `${v.record.name}:${v.record.version}`)).toEqual([
        "AzureML-sklearn-1.5:1.0.0",
        "odd name%:.hidden",
      ]);
      await again.close();
    });
  });

  describe("format", () => {
    async function openAt(location: string, create = false): Promise<RegistryError> {
      const error = await new FsDriver({ path: location }).open({ create }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RegistryError);
      return error as RegistryError;
    }

    it("refuses a registry of a newer format, telling the user to upgrade", async () => {
      await writeFile(path.join(root, "format.json"), JSON.stringify({ format: "assetctl-registry", version: 2 }));
      const error = await openAt(root, true);
      expect(error.code).toBe("format-newer");
      expect(error.message).toContain("format version 2");
      expect(error.hint).toContain("upgrade assetctl");
    });

    it("refuses an unknown format and a corrupt format.json, without repairing either", async () => {
      await writeFile(path.join(root, "format.json"), JSON.stringify({ format: "something-else", version: 1 }));
      expect((await openAt(root, true)).code).toBe("format-unknown");
      await writeFile(path.join(root, "format.json"), "{ not json");
      expect((await openAt(root, true)).code).toBe("corrupt");
      expect(await readFile(path.join(root, "format.json"), "utf8")).toBe("{ not json");
    });

    it("never turns a directory that is not a registry into one", async () => {
      const foreign = path.join(dir, "project");
      await mkdir(foreign);
      await writeFile(path.join(foreign, "notes.txt"), "mine");
      expect((await openAt(foreign, true)).code).toBe("format-unknown");
      expect(await readdir(foreign)).toEqual(["notes.txt"]);
      await writeFile(path.join(dir, "a-file"), "x");
      expect((await openAt(path.join(dir, "a-file"), true)).code).toBe("format-unknown");
    });

    it("lets many openers create the same registry at once", async () => {
      // Many rounds of openers started a few event-loop turns apart, so some look while another is
      // halfway through creating it (between format.json and its directories).
      for (let round = 0; round < 30; round += 1) {
        const location = path.join(dir, `raced-${round}`);
        const drivers = Array.from({ length: 6 }, () => new FsDriver({ path: location }));
        await Promise.all(drivers.map(async (d, i) => (await turns(i * 3), d.open({ create: true }))));
        // One registry, whole, that every opener uses: what one writes, all see; nothing is amiss in it.
        const record = sampleRecord({ name: `raced-${round}`, version: "1" });
        await drivers[round % drivers.length]?.createVersion(record);
        for (const d of drivers) expect((await d.snapshot()).versions.map((v) => v.record.name)).toEqual([record.name]);
        expect(await drivers[0]?.verify()).toEqual([]);
        await Promise.all(drivers.map((d) => d.close()));
      }
    });

    it("says not-found for a missing registry unless asked to create it", async () => {
      const error = await openAt(path.join(dir, "nowhere"));
      expect(error.code).toBe("not-found");
      expect(error.message).toContain(path.join(dir, "nowhere"));
    });
  });

  describe("verify", () => {
    it("catches a flipped byte in an object, and reading it fails at the end of the stream", async () => {
      const { data } = await stored();
      const file = layout.objectPath(sha256(data));
      await chmod(file, 0o644);
      const bytes = await readFile(file);
      bytes[3] = (bytes[3] ?? 0) ^ 0xff;
      await writeFile(file, bytes);
      expect(await registry.verify()).toEqual([expect.objectContaining({ code: "object-corrupt", subject: sha256(data) })]);
      const error = await readAll(await registry.readObject(sha256(data))).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ name: "RegistryError", code: "corrupt" });
    });

    it("repairObject replaces a corrupt object with bytes that hash right, read-only again, and verify is clean", async () => {
      const { data } = await stored();
      const file = layout.objectPath(sha256(data));
      await chmod(file, 0o644);
      await writeFile(file, "bit rot");
      await expectCode(registry.repairObject(sha256(data), { kind: "bytes", data: Buffer.from("bit rot") }), "object-digest-mismatch");
      expect(await readFile(file, "utf8")).toBe("bit rot");
      expect(await registry.repairObject(sha256(data), { kind: "bytes", data })).toBe("restored");
      expect((await readFile(file)).equals(data)).toBe(true);
      expect((await stat(file)).mode & 0o222).toBe(0);
      expect(await registry.verify()).toEqual([]);
    });

    it("catches an object a record needs but that is gone", async () => {
      const { data, record } = await stored();
      await unlink(layout.objectPath(sha256(data)));
      const problems = await registry.verify();
      expect(problems).toEqual([expect.objectContaining({ code: "object-missing", subject: sha256(data) })]);
      expect(problems[0]?.message).toContain("model:mnist:1");
      expect(problems[0]?.message).toContain(record.artifacts[0]?.source);
    });

    it("catches an edited record and an unreadable one", async () => {
      await stored();
      await registry.createVersion(sampleRecord({ version: "2" }));
      const first = layout.versionPath("model", "mnist", "1");
      await chmod(first, 0o644);
      await writeFile(first, (await readFile(first, "utf8")).replace('"a model"', '"a better model"'));
      const second = layout.versionPath("model", "mnist", "2");
      await chmod(second, 0o644);
      await writeFile(second, '{"format":1,"record":');
      expect((await registry.verify()).map((p) => [p.code, p.subject])).toEqual([
        ["record-tampered", "model:mnist:1"],
        ["record-corrupt", second],
        // The journal's create of version 2 now points at an unreadable record.
        ["journal-broken", "journal 2"],
      ]);
    });

    it("catches an edited history entry", async () => {
      const { record } = await stored();
      await registry.updateVersion(sampleUpdate(record, { mutable: { description: "x" } }));
      const file = layout.historyPath("model", "mnist", "1", 1);
      await chmod(file, 0o644);
      await writeFile(file, (await readFile(file, "utf8")).replace('"x"', '"y"'));
      expect((await registry.verify()).map((p) => p.code)).toEqual(["record-tampered"]);
    });

    it("catches a journal with a missing entry, an unreadable one, and a record never journaled", async () => {
      await stored();
      await registry.appendJournal({ op: "apply-begin", plan: "p" });
      await registry.appendJournal({ op: "apply-end", plan: "p" });
      await unlink(layout.journalPath(2));
      await writeFile(layout.journalPath(3), '{"serial":3,');
      expect((await registry.verify()).map((p) => [p.code, p.subject])).toEqual([
        ["journal-broken", "journal 2"],
        ["journal-broken", "journal 3"],
      ]);
      await unlink(layout.journalPath(1));
      expect((await registry.verify()).map((p) => p.subject)).toContain("model:mnist:1");
    });
  });

  describe("crash leftovers", () => {
    it("ignores a stray temp file, and the next open clears one whose writer is dead", async () => {
      await registry.createVersion(sampleRecord());
      const pid = await deadPid();
      const deadTemp = layout.tempPath({ host: hostname(), pid }, "object");
      const liveTemp = layout.tempPath({ host: "elsewhere.invalid", pid: 42 }, "object");
      await writeFile(deadTemp, "half an obj");
      await writeFile(liveTemp, "another host's upload in progress");
      await writeFile(path.join(layout.tmpDir, "garbage"), "?");
      expect((await registry.snapshot()).versions).toHaveLength(1);
      expect(await registry.verify()).toEqual([]);
      const again = await reopen();
      expect((await readdir(layout.tmpDir)).sort()).toEqual([path.basename(liveTemp), "garbage"].sort());
      // Another host's temp is abandoned only once it is old.
      const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
      await utimes(liveTemp, old, old);
      await utimes(path.join(layout.tmpDir, "garbage"), old, old);
      await (await reopen()).close();
      expect(await readdir(layout.tmpDir)).toEqual([]);
      await again.close();
    });

    it("reads past a half-written journal entry, reports it, and keeps numbering after it", async () => {
      await registry.createVersion(sampleRecord({ version: "1" }));
      await registry.snapshot();
      await writeFile(layout.journalPath(2), '{"serial":2,"at":"2026');
      const snapshot = await registry.snapshot();
      expect(snapshot.serial).toBe(2);
      expect(snapshot.versions.map((v) => v.record.version)).toEqual(["1"]);
      expect((await registry.verify()).map((p) => [p.code, p.subject])).toEqual([["journal-broken", "journal 2"]]);
      await registry.createVersion(sampleRecord({ version: "2" }));
      const after = await registry.snapshot();
      expect(after.serial).toBe(3);
      expect(after.versions.map((v) => v.record.version)).toEqual(["1", "2"]);
      await expect(registry.journal()).rejects.toMatchObject({ code: "corrupt" });
    });

    it("shows a version whose writer died before journaling it, and the next open journals it once", async () => {
      await registry.createVersion(sampleRecord({ version: "1" }));
      const before = (await registry.snapshot()).serial;
      const pid = await deadPid();
      const orphan = sampleRecord({ version: "2" });
      await publishWithoutJournal({ host: hostname(), pid }, orphan);

      const snapshot = await registry.snapshot();
      expect(snapshot.versions.map((v) => v.record.version)).toEqual(["1", "2"]);
      expect(snapshot.serial).toBe(before);
      expect(await registry.verify()).toEqual([]);
      await expect(registry.createVersion(orphan)).rejects.toMatchObject({ code: "version-exists" });

      const again = await reopen();
      const recovered = await again.snapshot();
      expect(recovered.serial).toBe(before + 1);
      expect((await again.journal()).at(-1)?.entry).toEqual({ op: "create", address: "model:mnist:2", digest: orphan.digest });
      expect(await readdir(layout.tmpDir)).toEqual([]);
      await (await reopen()).close();
      expect((await again.journal()).filter((j) => j.entry.op === "create")).toHaveLength(2);
      expect(await again.verify()).toEqual([]);
      await again.close();
    });

    it("does not journal twice a write whose writer died after journaling it", async () => {
      const pid = await deadPid();
      const record = sampleRecord({ version: "9" });
      const writer = new FsDriver({ path: root, identity: { host: hostname(), pid } });
      await writer.open();
      await writer.createVersion(record);
      // Put back an intent as if the writer died between journaling and removing its temp file.
      const doc = await readFile(layout.versionPath("model", "mnist", "9"), "utf8");
      const temp = layout.tempPath({ host: hostname(), pid }, "version");
      await link(layout.versionPath("model", "mnist", "9"), temp);
      expect(JSON.parse(doc).txn).toBeTypeOf("string");
      await (await reopen()).close();
      expect((await registry.journal()).map((j) => j.entry.op)).toEqual(["create"]);
      expect(await readdir(layout.tmpDir)).toEqual([]);
      await writer.close();
    });

    /** What a writer leaves when it dies between publishing a record and journaling it. */
    async function publishWithoutJournal(identity: { host: string; pid: number }, record: VersionRecord): Promise<void> {
      const temp = layout.tempPath(identity, "version");
      await writeFile(temp, JSON.stringify({ format: 1, txn: "deadbeef", record, record_digest: jsonDigest(record) }));
      await mkdir(path.dirname(layout.versionPath(record.kind, record.name, record.version)), { recursive: true });
      await link(temp, layout.versionPath(record.kind, record.name, record.version));
    }
  });

  describe("an artifact file that changes while it is stored", () => {
    const MB = 1024 * 1024;

    async function storeChanging(size: number, change: (file: string) => Promise<void>): Promise<unknown> {
      const data = Buffer.alloc(size, 7);
      const file = path.join(dir, "model.pkl");
      await writeFile(file, data);
      let changed = false;
      return registry
        .putObject(sha256(data), { kind: "file", path: file, size }, {
          onBytes: () => {
            if (changed) return;
            changed = true;
            // Synchronously, so the next read of the copy already sees it.
            change(file).catch(() => {});
          },
        })
        .then(
          () => "stored",
          (error: unknown) => error,
        );
    }

    it("stops at the early end of a file truncated mid-copy, storing nothing and leaving no temp file", async () => {
      const outcome = await storeChanging(32 * MB, (file) => Promise.resolve(truncateSync(file, 5000)));
      expect(outcome).toBeInstanceOf(RegistryError);
      expect((outcome as RegistryError).code).toBe("object-digest-mismatch");
      expect((outcome as RegistryError).message).toMatch(new RegExp(`ended after \\d+ of the ${32 * MB} bytes planned`));
      expect(await registry.hasObject(sha256(Buffer.alloc(32 * MB, 7)))).toBe(false);
      expect(await readdir(path.join(root, "tmp"))).toEqual([]);
    });

    it("stops when the file grows past its planned size mid-copy", async () => {
      const outcome = await storeChanging(32 * MB, (file) => Promise.resolve(appendFileSync(file, Buffer.alloc(MB, 1))));
      expect((outcome as RegistryError).code).toBe("object-digest-mismatch");
      expect((outcome as RegistryError).message).toContain("grew past");
      expect(await readdir(path.join(root, "tmp"))).toEqual([]);
    });

    it("fails a read of a stored object truncated while it is read, as corrupt", async () => {
      const data = Buffer.alloc(8 * MB, 3);
      await registry.putObject(sha256(data), { kind: "bytes", data });
      const stored = layout.objectPath(sha256(data));
      const stream = await registry.readObject(sha256(data));
      let truncated = false;
      stream.on("data", () => {
        if (truncated) return;
        truncated = true;
        chmodSync(stored, 0o644);
        truncateSync(stored, 5000);
      });
      await expectCode(readAll(stream), "corrupt");
    });

    // The kernel's copy (copyFile → sendfile) spins forever on a source truncated under it; the store
    // must end, promptly, with a refusal. Sparse, so the 400 MB cost no disk to make.
    it("ends promptly when the file is truncated under a running copy", { timeout: 30_000 }, async () => {
      const file = path.join(dir, "sparse.bin");
      await writeFile(file, "");
      truncateSync(file, 400 * MB);
      const put = registry.putObject(sha256("whatever"), { kind: "file", path: file, size: 400 * MB });
      await new Promise((resolve) => setTimeout(resolve, 30));
      truncateSync(file, 5000);
      await expectCode(put, "object-digest-mismatch");
      expect(await readdir(path.join(root, "tmp"))).toEqual([]);
    });
  });

  describe("journal group commit", () => {
    it("numbers concurrent appends of one process and of two without gaps or repeats, leaving tmp/ empty", async () => {
      // Another live process: the parent of this one.
      const other = new FsDriver({ path: root, identity: { host: hostname(), pid: process.ppid } });
      await other.open();
      const appends = Array.from({ length: 100 }, (_, i) =>
        (i % 3 === 0 ? other : registry).appendJournal({ op: "apply-begin", plan: `p${i}` }),
      );
      const serials = await Promise.all(appends);
      expect([...serials].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      const journal = await registry.journal();
      expect(journal.map((j) => j.serial)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      // Each entry is the one its append was told: serial i holds the plan appended as i.
      for (const [i, serial] of serials.entries()) expect(journal[serial - 1]?.entry).toEqual({ op: "apply-begin", plan: `p${i}` });
      expect(await readdir(layout.tmpDir)).toEqual([]);
      await other.close();
    });

  });

  describe("snapshot cache", () => {
    it("gives the same snapshot from the cache, after losing it, and after it is torn", async () => {
      const { record } = await stored();
      await registry.createVersion(sampleRecord({ version: "2" }));
      await registry.updateVersion(sampleUpdate(record, { mutable: { description: "new" } }));
      const expected = await registry.snapshot();
      expect(await registry.snapshot()).toEqual(expected);
      await unlink(layout.indexFile);
      expect(await (await reopen()).snapshot()).toEqual(expected);
      const cache = await readFile(layout.indexFile);
      await writeFile(layout.indexFile, cache.subarray(0, cache.length - 20));
      expect(await registry.snapshot()).toEqual(expected);
      await writeFile(layout.indexFile, cache.toString().replace('"new"', '"old"'));
      expect(await registry.snapshot()).toEqual(expected);
    });

    it("brings its own writes in from memory, as the records on disk say them", async () => {
      await registry.snapshot(); // a cache to catch up from
      const other = await reopen();
      await registry.createVersion(sampleRecord({ version: "1" }));
      await other.createVersion(sampleRecord({ version: "2" }));
      await registry.updateVersion(sampleUpdate(sampleRecord({ version: "1" }), { mutable: { description: "new" } }));
      await registry.updateVersion(sampleUpdate(sampleRecord({ version: "2" }), { archived: true }));
      const mine = await registry.snapshot();
      expect(mine.serial).toBe(4);
      expect(mine.versions.map((v) => [v.record.version, v.mutable.description, v.archived])).toEqual([
        ["1", "new", false],
        ["2", "a model", true],
      ]);
      await unlink(layout.indexFile);
      expect(await (await reopen()).snapshot()).toEqual(mine);
      await other.close();
    });

    it("catches up with writes made since it was saved", async () => {
      await registry.createVersion(sampleRecord({ version: "1" }));
      await registry.snapshot();
      const other = await reopen();
      await other.createVersion(sampleRecord({ version: "2" }));
      await other.updateVersion(sampleUpdate(sampleRecord({ version: "1" }), { archived: true }));
      const snapshot = await registry.snapshot();
      expect(snapshot.serial).toBe(3);
      expect(snapshot.versions.map((v) => [v.record.version, v.archived])).toEqual([
        ["1", true],
        ["2", false],
      ]);
      await other.close();
    });
  });

  it("treats an unreadable lock file as no lock at all", async () => {
    const held = await registry.lock({ owner: "a", operation: "apply", timeoutMs: 0 });
    const file = path.join(layout.lockDir, (await readdir(layout.lockDir)).find((n) => n.endsWith(".json")) ?? "");
    await writeFile(file, "{");
    const taken = await registry.lock({ owner: "b", operation: "apply", timeoutMs: 0 });
    expect(await registry.currentLock()).toEqual(taken.info);
    await held.release();
    await taken.release();
  });
});

async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

async function chmodTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    await chmod(path.join(entry.parentPath, entry.name), entry.isDirectory() ? 0o755 : 0o644).catch(() => {});
  }
}
