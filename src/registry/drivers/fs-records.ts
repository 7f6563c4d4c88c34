// FsRecordStore: the records half of an fs registry — immutable version records, update history, the
// journal and the apply lock, all written whole-or-not-at-all and never replaced (see fs/durable-file.ts);
// snapshots are served from a cache keyed by the journal serial (fs/snapshot-cache.ts). The directory's
// layout is drivers/fs.ts's; the objects beside the records are FsObjectStore's.
import { stat } from "node:fs/promises";
import path from "node:path";
import type { Fence, LockHandle, LockRequest } from "../driver.js";
import { versionNotFound } from "../errors.js";
import { acquireWithin, currentProcess, type ProcessIdentity } from "../lock-policy.js";
import { addressOf, type AliasMove, type AliasRecord, type JournalEntry, type JournalRecord, type LockInfo, type RegistrySnapshot, type StoredVersion, type VersionRecord, type VersionUpdate } from "../types.js";
import { compareAddresses, initialState, journalEntryOf, withUpdate } from "../version-state.js";
import { removeIfPresent } from "./fs/durable-file.js";
import { openFormat } from "./fs/format.js";
import { FsIntents } from "./fs/intents.js";
import { FsJournal, type JournalFile } from "./fs/journal.js";
import { FsLayout } from "./fs/layout.js";
import { FsLock } from "./fs/lock.js";
import { readRegularTextSync } from "./fs/read-file.js";
import { corruptFile, FsRecords, parseRecordDoc, parseUpdateDoc, type Intent } from "./fs/records.js";
import { SnapshotCache } from "./fs/snapshot-cache.js";
import { aliasRecordsOf } from "../alias-state.js";
import { verifyFsRecords } from "./fs/verify.js";
import type { RecordStore, RecordsVerified } from "../stores.js";

export interface FsRecordStoreOptions {
  /** The registry directory (absolute, or relative to the working directory). */
  path: string;
  /** How the registry is named in plans and messages; defaults to the path. */
  url?: string;
  /** The process this driver acts as; tests pass another to play a second or dead process. */
  identity?: ProcessIdentity;
  now?: () => Date;
}

type VersionMap = Map<string, StoredVersion>;

export class FsRecordStore implements RecordStore {
  readonly url: string;
  readonly root: string;
  readonly #layout: FsLayout;
  readonly #identity: ProcessIdentity;
  readonly #journal: FsJournal;
  readonly #records: FsRecords;
  readonly #intents: FsIntents;
  readonly #lock: FsLock;
  readonly #cache: SnapshotCache;
  #open = false;
  /** Whether this handle journaled anything: close() then refreshes the snapshot cache. */
  #wrote = false;
  /** The journal entries this handle wrote, by serial, as changes to the versions (see #journaledState). */
  readonly #own = new Map<number, (versions: VersionMap) => boolean>();

  constructor(options: FsRecordStoreOptions) {
    this.root = path.resolve(options.path);
    this.url = options.url ?? options.path;
    const now = options.now ?? (() => new Date());
    this.#identity = options.identity ?? currentProcess();
    this.#layout = new FsLayout(this.root);
    this.#journal = new FsJournal(this.#layout, this.#identity, now);
    this.#records = new FsRecords(this.#layout, this.#identity);
    this.#intents = new FsIntents(this.#layout, this.#identity, this.#journal, now);
    this.#lock = new FsLock(this.#layout, this.#identity, now);
    this.#cache = new SnapshotCache(this.#layout, this.#identity);
  }

