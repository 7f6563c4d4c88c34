// MemoryDriver: the whole registry in one process's memory — the test double for apply and the CLI, and
// the reference the conformance suite is easiest to read against. It refuses exactly what the
// persistent drivers refuse (digests, write-once, names) so tests against it mean something.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import { RegistryError, type Fence, type ObjectSweep, type LockHandle, type LockRequest, type ObjectSource, type PutObjectOptions, type RegistryDriver, type VerifyOptions } from "../driver.js";
import { sourceChanged } from "../object-digest.js";
import { objectDigestMismatch, objectMissing, objectMissingFor, versionExists, versionNotFound } from "../errors.js";
import { ProgressMeter } from "../../progress.js";
import { acquireWithin, currentProcess, DEFAULT_LOCK_TTL_MS, fencedError, lockStaleness, lostLockError, newLockInfo, type LockAttempt, type ProcessIdentity } from "../lock-policy.js";
import { aliasRecordsOf } from "../alias-state.js";
import {
  addressOf,
  type AliasMove,
  type AliasRecord,
  type Digest,
  type JournalEntry,
  type JournalRecord,
  type LockInfo,
  type RegistrySnapshot,
  type VerifyProblem,
  type VersionRecord,
  type VersionUpdate,
} from "../types.js";
import { checkAddress, checkAliasMove, checkCallerJournalEntry, checkDigest, checkVersionRecord, checkVersionUpdate, objectDigestsOf } from "../validate.js";
import { compareAddresses, initialState, journalEntryOf, withUpdate } from "../version-state.js";

/** The registry's contents; several MemoryDrivers may share one, like processes sharing a directory. */
export interface MemoryStore {
  created: boolean;
  objects: Map<Digest, Buffer>;
  /** When each object was stored (ISO time). */
  storedAt: Map<Digest, string>;
  /** Objects gc swept, until purged. */
  trash: Map<Digest, { data: Buffer; trashed_at: string }>;
  versions: Map<string, { record: VersionRecord; updates: VersionUpdate[] }>;
  journal: JournalRecord[];
  lock: { info: LockInfo; released: boolean } | undefined;
}

export function createMemoryStore(): MemoryStore {
  return { created: false, objects: new Map(), storedAt: new Map(), trash: new Map(), versions: new Map(), journal: [], lock: undefined };
}

export interface MemoryDriverOptions {
  store?: MemoryStore;
  identity?: ProcessIdentity;
  url?: string;
  now?: () => Date;
}

export class MemoryDriver implements RegistryDriver {
  readonly url: string;
  readonly store: MemoryStore;
  readonly #identity: ProcessIdentity;
  readonly #now: () => Date;
  #open = false;

  constructor(options: MemoryDriverOptions = {}) {
    this.store = options.store ?? createMemoryStore();
    this.#identity = options.identity ?? currentProcess();
    this.#now = options.now ?? (() => new Date());
    this.url = options.url ?? "memory:";
  }

  readonly sweep: ObjectSweep = {
    listObjects: async () => {
      this.#ensureOpen();
      return [...this.store.objects].map(([digest, data]) => ({ digest, size: data.length, stored_at: this.store.storedAt.get(digest) ?? new Date(0).toISOString() }));
    },
    trashObjects: async (digests, at, fence) => {
      this.#ensureOpen();
      this.#checkFence(fence);
      const moved = digests.filter((d) => this.store.objects.has(d));
      for (const digest of moved) {
        this.store.trash.set(digest, { data: this.store.objects.get(digest) as Buffer, trashed_at: at.toISOString() });
        this.store.objects.delete(digest);
      }
      return moved;
    },
    listTrash: async () => {
      this.#ensureOpen();
      return [...this.store.trash].map(([digest, { data, trashed_at }]) => ({ digest, size: data.length, trashed_at }));
    },
    restoreObjects: async (digests, fence) => {
      this.#ensureOpen();
      this.#checkFence(fence);
      const restored = [...this.store.trash.keys()].filter((d) => digests === undefined || digests.includes(d));
      for (const digest of restored) {
        if (!this.store.objects.has(digest)) this.store.objects.set(digest, (this.store.trash.get(digest) as { data: Buffer }).data);
        this.store.trash.delete(digest);
      }
      return restored;
    },
    purgeTrash: async (before, fence) => {
      this.#ensureOpen();
      this.#checkFence(fence);
      const purged = [...this.store.trash].filter(([, t]) => Date.parse(t.trashed_at) < before.getTime()).map(([d]) => d);
      for (const digest of purged) this.store.trash.delete(digest);
      return purged;
    },
  };

