// The executable contract of RegistryDriver: one vitest suite every driver runs unchanged (memory, fs,
// and later PostgreSQL and OCI). A driver is done when this passes; driver-specific behaviour (on-disk
// layout, tamper detection, crash leftovers) is tested beside each driver.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sha256 } from "../digest.js";
import type { ProgressUpdate } from "../progress.js";
import { RegistryError, type RegistryDriver, type RegistryErrorCode } from "./driver.js";
import { fenceOf, type ProcessIdentity } from "./lock-policy.js";
import { aliasesAt } from "./alias-state.js";
import { sampleAliasMove, sampleArtifact, sampleRecord, sampleUpdate } from "./sample-records.test-helper.js";
import { addressOf } from "./types.js";
import { applyGc, restoreGc, type GcState } from "../apply/gc.js";
import { planGc } from "../gc/plan.js";

export interface RegistryFixture {
  /** A driver on a registry that does not exist yet, not opened. */
  driver: RegistryDriver;
  /**
   * Another driver on the same registry, as a different process would see it (not opened). With the
   * real host and a dead pid it plays a crashed apply; with another host, a live one elsewhere.
   */
  connect(identity: ProcessIdentity): Promise<RegistryDriver>;
  cleanup(): Promise<void>;
}

export function describeRegistryConformance(name: string, factory: () => Promise<RegistryFixture>): void {
  describe(`registry conformance: ${name}`, () => {
    let fixture: RegistryFixture;
    let registry: RegistryDriver;
    let scratch: string;
    const others: RegistryDriver[] = [];

    /** A second handle on the registry under test, opened, closed after the test. */
    async function peer(identity: ProcessIdentity = { host: hostname(), pid: process.pid }): Promise<RegistryDriver> {
      const other = await fixture.connect(identity);
      await other.open();
      others.push(other);
      return other;
    }

    beforeEach(async () => {
      fixture = await factory();
      registry = fixture.driver;
      await registry.open({ create: true });
      scratch = await mkdtemp(path.join(tmpdir(), "assetctl-conformance-"));
    });

    afterEach(async () => {
      for (const other of others.splice(0)) await other.close();
      await registry.close();
      await fixture.cleanup();
      await rm(scratch, { recursive: true, force: true });
    });

    describe("open", () => {
      it("refuses to open a registry that does not exist, and creates it when asked", async () => {
        const fresh = await factory();
        try {
          await expectCode(fresh.driver.open(), "not-found");
          await fresh.driver.open({ create: true });
          expect(await fresh.driver.snapshot()).toEqual({ serial: 0, versions: [] });
          const second = await fresh.connect({ host: hostname(), pid: process.pid });
          await second.open();
          expect((await second.snapshot()).serial).toBe(0);
          await second.close();
          await fresh.driver.close();
        } finally {
          await fresh.cleanup();
        }
      });

      it("opens an existing registry again with create, keeping its content", async () => {
        await registry.createVersion(sampleRecord());
        const again = await fixture.connect({ host: hostname(), pid: process.pid });
        await again.open({ create: true });
        expect((await again.snapshot()).versions).toHaveLength(1);
        await again.close();
      });

      it("refuses reads and writes before it is opened and once it is closed, as unavailable", async () => {
        const fresh = await factory();
        const calls = (d: RegistryDriver): (() => Promise<unknown>)[] => [
          () => d.snapshot(),
          () => d.hasObject(sha256("x")),
          () => d.readObject(sha256("x")),
          () => d.createVersion(sampleRecord()),
          () => d.appendJournal({ op: "apply-begin", plan: "p" }),
          () => d.journal(),
          () => d.currentLock(),
          () => d.verify(),
        ];
        try {
          for (const call of calls(fresh.driver)) await expectCode(call(), "unavailable");
          await fresh.driver.open({ create: true });
          await fresh.driver.close();
          for (const call of calls(fresh.driver)) await expectCode(call(), "unavailable");
        } finally {
          await fresh.cleanup();
        }
      });

      it("has a url to name it by", () => {
        expect(typeof registry.url).toBe("string");
        expect(registry.url.length).toBeGreaterThan(0);
      });
    });

    describe("snapshot", () => {
      it("is empty at first, then shows every version with its state", async () => {
        expect(await registry.snapshot()).toEqual({ serial: 0, versions: [] });
        const v2 = sampleRecord({ version: "2", created_at: "2026-01-02T00:00:00.000Z" });
        const v1 = sampleRecord({ version: "1" });
        const env = sampleRecord({ kind: "environment", name: "base", version: "3", spec: { image: "python:3.12" } });
        await registry.createVersion(v2);
        await registry.createVersion(v1);
        await registry.createVersion(env);
        const snapshot = await registry.snapshot();
        expect(snapshot.serial).toBe(3);
        // Sorted by address, whatever the order of creation.
        expect(snapshot.versions.map((v) => addressOf(v.record))).toEqual(["environment:base:3", "model:mnist:1", "model:mnist:2"]);
        expect(snapshot.versions[2]).toEqual({ record: v2, mutable: v2.mutable, archived: false, updated_at: v2.created_at });
      });

      it("hands out a copy: changing it changes nothing in the registry", async () => {
        await registry.createVersion(sampleRecord());
        const first = await registry.snapshot();
        const stored = first.versions[0];
        if (stored === undefined) throw new Error("expected a version");
        stored.record.spec["path"] = "changed";
        stored.mutable.description = "changed";
        first.versions.pop();
        const second = await registry.snapshot();
        expect(second.versions).toHaveLength(1);
        expect(second.versions[0]?.record.spec["path"]).toBe("sha256:none");
        expect(second.versions[0]?.mutable.description).toBe("a model");
      });

      it("sees what another handle wrote", async () => {
        const other = await peer();
        await registry.snapshot();
        await other.createVersion(sampleRecord({ version: "7" }));
        await other.updateVersion(sampleUpdate(sampleRecord({ version: "7" }), { archived: true }));
        const snapshot = await registry.snapshot();
        expect(snapshot.serial).toBe(2);
        expect(snapshot.versions.map((v) => [v.record.version, v.archived])).toEqual([["7", true]]);
      });
    });

    describe("stateToken", () => {
      it("stays the same while nothing is written, and changes with every write, whoever makes it", async (context) => {
        const token = async (driver: RegistryDriver): Promise<string | undefined> => driver.stateToken?.();
        const first = await token(registry);
        // Optional: a plan against a driver without one is never reused. Reported as skipped, with why.
        if (first === undefined) return context.skip(`not applicable: ${name} has no stateToken`);
        const other = await peer();
        const tokens: (string | undefined)[] = [first];
        expect(await token(registry)).toBe(first);
        await registry.createVersion(sampleRecord({ version: "1" }));
        tokens.push(await token(registry));
        await other.createVersion(sampleRecord({ version: "2" }));
        tokens.push(await token(registry));
        await other.updateVersion(sampleUpdate(sampleRecord({ version: "2" }), { mutable: { description: "changed" } }));
        tokens.push(await token(other));
        await registry.updateVersion(sampleUpdate(sampleRecord({ version: "1" }), { archived: true }));
        tokens.push(await token(registry));
        // Snapshots are served, and cached, between writes: neither changes the token.
        await registry.snapshot();
        expect(await token(other)).toBe(tokens.at(-1));
        expect(tokens.every((t) => t !== undefined)).toBe(true);
        expect(new Set(tokens).size).toBe(tokens.length);
      });
    });

    describe("createVersion", () => {
      it("is write-once: a second create of the same address fails, even with identical content", async () => {
        const record = sampleRecord();
        await registry.createVersion(record);
        await expectCode(registry.createVersion(record), "version-exists");
        await expectCode(registry.createVersion({ ...record, spec: { other: true }, digest: sha256("other") }), "version-exists");
        const snapshot = await registry.snapshot();
        expect(snapshot.versions.map((v) => v.record)).toEqual([record]);
        expect(snapshot.serial).toBe(1);
      });

      it("journals each create itself, raising the serial by one", async () => {
        const record = sampleRecord({ version: "5" });
        const before = (await registry.snapshot()).serial;
        await registry.createVersion(record);
        expect((await registry.snapshot()).serial).toBe(before + 1);
        const last = (await registry.journal()).at(-1);
        expect(last?.serial).toBe(before + 1);
        expect(last?.entry).toEqual({ op: "create", address: "model:mnist:5", digest: record.digest });
      });

      it("refuses a record whose objects are not stored, and accepts it once they are", async () => {
        const data = Buffer.from("weights");
        const record = sampleRecord({ artifacts: [sampleArtifact(data)] });
        await expectCode(registry.createVersion(record), "object-missing");
        expect((await registry.snapshot()).serial).toBe(0);
        await registry.putObject(sha256(data), { kind: "bytes", data });
        await registry.createVersion(record);
        expect((await registry.snapshot()).versions).toHaveLength(1);
      });

      it.each([
        ["a name with a slash", { name: "a/b" }],
        ["a name that is ..", { name: ".." }],
        ["a version that is .", { version: "." }],
        ["a name with a NUL", { name: "a\u0000b" }],
        ["a version with a backslash", { version: "1\\2" }],
        ["a version with a colon", { version: "1:2" }],
        ["an empty name", { name: "" }],
        ["an unknown kind", { kind: "pipeline_job" as never }],
        ["a malformed digest", { digest: "md5:abc" as never }],
      ])("refuses %s and stores nothing", async (_label, overrides) => {
        await expectCode(registry.createVersion(sampleRecord(overrides)), "invalid");
        expect(await registry.snapshot()).toEqual({ serial: 0, versions: [] });
      });

      it("stores names and versions that are unusual but valid exactly as given", async () => {
        const record = sampleRecord({ name: "AzureML-sklearn-1.5_ubuntu.22", version: "1.0.0-rc.1" });
        await registry.createVersion(record);
        expect((await registry.snapshot()).versions[0]?.record).toEqual(record);
        expect(await registry.history("model", "AzureML-sklearn-1.5_ubuntu.22", "1.0.0-rc.1")).toEqual([]);
      });
    });

    describe("objects", () => {
      it("stores bytes under their digest and reads them back", async () => {
        const data = Buffer.from("hello registry");
        const digest = sha256(data);
        expect(await registry.hasObject(digest)).toBe(false);
        await registry.putObject(digest, { kind: "bytes", data });
        expect(await registry.hasObject(digest)).toBe(true);
        expect(await readAll(await registry.readObject(digest))).toEqual(data);
      });

      it("refuses bytes that do not match the digest and stores nothing", async () => {
        const claimed = sha256("something else");
        await expectCode(registry.putObject(claimed, { kind: "bytes", data: Buffer.from("actual") }), "object-digest-mismatch");
        expect(await registry.hasObject(claimed)).toBe(false);
        expect(await registry.hasObject(sha256("actual"))).toBe(false);
        const file = path.join(scratch, "liar.bin");
        await writeFile(file, "actual");
        await expectCode(registry.putObject(claimed, { kind: "file", path: file, size: 6 }), "object-digest-mismatch");
        expect(await registry.hasObject(claimed)).toBe(false);
      });

      it("is idempotent: storing an object again changes nothing", async () => {
        const data = Buffer.from("twice");
        const digest = sha256(data);
        await registry.putObject(digest, { kind: "bytes", data });
        await registry.putObject(digest, { kind: "bytes", data });
        const file = path.join(scratch, "twice.bin");
        await writeFile(file, data);
        await registry.putObject(digest, { kind: "file", path: file, size: data.length });
        expect(await readAll(await registry.readObject(digest))).toEqual(data);
      });

      it("stores files: a few MB, and an empty one", async () => {
        const big = randomBytes(3 * 1024 * 1024 + 17);
        const bigFile = path.join(scratch, "big.bin");
        await writeFile(bigFile, big);
        await registry.putObject(sha256(big), { kind: "file", path: bigFile, size: big.length });
        expect((await readAll(await registry.readObject(sha256(big)))).equals(big)).toBe(true);

        const emptyFile = path.join(scratch, "empty.bin");
        await writeFile(emptyFile, "");
        await registry.putObject(sha256(""), { kind: "file", path: emptyFile, size: 0 });
        expect(await registry.hasObject(sha256(""))).toBe(true);
        expect((await readAll(await registry.readObject(sha256("")))).length).toBe(0);
      });

      it("keeps the stored bytes even when the source file changes afterwards", async () => {
        const file = path.join(scratch, "model.pkl");
        await writeFile(file, "v1");
        await registry.putObject(sha256("v1"), { kind: "file", path: file, size: 2 });
        await writeFile(file, "v2 changed");
        expect((await readAll(await registry.readObject(sha256("v1")))).toString()).toBe("v1");
      });

      it("tells the bytes it stores as it goes, adding up to the object's size, and nothing for one it has", async () => {
        const big = randomBytes(3 * 1024 * 1024 + 17);
        const bigFile = path.join(scratch, "big.bin");
        await writeFile(bigFile, big);
        const small = Buffer.from("a few bytes");
        for (const [digest, source, size] of [
          [sha256(big), { kind: "file", path: bigFile, size: big.length }, big.length],
          [sha256(small), { kind: "bytes", data: small }, small.length],
        ] as const) {
          const told: number[] = [];
          await registry.putObject(digest, source, { onBytes: (bytes) => told.push(bytes) });
          expect(told.length).toBeGreaterThan(0);
          // Every count is new bytes, and the running total never passes the size.
          let total = 0;
          for (const bytes of told) {
            expect(bytes).toBeGreaterThan(0);
            total += bytes;
            expect(total).toBeLessThanOrEqual(size);
          }
          expect(total).toBe(size);
          const again: number[] = [];
          await registry.putObject(digest, source, { onBytes: (bytes) => again.push(bytes) });
          expect(again).toEqual([]);
        }
      });

      it("says object-missing for an object it does not have", async () => {
        await expectCode(registry.readObject(sha256("nothing")), "object-missing");
      });

      it("repairObject puts back a missing object, leaves a sound one, and refuses bytes that hash otherwise", async (context) => {
        if (!registry.repairObject) return context.skip();
        const data = Buffer.from("restored bytes");
        const digest = sha256(data);
        const liar = registry.repairObject(digest, { kind: "bytes", data: Buffer.from("other bytes") });
        const refused = await liar.then(() => undefined, (error: unknown) => error);
        if (refused instanceof RegistryError && refused.code === "unavailable") return context.skip(); // a store that cannot repair says so
        expect(refused).toMatchObject({ code: "object-digest-mismatch" });
        expect(await registry.hasObject(digest)).toBe(false);
        expect(await registry.repairObject(digest, { kind: "bytes", data })).toBe("restored");
        expect(await readAll(await registry.readObject(digest))).toEqual(data);
        // Sound already: the source is not even read, so bytes that hash otherwise change nothing.
        expect(await registry.repairObject(digest, { kind: "file", path: path.join(scratch, "absent.bin"), size: 1 })).toBe("sound");
        expect(await readAll(await registry.readObject(digest))).toEqual(data);
      });

      it("refuses a malformed digest", async () => {
        await expectCode(registry.hasObject("sha256:xyz" as never), "invalid");
        await expectCode(registry.putObject("sha256:../../x" as never, { kind: "bytes", data: Buffer.from("") }), "invalid");
      });
    });

    describe("updateVersion and history", () => {
      it("keeps every update in history; the snapshot shows the latest state and the record stays as created", async () => {
        const record = sampleRecord();
        await registry.createVersion(record);
        const first = sampleUpdate(record, { mutable: { description: "better", tags: { team: "ml" } }, updated_at: "2026-02-01T00:00:00.000Z" });
        const archive = sampleUpdate(record, { archived: true, updated_at: "2026-03-01T00:00:00.000Z" });
        const restore = sampleUpdate(record, { archived: false, updated_at: "2026-04-01T00:00:00.000Z" });
        await registry.updateVersion(first);
        let stored = (await registry.snapshot()).versions[0];
        expect(stored).toMatchObject({ mutable: first.mutable, archived: false, updated_at: "2026-02-01T00:00:00.000Z" });
        await registry.updateVersion(archive);
        stored = (await registry.snapshot()).versions[0];
        // Archiving leaves the mutable fields as they were.
        expect(stored).toMatchObject({ mutable: first.mutable, archived: true, updated_at: "2026-03-01T00:00:00.000Z" });
        await registry.updateVersion(restore);
        const snapshot = await registry.snapshot();
        expect(snapshot.versions[0]).toEqual({ record, mutable: first.mutable, archived: false, updated_at: "2026-04-01T00:00:00.000Z" });
        expect(await registry.history("model", "mnist", "1")).toEqual([first, archive, restore]);
        expect(snapshot.serial).toBe(4);
        expect((await registry.journal()).slice(1).map((j) => j.entry)).toEqual([
          { op: "update", address: "model:mnist:1" },
          { op: "archive", address: "model:mnist:1", archived: true },
          { op: "archive", address: "model:mnist:1", archived: false },
        ]);
      });

      it("refuses to update or list the history of a version that does not exist", async () => {
        await registry.createVersion(sampleRecord({ version: "1" }));
        await expectCode(registry.updateVersion(sampleUpdate(sampleRecord({ version: "2" }), { archived: true })), "not-found");
        await expectCode(registry.history("model", "mnist", "2"), "not-found");
        await expectCode(registry.updateVersion(sampleUpdate(sampleRecord({ name: "../x" }), { archived: true })), "invalid");
        expect((await registry.snapshot()).serial).toBe(1);
      });

      it("has an empty history for a version never updated", async () => {
        await registry.createVersion(sampleRecord());
        expect(await registry.history("model", "mnist", "1")).toEqual([]);
      });
    });

    describe("journal", () => {
      it("numbers entries 1, 2, 3… in order, interleaved with the driver's own entries", async () => {
        expect(await registry.appendJournal({ op: "apply-begin", plan: "p1" })).toBe(1);
        await registry.createVersion(sampleRecord());
        expect(await registry.appendJournal({ op: "apply-end", plan: "p1" })).toBe(3);
        const journal = await registry.journal();
        expect(journal.map((j) => j.serial)).toEqual([1, 2, 3]);
        expect(journal.map((j) => j.entry.op)).toEqual(["apply-begin", "create", "apply-end"]);
        expect(journal.every((j) => !Number.isNaN(Date.parse(j.at)))).toBe(true);
        expect((await registry.snapshot()).serial).toBe(3);
      });

      it("refuses create/update/archive entries from callers: those are the driver's own", async () => {
        await expectCode(registry.appendJournal({ op: "create", address: "model:x:1", digest: sha256("x") }), "invalid");
        await expectCode(registry.appendJournal({ op: "update", address: "model:x:1" }), "invalid");
        expect(await registry.journal()).toEqual([]);
      });
    });

    describe("aliases", () => {
      it("journals every move with its commit, author, message and time; the history replays to the aliases in force", async () => {
        await registry.createVersion(sampleRecord({ version: "1" }));
        await registry.createVersion(sampleRecord({ version: "2" }));
        const first = sampleAliasMove();
        const second = sampleAliasMove({ from: "1", to: "2", at: "2026-04-01T00:00:00.000Z", message: "promote 2" });
        const staging = sampleAliasMove({ alias: "staging", to: "2", at: "2026-03-15T00:00:00.000Z" });
        expect(await registry.moveAlias(first)).toBe(3);
        await registry.moveAlias(staging);
        await registry.moveAlias(second);
        const history = await registry.aliasHistory();
        expect(history).toEqual([
          { ...first, serial: 3 },
          { ...staging, serial: 4 },
          { ...second, serial: 5 },
        ]);
        // A move bumps the serial like any write, so a plan saved before it goes stale.
        expect((await registry.snapshot()).serial).toBe(5);
        expect((await registry.journal()).at(-1)?.entry).toEqual({ op: "alias", move: second });
        expect(aliasesAt(history, "2026-03-20T00:00:00.000Z").get("model:mnist@production")?.version).toBe("1");
        expect(aliasesAt(history).get("model:mnist@production")?.version).toBe("2");
        // Another process sees the same moves.
        expect(await (await peer()).aliasHistory()).toEqual(history);
      });

      it("removes an alias with a move to null", async () => {
        await registry.createVersion(sampleRecord({ version: "1" }));
        await registry.moveAlias(sampleAliasMove());
        await registry.moveAlias(sampleAliasMove({ from: "1", to: null, at: "2026-05-01T00:00:00.000Z" }));
        expect(aliasesAt(await registry.aliasHistory()).size).toBe(0);
        expect((await registry.aliasHistory()).map((m) => m.to)).toEqual(["1", null]);
      });

      it("refuses a move to a version that does not exist, and a malformed move, writing nothing", async () => {
        await registry.createVersion(sampleRecord({ version: "1" }));
        await expectCode(registry.moveAlias(sampleAliasMove({ to: "9" })), "not-found");
        await expectCode(registry.moveAlias(sampleAliasMove({ name: "other" })), "not-found");
        await expectCode(registry.moveAlias(sampleAliasMove({ alias: "a/b" })), "invalid");
        await expectCode(registry.moveAlias(sampleAliasMove({ alias: "x@y" })), "invalid");
        await expectCode(registry.moveAlias(sampleAliasMove({ from: null, to: null })), "invalid");
        expect(await registry.aliasHistory()).toEqual([]);
        expect((await registry.snapshot()).serial).toBe(1);
      });

      it("refuses alias entries from appendJournal: moves go through moveAlias", async () => {
        await expectCode(registry.appendJournal({ op: "alias", move: sampleAliasMove() }), "invalid");
        expect(await registry.aliasHistory()).toEqual([]);
      });
    });

    describe("lock", () => {
      const request = { owner: "alice", operation: "apply", timeoutMs: 0 };

      it("is exclusive, and a refusal names the holder", async () => {
        const held = await registry.lock(request);
        expect(held.info).toMatchObject({ owner: "alice", operation: "apply", host: hostname(), pid: process.pid });
        expect(await registry.currentLock()).toEqual(held.info);
        const error = await registry.lock({ ...request, owner: "bob" }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(RegistryError);
        expect((error as RegistryError).code).toBe("locked");
        const message = (error as RegistryError).message;
        for (const part of ["alice", hostname(), String(process.pid), held.info.created_at]) expect(message).toContain(part);
        await held.release();
        expect(await registry.currentLock()).toBeUndefined();
        const again = await registry.lock({ ...request, owner: "bob" });
        expect(again.info.owner).toBe("bob");
        expect(again.info.id).not.toBe(held.info.id);
        await again.release();
      });

      it("is exclusive across handles too", async () => {
        const other = await peer();
        const held = await other.lock(request);
        await expectCode(registry.lock(request), "locked");
        expect(await registry.currentLock()).toEqual(held.info);
        await held.release();
      });

      it("waits up to timeoutMs and takes the lock when it is released", async () => {
        const held = await registry.lock(request);
        const waiting = registry.lock({ ...request, owner: "bob", timeoutMs: 10_000 });
        await sleep(150);
        await held.release();
        const taken = await waiting;
        expect(taken.info.owner).toBe("bob");
        await taken.release();
      });

      it("gives up after timeoutMs when the lock is not released", async () => {
        const held = await registry.lock(request);
        const started = Date.now();
        await expectCode(registry.lock({ ...request, owner: "bob", timeoutMs: 200 }), "locked");
        expect(Date.now() - started).toBeGreaterThanOrEqual(150);
        await held.release();
      });

      it("takes over an expired lock; the old holder's release then frees nothing", async () => {
        const old = await registry.lock({ ...request, ttlMs: 50 });
        await sleep(120);
        expect(await registry.currentLock()).toBeUndefined();
        const taken = await registry.lock({ ...request, owner: "bob" });
        await old.release();
        expect(await registry.currentLock()).toEqual(taken.info);
        await taken.release();
      });

      it("takes over a lock whose process died on this host", async () => {
        const pid = await deadPid();
        const crashed = await peer({ host: hostname(), pid });
        const stale = await crashed.lock(request);
        expect(stale.info.pid).toBe(pid);
        const taken = await registry.lock({ ...request, owner: "bob" });
        expect(taken.info).toMatchObject({ owner: "bob", pid: process.pid });
        await taken.release();
      });

      it("does not take over a lock held from another host, even when that pid is dead here", async () => {
        // A pid that no process has on this host: only the host check can keep the lock from being taken.
        const elsewhere = await peer({ host: "build-agent-7.invalid", pid: await deadPid() });
        const held = await elsewhere.lock(request);
        await expectCode(registry.lock(request), "locked");
        await held.release();
      });

      it("can be forced open by its id, and only by its id", async () => {
        const held = await registry.lock(request);
        await expectCode(registry.forceUnlock("not-the-id"), "lock-not-found");
        expect(await registry.currentLock()).toEqual(held.info);
        await registry.forceUnlock(held.info.id);
        expect(await registry.currentLock()).toBeUndefined();
        await expectCode(registry.forceUnlock(held.info.id), "lock-not-found");
        const next = await registry.lock({ ...request, owner: "bob" });
        await held.release(); // late release of the forced lock must not free the new one
        expect(await registry.currentLock()).toEqual(next.info);
        await next.release();
        await next.release();
      });

      it("is renewed by its holder past its first expiry, and stays held by it, with the same id", async () => {
        const held = await registry.lock({ ...request, ttlMs: 1000 });
        const first = held.info.expires_at;
        for (let i = 0; i < 3; i++) {
          await sleep(400);
          await held.renew();
        }
        // 1.2 s since it was taken, with a time-to-live of 1 s: only renewal kept it.
        expect(Date.parse(held.info.expires_at)).toBeGreaterThan(Date.parse(first));
        expect(await registry.currentLock()).toMatchObject({ id: held.info.id, owner: "alice", expires_at: held.info.expires_at });
        await expectCode(registry.lock({ ...request, owner: "bob" }), "locked");
        await held.release();
        expect(await registry.currentLock()).toBeUndefined();
        await expectCode(held.renew(), "locked"); // released: nothing to renew
      });

      it("cannot be renewed once forced open or taken over: the old holder learns it lost the lock", async () => {
        const forced = await registry.lock(request);
        await registry.forceUnlock(forced.info.id);
        await expectCode(forced.renew(), "locked");
        expect(await registry.currentLock()).toBeUndefined();

        const expired = await registry.lock({ ...request, ttlMs: 50 });
        await sleep(120);
        const taken = await registry.lock({ ...request, owner: "bob" });
        await expectCode(expired.renew(), "locked");
        expect(await registry.currentLock()).toEqual(taken.info);
        await taken.release();
      });
    });

    describe("fencing", () => {
      const request = { owner: "alice", operation: "apply", timeoutMs: 0 };

      it("a holder paused past a force-unlock writes nothing once it resumes: no create, update, archive or journal entry", async () => {
        const existing = sampleRecord({ version: "1" });
        await registry.createVersion(existing);
        const paused = await registry.lock(request);
        const fence = fenceOf(paused);
        // Writes under a current lock go through.
        await registry.appendJournal({ op: "apply-begin", plan: "p1" }, fence);
        await registry.updateVersion(sampleUpdate(existing, { mutable: { description: "under the lock", tags: {} } }), fence);
        await registry.moveAlias(sampleAliasMove({ alias: "staging" }), fence);
        const before = await registry.snapshot();
        const journalBefore = await registry.journal();

        // Another process forces the lock open while the holder is paused, then takes the lock itself.
        const other = await peer({ host: hostname(), pid: process.pid });
        await other.forceUnlock(paused.info.id);
        const next = await other.lock({ ...request, owner: "bob" });

        // The paused holder resumes: every write it makes is refused, and nothing lands.
        await expectCode(registry.createVersion(sampleRecord({ version: "2" }), fence), "locked");
        await expectCode(registry.updateVersion(sampleUpdate(existing, { mutable: { description: "too late", tags: {} } }), fence), "locked");
        await expectCode(registry.updateVersion(sampleUpdate(existing, { archived: true }), fence), "locked");
        await expectCode(registry.appendJournal({ op: "apply-end", plan: "p1" }, fence), "locked");
        await expectCode(registry.moveAlias(sampleAliasMove(), fence), "locked");
        expect(await other.snapshot()).toEqual(before);
        expect(await other.journal()).toEqual(journalBefore);

        // The new holder's writes go through.
        await other.updateVersion(sampleUpdate(existing, { archived: true }), fenceOf(next));
        expect((await other.snapshot()).versions[0]?.archived).toBe(true);
        await next.release();
        // A released lock fences too: its late writes are refused.
        await expectCode(other.createVersion(sampleRecord({ version: "3" }), fenceOf(next)), "locked");
      });

      it("refuses a fence that names no lock, with or without a lock held, and writes nothing", async () => {
        const stranger = { lockId: "00000000-0000-4000-8000-000000000000" };
        await expectCode(registry.createVersion(sampleRecord(), stranger), "locked");
        const held = await registry.lock(request);
        await expectCode(registry.createVersion(sampleRecord(), stranger), "locked");
        await expectCode(registry.appendJournal({ op: "apply-begin", plan: "p" }, stranger), "locked");
        await expectCode(registry.moveAlias(sampleAliasMove({ to: null, from: "1" }), stranger), "locked");
        expect(await registry.snapshot()).toEqual({ serial: 0, versions: [] });
        await held.release();
      });

      it("refuses the writes of a holder whose expired lock was taken over", async () => {
        const expired = await registry.lock({ ...request, ttlMs: 50 });
        await sleep(120);
        const other = await peer({ host: hostname(), pid: process.pid });
        const taken = await other.lock({ ...request, owner: "bob" });
        await expectCode(registry.createVersion(sampleRecord(), fenceOf(expired)), "locked");
        expect((await other.snapshot()).versions).toEqual([]);
        await other.createVersion(sampleRecord(), fenceOf(taken));
        expect((await other.snapshot()).versions).toHaveLength(1);
        await taken.release();
      });
    });

    describe("gc", () => {
      const request = { owner: "gc", operation: "gc", timeoutMs: 0 };

      it("marks a version deleted: the record, its number and history stay, journaled gc-delete; a restore is journaled gc-restore", async () => {
        const record = sampleRecord({ version: "1" });
        await registry.createVersion(record);
        const deletion = sampleUpdate(record, { deleted: true, updated_at: "2026-03-01T00:00:00.000Z" });
        await registry.updateVersion(deletion);
        const snapshot = await registry.snapshot();
        expect(snapshot.versions).toEqual([{ record, mutable: record.mutable, archived: false, deleted: true, updated_at: "2026-03-01T00:00:00.000Z" }]);
        expect((await registry.journal()).at(-1)?.entry).toEqual({ op: "gc-delete", address: "model:mnist:1" });
        // The number is never given again.
        await expectCode(registry.createVersion(record), "version-exists");
        // A deletion travels alone, and callers cannot journal it themselves.
        await expectCode(registry.updateVersion(sampleUpdate(record, { deleted: true, archived: true })), "invalid");
        await expectCode(registry.appendJournal({ op: "gc-delete", address: "model:mnist:1" }), "invalid");
        expect(await registry.verify()).toEqual([]);
        await registry.updateVersion(sampleUpdate(record, { deleted: false, updated_at: "2026-04-01T00:00:00.000Z" }));
        expect((await registry.snapshot()).versions[0]).toEqual({ record, mutable: record.mutable, archived: false, updated_at: "2026-04-01T00:00:00.000Z" });
        expect((await registry.journal()).at(-1)?.entry).toEqual({ op: "gc-restore", address: "model:mnist:1" });
        expect(await registry.history("model", "mnist", "1")).toHaveLength(2);
      });

      it("sweeps objects into a trash under the lock's fence, restores them, and purges them", async (context) => {
        const sweep = registry.sweep;
        if (sweep === undefined) return context.skip("this registry's objects are freed by another system");
        const data = Buffer.from("old weights");
        const digest = sha256(data);
        await registry.putObject(digest, { kind: "bytes", data });
        const record = sampleRecord({ artifacts: [sampleArtifact(data)] });
        await registry.createVersion(record);
        expect((await sweep.listObjects()).find((o) => o.digest === digest)).toMatchObject({ digest, size: data.length });
        await registry.updateVersion(sampleUpdate(record, { deleted: true }));

        const stranger = { lockId: "00000000-0000-4000-8000-000000000000" };
        const held = await registry.lock(request);
        await expectCode(sweep.trashObjects([digest], new Date(), stranger), "locked");
        expect(await registry.hasObject(digest)).toBe(true);
        const at = new Date("2026-05-01T00:00:00.000Z");
        expect(await sweep.trashObjects([digest, sha256("never stored")], at, fenceOf(held))).toEqual([digest]);
        expect(await registry.hasObject(digest)).toBe(false);
        expect(await sweep.listTrash()).toEqual([{ digest, size: data.length, trashed_at: at.toISOString() }]);
        // A deleted version no longer needs its objects.
        expect(await registry.verify()).toEqual([]);
        expect(await sweep.restoreObjects(undefined, fenceOf(held))).toEqual([digest]);
        expect(await registry.hasObject(digest)).toBe(true);
        expect(await sweep.listTrash()).toEqual([]);
        await sweep.trashObjects([digest], at, fenceOf(held));
        expect(await sweep.purgeTrash(at, fenceOf(held))).toEqual([]);
        expect(await sweep.purgeTrash(new Date(at.getTime() + 1), fenceOf(held))).toEqual([digest]);
        expect(await sweep.listTrash()).toEqual([]);
        await held.release();
      });

      it("runs a whole gc: keeps the latest, the aliased and what they depend on; deletes the rest; restore brings it back", async () => {
        const used = Buffer.from("shared");
        const orphan = Buffer.from("only v1");
        for (const data of [used, orphan]) await registry.putObject(sha256(data), { kind: "bytes", data });
        const at = (day: number) => `2026-0${day}-01T00:00:00.000Z`;
        const env = sampleRecord({ kind: "environment", name: "e", version: "1", created_at: at(1) });
        const v1 = sampleRecord({ version: "1", created_at: at(1), artifacts: [sampleArtifact(orphan, "a.pkl"), sampleArtifact(used)] });
        const v2 = sampleRecord({ version: "2", created_at: at(2), artifacts: [sampleArtifact(used)], dependencies: ["environment:e:1"] });
        const v3 = sampleRecord({ version: "3", created_at: at(3), artifacts: [sampleArtifact(used)] });
        const env2 = sampleRecord({ kind: "environment", name: "e", version: "2", created_at: at(4) });
        for (const r of [env, v1, v2, v3, env2]) await registry.createVersion(r);
        const aliases = [{ kind: "model" as const, name: "mnist", alias: "production", from: null, to: "2", commit: null, author: null, message: null, at: at(2), serial: 99 }];
        // The alias journal comes from the driver once aliases are stored; here a wrapper supplies it.
        const aliased = new Proxy(registry, {
          get(target, key) {
            if (key === "aliasHistory") return async () => aliases;
            const value: unknown = Reflect.get(target, key, target);
            return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
          },
        });
        // A minute ahead: the objects were stored just now, and the grace period is zero.
        const now = new Date(Date.now() + 60_000);
        const retention = { keepLast: 1, keepWithinMs: 86_400_000, kinds: {}, aliasHistoryMs: 86_400_000, graceMs: 0, trashDays: 7 };
        const plan = (state: GcState) => planGc({ ...state, registryUrl: registry.url, declared: new Set(), ref: "main", retention, now, objects: state.objects });
        const outcome = await applyGc(aliased, { plan, trashDays: 7, now: () => now });
        expect(outcome.deleted.map((d) => d.address)).toEqual(["model:mnist:1"]);
        expect(outcome.deleted[0]?.serial).toBe((await registry.journal()).at(-1)?.serial);
        const live = (await registry.snapshot()).versions.filter((v) => v.deleted !== true).map((v) => addressOf(v.record));
        expect(live).toEqual(["environment:e:1", "environment:e:2", "model:mnist:2", "model:mnist:3"]);
        if (registry.sweep !== undefined) {
          expect(outcome.swept).toEqual([sha256(orphan)]);
          expect(await registry.hasObject(sha256(orphan))).toBe(false);
          expect(await registry.hasObject(sha256(used))).toBe(true);
        } else expect(outcome.swept).toEqual([]);
        expect(await registry.verify()).toEqual([]);
        expect(await registry.currentLock()).toBeUndefined();

        const restored = await restoreGc(registry);
        expect(restored.versions).toEqual(["model:mnist:1"]);
        expect((await registry.snapshot()).versions.every((v) => v.deleted !== true)).toBe(true);
        expect(await registry.verify()).toEqual([]);
      });
    });

    describe("verify", () => {
      it("finds nothing wrong with a healthy registry", async () => {
        const data = Buffer.from("weights");
        const record = sampleRecord({ artifacts: [sampleArtifact(data)] });
        await registry.putObject(sha256(data), { kind: "bytes", data });
        await registry.createVersion(record);
        await registry.updateVersion(sampleUpdate(record, { mutable: { description: "d" } }));
        await registry.appendJournal({ op: "apply-end", plan: "p" });
        expect(await registry.verify()).toEqual([]);
      });

      it("tells the bytes it re-hashes as the phase verifying, ending with all of them done", async () => {
        const data = randomBytes(2 * 1024 * 1024 + 5);
        const record = sampleRecord({ artifacts: [sampleArtifact(data)] });
        await registry.putObject(sha256(data), { kind: "bytes", data });
        await registry.createVersion(record);
        const told: ProgressUpdate[] = [];
        expect(await registry.verify({ onProgress: (update) => told.push({ ...update }) })).toEqual([]);
        expect(new Set(told.map((u) => u.phase))).toEqual(new Set(["verifying"]));
        expect(told.at(-1)).toEqual({ phase: "verifying", done: data.length, total: data.length, ended: true });
        const done = told.map((u) => u.done);
        expect(done).toEqual([...done].sort((a, b) => a - b));
      });

      it("finds nothing wrong with an empty registry", async () => {
        expect(await registry.verify()).toEqual([]);
      });
    });

    describe("concurrency", () => {
      it("lands 20 parallel creates of different versions, each journaled once", async () => {
        const other = await peer();
        const records = Array.from({ length: 20 }, (_, i) => sampleRecord({ version: String(i + 1) }));
        await Promise.all(records.map((r, i) => (i % 2 === 0 ? registry : other).createVersion(r)));
        const snapshot = await registry.snapshot();
        expect(snapshot.versions).toHaveLength(20);
        expect(snapshot.serial).toBe(20);
        const journal = await registry.journal();
        expect(journal.map((j) => j.serial)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        expect(new Set(journal.map((j) => (j.entry.op === "create" ? j.entry.address : ""))).size).toBe(20);
        expect(await registry.verify()).toEqual([]);
      });

      it("lets exactly one of 5 parallel creates of the same address win", async () => {
        const other = await peer();
        const attempts = Array.from({ length: 5 }, (_, i) => sampleRecord({ spec: { attempt: i } }));
        const results = await Promise.allSettled(attempts.map((r, i) => (i % 2 === 0 ? registry : other).createVersion(r)));
        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        const refusals = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
        expect(refusals.map((r) => (r.reason as RegistryError).code)).toEqual(Array(4).fill("version-exists"));
        const snapshot = await registry.snapshot();
        expect(snapshot.versions).toHaveLength(1);
        const winner = results.findIndex((r) => r.status === "fulfilled");
        expect(snapshot.versions[0]?.record).toEqual(attempts[winner]);
        expect((await registry.journal()).filter((j) => j.entry.op === "create")).toHaveLength(1);
      });

      it("stores one object once when many store it at the same time", async () => {
        const data = randomBytes(256 * 1024);
        const other = await peer();
        await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? registry : other).putObject(sha256(data), { kind: "bytes", data })));
        expect((await readAll(await registry.readObject(sha256(data)))).equals(data)).toBe(true);
      });

      it("gives parallel journal appends and updates distinct serials", async () => {
        const record = sampleRecord();
        await registry.createVersion(record);
        const serials = await Promise.all(Array.from({ length: 10 }, (_, i) => registry.appendJournal({ op: "apply-begin", plan: `p${i}` })));
        await Promise.all(Array.from({ length: 5 }, (_, i) => registry.updateVersion(sampleUpdate(record, { mutable: { description: `d${i}` } }))));
        expect(new Set(serials).size).toBe(10);
        expect((await registry.snapshot()).serial).toBe(16);
        expect(await registry.history("model", "mnist", "1")).toHaveLength(5);
      });

      it("lets exactly one of several parallel lockers win", async () => {
        const other = await peer();
        const results = await Promise.allSettled(
          Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? registry : other).lock({ owner: `o${i}`, operation: "apply", timeoutMs: 0 })),
        );
        const winners = results.filter((r) => r.status === "fulfilled");
        expect(winners).toHaveLength(1);
        expect(results.filter((r) => r.status === "rejected").map((r) => ((r as PromiseRejectedResult).reason as RegistryError).code)).toEqual(
          Array(5).fill("locked"),
        );
      });
    });
  });
}

export async function expectCode(promise: Promise<unknown>, code: RegistryErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected RegistryError "${code}"`).toBeInstanceOf(RegistryError);
  expect((error as RegistryError).code).toBe(code);
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The pid of a process that has exited: a lock holder that crashed on this host. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not start a child process");
  await once(child, "exit");
  return pid;
}