  async open(options: { create?: boolean } = {}): Promise<void> {
    await openFormat(this.#layout, this.url, options.create === true, this.#identity);
    // Finishing what crashed writers left is part of opening, as in any database; on a read-only
    // registry it is skipped and snapshots still include their published writes.
    await this.#intents.recover().catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "EROFS" && error.code !== "EACCES" && error.code !== "EPERM") throw error;
    });
    this.#open = true;
  }

  async close(): Promise<void> {
    // A handle that wrote brings the snapshot cache up to date, so that reads never have to write.
    // Best effort: the cache is derived data, and a damaged registry is verify's to report.
    if (this.#open && this.#wrote) await this.#journaledState().catch(() => undefined);
    this.#open = false;
  }

  async snapshot(): Promise<RegistrySnapshot> {
    const { serial, versions } = await this.#journaledState();
    // Writes published but not journaled yet are whole and final: show them (see fs/intents.ts).
    for (const intent of await this.#intents.published()) {
      const { kind, name, version } = intent.address;
      const state = await this.#records.stateOf(kind, name, version);
      if (state !== undefined) versions.set(addressOf(state.record), state);
    }
    return { serial, versions: [...versions.values()].sort(compareAddresses) };
  }

  /**
   * The registry's identity (its format file, created once) and journal head. Every write is journaled
   * with the next serial, and serials are never reused, so the same head means the same versions — unless
   * a write is published but not journaled yet (a writer at work, or one that crashed): then undefined.
   */
  async stateToken(): Promise<string | undefined> {
    const [identity, journal] = await Promise.all([
      stat(this.#layout.formatFile, { bigint: true }).catch(() => undefined),
      // Its mtime moves with every entry linked into it, even one filling a gap below the head.
      stat(this.#layout.journalDir, { bigint: true }).catch(() => undefined),
    ]);
    if (!identity) return undefined;
    let serial = (await this.#cache.headerSerial()) ?? (await this.#journal.head());
    while (await this.#journal.exists(serial + 1)) serial += 1;
    if ((await this.#intents.published()).length > 0) return undefined;
    return `fs:${identity.dev}:${identity.ino}:${identity.ctimeNs}:${journal?.mtimeNs ?? 0n}:${serial}`;
  }

  /**
   * The files the token is made of, or that move with it: the format file (the identity), the journal's
   * folder (its mtime moves with every entry linked into it) and the folder writes are published from
   * (a write under way makes the token undefined).
   */
  stateWitness(): string[] {
    return [this.#layout.formatFile, this.#layout.journalDir, this.#layout.tmpDir];
  }

  async createVersion(record: VersionRecord, fence?: Fence): Promise<void> {
    const address = addressOf(record);
    await this.#lock.checkFence(fence);
    const intent = await this.#records.create(record);
    // What this write makes the version, kept so that catching the snapshot cache up needs no reading back.
    const state = initialState(JSON.parse(JSON.stringify(record)) as VersionRecord);
    await this.#commit(intent, { op: "create", address, digest: record.digest }, (versions) => {
      versions.set(address, state);
      return true;
    });
  }

  async updateVersion(update: VersionUpdate, fence?: Fence): Promise<void> {
    // Records are never removed, so a version seen here still exists when the update lands.
    if (!(await this.#records.exists(update.kind, update.name, update.version))) throw versionNotFound(addressOf(update));
    await this.#lock.checkFence(fence);
    const intent = await this.#records.addUpdate(update);
    const applied = JSON.parse(JSON.stringify(update)) as VersionUpdate;
    const address = addressOf(update);
    await this.#commit(intent, journalEntryOf(update), (versions) => {
      const before = versions.get(address);
      if (before === undefined) return false;
      versions.set(address, withUpdate(before, applied));
      return true;
    });
  }

  async history(kind: string, name: string, version: string): Promise<VersionUpdate[]> {
    if (!(await this.#records.exists(kind, name, version))) throw versionNotFound(addressOf({ kind, name, version }));
    return (await this.#records.updates(kind, name, version)).map((doc) => doc.update);
  }

  async appendJournal(entry: JournalEntry, fence?: Fence): Promise<number> {
    await this.#lock.checkFence(fence);
    this.#wrote = true;
    return this.#journal.append(entry);
  }

  async journal(): Promise<JournalRecord[]> {
    const records: JournalRecord[] = [];
    for (const serial of await this.#journal.serials()) {
      const read = await this.#journal.read(serial);
      if (read.state === "broken") throw corruptFile(this.#layout.journalPath(serial), read.reason);
      if (read.state === "ok") records.push({ serial: read.file.serial, at: read.file.at, entry: read.file.entry });
    }
    return records;
  }

  /** A journal entry alone: versions are never removed, so the target checked before stays there. */
  async moveAlias(move: AliasMove, fence?: Fence): Promise<number> {
    if (move.to !== null && !(await this.#records.exists(move.kind, move.name, move.to))) throw versionNotFound(addressOf({ kind: move.kind, name: move.name, version: move.to }));
    await this.#lock.checkFence(fence);
    this.#wrote = true;
    return this.#journal.append({ op: "alias", move });
  }

  async aliasHistory(): Promise<AliasRecord[]> {
    return aliasRecordsOf(await this.journal());
  }

  async lock(request: LockRequest): Promise<LockHandle> {
    return acquireWithin(request.timeoutMs, () => this.#lock.attempt(request));
  }

  async currentLock(): Promise<LockInfo | undefined> {
    return this.#lock.held();
  }

  async forceUnlock(id: string): Promise<void> {
    await this.#lock.forceUnlock(id);
  }

  /** What the lock's writes check, for the sweep of the objects beside these records. */
  checkFence(fence: Fence): Promise<void> {
    return this.#lock.checkFence(fence);
  }

  verify(): Promise<RecordsVerified> {
    return verifyFsRecords({ layout: this.#layout, url: this.url, records: this.#records, journal: this.#journal, intents: this.#intents });
  }

  /**
   * Journals a published write, then drops its intent. If journaling fails the intent stays, so the
   * write remains visible and the next open (of any process) journals it.
   */
  async #commit(intent: Intent, entry: JournalEntry, replay: (versions: VersionMap) => boolean): Promise<void> {
    this.#wrote = true;
    const serial = await this.#journal.append(entry, intent.txn);
    this.#own.set(serial, replay);
    removeIfPresent(intent.temp);
  }

  /** The state as of the journal head: the cache, brought forward entry by entry, or a full rebuild. */
  async #journaledState(): Promise<{ serial: number; versions: VersionMap }> {
    const cached = await this.#cache.load();
    if (cached === undefined) return this.#rebuild();
    const versions: VersionMap = new Map(cached.versions.map((v) => [addressOf(v.record), v]));
    let serial = cached.serial;
    for (;;) {
      // An entry this handle wrote is replayed from what it wrote; any other is read back.
      if (this.#own.get(serial + 1)?.(versions) === true) {
        serial += 1;
        continue;
      }
      const read = await this.#journal.read(serial + 1);
      if (read.state === "missing") break;
      // A torn or edited entry, or one naming a record that is gone: trust the records, not the cache.
      if (read.state === "broken" || !(await this.#apply(versions, read.file))) return this.#rebuild();
      serial += 1;
    }
    if (serial !== cached.serial) await this.#cache.save({ serial, versions: [...versions.values()].sort(compareAddresses) });
    return { serial, versions };
  }

  async #apply(versions: VersionMap, file: JournalFile): Promise<boolean> {
    const { entry } = file;
    if (entry.op === "apply-begin" || entry.op === "apply-end" || entry.op === "alias") return true;
    const [kind, name, version] = entry.address.split(":");
    if (kind === undefined || name === undefined || version === undefined) return false;
    const state = await this.#records.stateOf(kind, name, version);
    if (state === undefined) return false;
    versions.set(entry.address, state);
    return true;
  }

  /**
   * Reads every record and history entry — the source of truth — as of the journal head read first,
   * so the cache may run ahead of its serial but never behind (replaying an entry is harmless).
   * Synchronous reads on purpose: for thousands of small files they are ~5x faster than fs/promises,
   * and a rebuild is a rare, one-off pause.
   */
  async #rebuild(): Promise<{ serial: number; versions: VersionMap }> {
    const serial = await this.#journal.head();
    const versions: VersionMap = new Map();
    for (const { file } of this.#records.recordFiles()) {
      const doc = parseRecordDoc(readRegularTextSync(file));
      if (typeof doc === "string") throw corruptFile(file, doc);
      versions.set(addressOf(doc.record), initialState(doc.record));
    }
    // Sequence numbers are per version, so one global sort puts each version's updates in order.
    for (const { file } of this.#records.historyFiles().sort((a, b) => a.seq - b.seq)) {
      const doc = parseUpdateDoc(readRegularTextSync(file));
      if (typeof doc === "string") throw corruptFile(file, doc);
      const address = addressOf(doc.update);
      const state = versions.get(address);
      if (state !== undefined) versions.set(address, withUpdate(state, doc.update));
    }
    await this.#cache.save({ serial, versions: [...versions.values()].sort(compareAddresses) });
    return { serial, versions };
  }
}