  async open(options: { create?: boolean } = {}): Promise<void> {
    if (!this.store.created) {
      if (options.create !== true) throw new RegistryError("not-found", `There is no registry at ${this.url}.`);
      this.store.created = true;
    }
    this.#open = true;
  }

  async close(): Promise<void> {
    this.#open = false;
  }

  async snapshot(): Promise<RegistrySnapshot> {
    this.#ensureOpen();
    const versions = [...this.store.versions.values()].map(({ record, updates }) => updates.reduce(withUpdate, initialState(record)));
    // A deep copy: callers may keep and mutate what they get without touching the store.
    return structuredClone({ serial: this.store.journal.length, versions: versions.sort(compareAddresses) });
  }

  async hasObject(digest: Digest): Promise<boolean> {
    this.#ensureOpen();
    checkDigest(digest);
    return this.store.objects.has(digest);
  }

  async putObject(digest: Digest, source: ObjectSource, options: PutObjectOptions = {}): Promise<void> {
    this.#ensureOpen();
    checkDigest(digest);
    if (this.store.objects.has(digest)) return;
    const data = source.kind === "bytes" ? Buffer.from(source.data) : await readFile(source.path);
    if (source.kind === "file" && data.length !== source.size) throw sourceChanged(source.path, `is ${data.length} bytes, not the ${source.size} planned`);
    const actual: Digest = `sha256:${createHash("sha256").update(data).digest("hex")}`;
    if (actual !== digest) {
      throw objectDigestMismatch(digest, actual);
    }
    this.store.objects.set(digest, data);
    this.store.storedAt.set(digest, this.#now().toISOString());
    // Stored in one step: the whole object at once.
    options.onBytes?.(data.length);
  }

  async repairObject(digest: Digest, source: ObjectSource, options: PutObjectOptions = {}): Promise<"restored" | "sound"> {
    this.#ensureOpen();
    checkDigest(digest);
    const held = this.store.objects.get(digest);
    if (held !== undefined && `sha256:${createHash("sha256").update(held).digest("hex")}` === digest) return "sound";
    const data = source.kind === "bytes" ? Buffer.from(source.data) : await readFile(source.path);
    const actual: Digest = `sha256:${createHash("sha256").update(data).digest("hex")}`;
    if (actual !== digest) throw objectDigestMismatch(digest, actual);
    this.store.objects.set(digest, data);
    options.onBytes?.(data.length);
    return "restored";
  }

  async readObject(digest: Digest): Promise<Readable> {
    this.#ensureOpen();
    checkDigest(digest);
    const data = this.store.objects.get(digest);
    if (data === undefined) throw objectMissing(digest);
    const actual: Digest = `sha256:${createHash("sha256").update(data).digest("hex")}`;
    if (actual !== digest) throw new RegistryError("corrupt", `Object ${digest} is corrupt: its bytes hash to ${actual}.`);
    return Readable.from([Buffer.from(data)]);
  }

  async createVersion(record: VersionRecord, fence?: Fence): Promise<void> {
    this.#ensureOpen();
    checkVersionRecord(record);
    this.#checkFence(fence);
    const address = addressOf(record);
    if (this.store.versions.has(address)) throw versionExists(address);
    for (const digest of objectDigestsOf(record)) {
      if (!this.store.objects.has(digest)) throw objectMissingFor(address, digest);
    }
    this.store.versions.set(address, { record: structuredClone(record), updates: [] });
    this.#journal({ op: "create", address, digest: record.digest });
  }

  async updateVersion(update: VersionUpdate, fence?: Fence): Promise<void> {
    this.#ensureOpen();
    checkVersionUpdate(update);
    this.#checkFence(fence);
    const stored = this.store.versions.get(addressOf(update));
    if (stored === undefined) throw versionNotFound(addressOf(update));
    stored.updates.push(structuredClone(update));
    this.#journal(journalEntryOf(update));
  }

  async history(kind: string, name: string, version: string): Promise<VersionUpdate[]> {
    this.#ensureOpen();
    checkAddress(kind, name, version);
    const stored = this.store.versions.get(addressOf({ kind, name, version }));
    if (stored === undefined) throw versionNotFound(addressOf({ kind, name, version }));
    return structuredClone(stored.updates);
  }

  async appendJournal(entry: JournalEntry, fence?: Fence): Promise<number> {
    this.#ensureOpen();
    checkCallerJournalEntry(entry);
    this.#checkFence(fence);
    return this.#journal(entry);
  }

  async journal(): Promise<JournalRecord[]> {
    this.#ensureOpen();
    return structuredClone(this.store.journal);
  }

  async moveAlias(move: AliasMove, fence?: Fence): Promise<number> {
    this.#ensureOpen();
    checkAliasMove(move);
    this.#checkFence(fence);
    if (move.to !== null && !this.store.versions.has(addressOf({ kind: move.kind, name: move.name, version: move.to }))) throw versionNotFound(addressOf({ kind: move.kind, name: move.name, version: move.to }));
    return this.#journal({ op: "alias", move });
  }

  async aliasHistory(): Promise<AliasRecord[]> {
    this.#ensureOpen();
    return aliasRecordsOf(this.store.journal);
  }

  async lock(request: LockRequest): Promise<LockHandle> {
    this.#ensureOpen();
    return acquireWithin(request.timeoutMs, async () => this.#tryLock(request));
  }

  async currentLock(): Promise<LockInfo | undefined> {
    this.#ensureOpen();
    const held = this.#heldLock();
    return held === undefined ? undefined : { ...held };
  }

  async forceUnlock(id: string): Promise<void> {
    this.#ensureOpen();
    const lock = this.store.lock;
    if (lock === undefined || lock.released || lock.info.id !== id) {
      throw new RegistryError("lock-not-found", `No lock with id ${id} is held on ${this.url}.`);
    }
    lock.released = true;
  }

  async verify(options: VerifyOptions = {}): Promise<VerifyProblem[]> {
    this.#ensureOpen();
    const problems: VerifyProblem[] = [];
    const meter = new ProgressMeter("verifying", options.onProgress);
    meter.expect([...this.store.objects.values()].reduce((bytes, data) => bytes + data.length, 0));
    for (const [digest, data] of this.store.objects) {
      if (`sha256:${createHash("sha256").update(data).digest("hex")}` !== digest) {
        problems.push({ code: "object-corrupt", message: `Object ${digest} no longer matches its digest.`, subject: digest });
      }
      meter.advance(data.length);
    }
    meter.end();
    for (const [address, { record, updates }] of this.store.versions) {
      // A version gc deleted no longer needs its objects: they may have been swept.
      if (updates.reduce(withUpdate, initialState(record)).deleted === true) continue;
      for (const digest of objectDigestsOf(record)) {
        if (!this.store.objects.has(digest)) {
          problems.push({ code: "object-missing", message: `${address} needs object ${digest}, which is missing.`, subject: digest });
        }
      }
    }
    return problems;
  }

  #tryLock(request: LockRequest): LockAttempt {
    const holder = this.#heldLock();
    if (holder !== undefined) return { holder: { ...holder } };
    const lock = { info: newLockInfo(request, this.#identity, this.#now()), released: false };
    this.store.lock = lock;
    const info = { ...lock.info };
    const ttlMs = request.ttlMs ?? DEFAULT_LOCK_TTL_MS;
    const handle: LockHandle = {
      info,
      // Only this acquisition's record is flagged, so a holder whose lock was taken over frees nothing.
      release: async () => {
        lock.released = true;
      },
      renew: async () => {
        if (this.store.lock !== lock || lock.released) throw lostLockError(info, this.url);
        lock.info.expires_at = info.expires_at = new Date(this.#now().getTime() + ttlMs).toISOString();
      },
    };
    return { handle };
  }

  /** The check and the write that follows it run without an await between them: atomic here. */
  #checkFence(fence: Fence | undefined): void {
    if (fence === undefined) return;
    const lock = this.store.lock;
    if (lock === undefined || lock.released || lock.info.id !== fence.lockId) throw fencedError(fence, this.url);
  }

  #heldLock(): LockInfo | undefined {
    const lock = this.store.lock;
    if (lock === undefined || lock.released) return undefined;
    if (lockStaleness(lock.info, this.#now(), this.#identity) !== undefined) return undefined;
    return lock.info;
  }

  #journal(entry: JournalEntry): number {
    const serial = this.store.journal.length + 1;
    this.store.journal.push({ serial, at: this.#now().toISOString(), entry: structuredClone(entry) });
    return serial;
  }

  #ensureOpen(): void {
    if (!this.#open) throw new RegistryError("unavailable", `The registry ${this.url} is not open.`);
  }
}
