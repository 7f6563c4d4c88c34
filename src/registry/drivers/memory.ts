// The whole registry in one process's memory — the test double for apply and the CLI, and the reference
// the conformance suite is easiest to read against: a records store and an objects store over one
// MemoryStore, composed by the registry core, so that it refuses exactly what the persistent registries
// refuse (digests, write-once, names) and tests against it mean something.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import { RegistryError, type Fence, type FenceCheck, type LockHandle, type LockRequest, type ObjectSource, type ObjectSweep, type PutObjectOptions, type VerifyOptions } from "../driver.js";
import { RegistryCore } from "../core.js";
import { sourceChanged } from "../object-digest.js";
import { missingObjects, objectDigestMismatch, objectMissing, versionExists, versionNotFound } from "../errors.js";
import { ProgressMeter } from "../../progress.js";
import { acquireWithin, currentProcess, DEFAULT_LOCK_TTL_MS, fencedError, lockStaleness, lostLockError, newLockInfo, type LockAttempt, type ProcessIdentity } from "../lock-policy.js";
import { aliasRecordsOf } from "../alias-state.js";
import type { ObjectStore, RecordStore, RecordsVerified } from "../stores.js";
import { addressOf, type AliasMove, type AliasRecord, type Digest, type JournalEntry, type JournalRecord, type LockInfo, type RegistrySnapshot, type VerifyProblem, type VersionRecord, type VersionUpdate } from "../types.js";
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

/** A registry held in memory: both halves over one MemoryStore. */
export class MemoryDriver extends RegistryCore {
  readonly store: MemoryStore;

  constructor(options: MemoryDriverOptions = {}) {
    const store = options.store ?? createMemoryStore();
    const url = options.url ?? "memory:";
    const now = options.now ?? (() => new Date());
    super(new MemoryRecords(store, url, options.identity ?? currentProcess(), now), new MemoryObjects(store, url, now), { url });
    this.store = store;
  }
}

export class MemoryRecords implements RecordStore {
  constructor(
    readonly store: MemoryStore,
    readonly url: string,
    private readonly identity: ProcessIdentity,
    private readonly now: () => Date,
  ) {}

  async open(options: { create?: boolean } = {}): Promise<void> {
    if (this.store.created) return;
    if (options.create !== true) throw new RegistryError("not-found", `There is no registry at ${this.url}.`);
    this.store.created = true;
  }

  async close(): Promise<void> {}

  async snapshot(): Promise<RegistrySnapshot> {
    const versions = [...this.store.versions.values()].map(({ record, updates }) => updates.reduce(withUpdate, initialState(record)));
    // A deep copy: callers may keep and mutate what they get without touching the store.
    return structuredClone({ serial: this.store.journal.length, versions: versions.sort(compareAddresses) });
  }

  async createVersion(record: VersionRecord, fence?: Fence): Promise<void> {
    this.#checkFence(fence);
    const address = addressOf(record);
    if (this.store.versions.has(address)) throw versionExists(address);
    this.store.versions.set(address, { record: structuredClone(record), updates: [] });
    this.#journal({ op: "create", address, digest: record.digest });
  }

  async updateVersion(update: VersionUpdate, fence?: Fence): Promise<void> {
    this.#checkFence(fence);
    const stored = this.store.versions.get(addressOf(update));
    if (stored === undefined) throw versionNotFound(addressOf(update));
    stored.updates.push(structuredClone(update));
    this.#journal(journalEntryOf(update));
  }

  async history(kind: string, name: string, version: string): Promise<VersionUpdate[]> {
    const stored = this.store.versions.get(addressOf({ kind, name, version }));
    if (stored === undefined) throw versionNotFound(addressOf({ kind, name, version }));
    return structuredClone(stored.updates);
  }

  async appendJournal(entry: JournalEntry, fence?: Fence): Promise<number> {
    this.#checkFence(fence);
    return this.#journal(entry);
  }

  async journal(): Promise<JournalRecord[]> {
    return structuredClone(this.store.journal);
  }

  async moveAlias(move: AliasMove, fence?: Fence): Promise<number> {
    this.#checkFence(fence);
    const target = addressOf({ kind: move.kind, name: move.name, version: move.to ?? "" });
    if (move.to !== null && !this.store.versions.has(target)) throw versionNotFound(target);
    return this.#journal({ op: "alias", move });
  }

  async aliasHistory(): Promise<AliasRecord[]> {
    return aliasRecordsOf(this.store.journal);
  }

  async lock(request: LockRequest): Promise<LockHandle> {
    return acquireWithin(request.timeoutMs, async () => this.#tryLock(request));
  }

  async currentLock(): Promise<LockInfo | undefined> {
    const held = this.#heldLock();
    return held === undefined ? undefined : { ...held };
  }

  async forceUnlock(id: string): Promise<void> {
    const lock = this.store.lock;
    if (lock === undefined || lock.released || lock.info.id !== id) {
      throw new RegistryError("lock-not-found", `No lock with id ${id} is held on ${this.url}.`);
    }
    lock.released = true;
  }

  async checkFence(fence: Fence): Promise<void> {
    this.#checkFence(fence);
  }

  /** Records in memory cannot be damaged: only their objects are checked (by the objects store). */
  async verify(): Promise<RecordsVerified> {
    return { problems: [], versions: (await this.snapshot()).versions };
  }

  #tryLock(request: LockRequest): LockAttempt {
    const holder = this.#heldLock();
    if (holder !== undefined) return { holder: { ...holder } };
    const lock = { info: newLockInfo(request, this.identity, this.now()), released: false };
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
        lock.info.expires_at = info.expires_at = new Date(this.now().getTime() + ttlMs).toISOString();
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
    if (lockStaleness(lock.info, this.now(), this.identity) !== undefined) return undefined;
    return lock.info;
  }

  #journal(entry: JournalEntry): number {
    const serial = this.store.journal.length + 1;
    this.store.journal.push({ serial, at: this.now().toISOString(), entry: structuredClone(entry) });
    return serial;
  }
}

export class MemoryObjects implements ObjectStore {
  constructor(
    readonly store: MemoryStore,
    readonly url: string,
    private readonly now: () => Date,
  ) {}

  /** The records store, opened first, has created the registry or refused to. */
  async open(): Promise<void> {}

  async close(): Promise<void> {}

  async hasObject(digest: Digest): Promise<boolean> {
    return this.store.objects.has(digest);
  }

  async putObject(digest: Digest, source: ObjectSource, options: PutObjectOptions = {}): Promise<void> {
    if (this.store.objects.has(digest)) return;
    const data = await bytesOf(digest, source);
    this.store.objects.set(digest, data);
    this.store.storedAt.set(digest, this.now().toISOString());
    // Stored in one step: the whole object at once.
    options.onBytes?.(data.length);
  }

  async repairObject(digest: Digest, source: ObjectSource, options: PutObjectOptions = {}): Promise<"restored" | "sound"> {
    const held = this.store.objects.get(digest);
    if (held !== undefined && digestOf(held) === digest) return "sound";
    const data = await bytesOf(digest, source);
    this.store.objects.set(digest, data);
    options.onBytes?.(data.length);
    return "restored";
  }

  async readObject(digest: Digest): Promise<Readable> {
    const data = this.store.objects.get(digest);
    if (data === undefined) throw objectMissing(digest);
    const actual = digestOf(data);
    if (actual !== digest) throw new RegistryError("corrupt", `Object ${digest} is corrupt: its bytes hash to ${actual}.`);
    return Readable.from([Buffer.from(data)]);
  }

  /** Re-hashes every object held, and names those the records need that are not held. */
  async verify(records: VersionRecord[], options: VerifyOptions = {}): Promise<VerifyProblem[]> {
    const problems: VerifyProblem[] = [];
    const meter = new ProgressMeter("verifying", options.onProgress);
    meter.expect([...this.store.objects.values()].reduce((bytes, data) => bytes + data.length, 0));
    for (const [digest, data] of this.store.objects) {
      if (digestOf(data) !== digest) problems.push({ code: "object-corrupt", message: `Object ${digest} no longer matches its digest.`, subject: digest });
      meter.advance(data.length);
    }
    meter.end();
    problems.push(...missingObjects(records, (digest) => this.store.objects.has(digest), this.url));
    return problems;
  }

  sweeper(checkFence: FenceCheck): ObjectSweep {
    const { objects, trash, storedAt } = this.store;
    return {
      listObjects: async () => [...objects].map(([digest, data]) => ({ digest, size: data.length, stored_at: storedAt.get(digest) ?? new Date(0).toISOString() })),
      trashObjects: async (digests, at, fence) => {
        await checkFence(fence);
        const moved = digests.filter((d) => objects.has(d));
        for (const digest of moved) {
          trash.set(digest, { data: objects.get(digest) as Buffer, trashed_at: at.toISOString() });
          objects.delete(digest);
        }
        return moved;
      },
      listTrash: async () => [...trash].map(([digest, { data, trashed_at }]) => ({ digest, size: data.length, trashed_at })),
      restoreObjects: async (digests, fence) => {
        await checkFence(fence);
        const restored = [...trash.keys()].filter((d) => digests === undefined || digests.includes(d));
        for (const digest of restored) {
          if (!objects.has(digest)) objects.set(digest, (trash.get(digest) as { data: Buffer }).data);
          trash.delete(digest);
        }
        return restored;
      },
      purgeTrash: async (before, fence) => {
        await checkFence(fence);
        const purged = [...trash].filter(([, t]) => Date.parse(t.trashed_at) < before.getTime()).map(([d]) => d);
        for (const digest of purged) trash.delete(digest);
        return purged;
      },
    };
  }
}

function digestOf(data: Buffer): Digest {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** The source's bytes, refused unless they hash to `digest` ("object-digest-mismatch"). */
async function bytesOf(digest: Digest, source: ObjectSource): Promise<Buffer> {
  const data = source.kind === "bytes" ? Buffer.from(source.data) : await readFile(source.path);
  if (source.kind === "file" && data.length !== source.size) throw sourceChanged(source.path, `is ${data.length} bytes, not the ${source.size} planned`);
  const actual = digestOf(data);
  if (actual !== digest) throw objectDigestMismatch(digest, actual);
  return data;
}
