// RegistryCore: the one RegistryDriver made of a records store and an objects store (stores.ts), and the
// one place the contract's checks run: the registry is open, digests, records, updates, addresses,
// alias moves and journal entries are well formed, and a version's objects are stored before its record
// is created, so a record never names bytes that are not there. The stores keep only what each alone can
// check (write-once, existence, the fence as part of its write). The embedded registry is both halves in
// one directory (drivers/fs.ts), the test double both in memory (drivers/memory.ts); a team keeps records
// where transactions and locks are cheap (PostgreSQL) and bytes where large files are at home (OCI).
import type { Readable } from "node:stream";
import { RegistryError, type Fence, type FenceCheck, type ObjectSweep, type LockHandle, type LockRequest, type ObjectSource, type PutObjectOptions, type RegistryDriver, type VerifyOptions } from "./driver.js";
import { fencedError } from "./lock-policy.js";
import type { ObjectStore, RecordStore } from "./stores.js";
import { addressOf, type AliasMove, type AliasRecord, type Digest, type JournalEntry, type JournalRecord, type LockInfo, type RegistrySnapshot, type VerifyProblem, type VersionRecord, type VersionUpdate } from "./types.js";
import { checkAddress, checkAliasMove, checkCallerJournalEntry, checkDigest, checkVersionRecord, checkVersionUpdate, requireObjects } from "./validate.js";

export class RegistryCore implements RegistryDriver {
  readonly url: string;
  #open = false;

  constructor(
    readonly records: RecordStore,
    readonly objects: ObjectStore,
    options: { url?: string } = {},
  ) {
    this.url = options.url ?? joinSplitUrl(records.url, objects.url);
  }

  /**
   * gc's sweep of the objects store, when it can delete (an OCI registry frees bytes by its own garbage
   * collection). Its fence is checked against the records store's lock before each object moves.
   */
  get sweep(): ObjectSweep | undefined {
    const { objects, records } = this;
    const sweeper = objects.sweeper?.bind(objects);
    if (sweeper === undefined) return undefined;
    const checkFence: FenceCheck =
      records.checkFence?.bind(records) ??
      (async (fence) => {
        if ((await records.currentLock())?.id !== fence.lockId) throw fencedError(fence, this.url);
      });
    const sweep = (): ObjectSweep => {
      this.#ensureOpen();
      return sweeper(checkFence);
    };
    return {
      listObjects: async () => sweep().listObjects(),
      trashObjects: async (digests, at, fence) => sweep().trashObjects(digests, at, fence),
      listTrash: async () => sweep().listTrash(),
      restoreObjects: async (digests, fence) => sweep().restoreObjects(digests, fence),
      purgeTrash: async (before, fence) => sweep().purgeTrash(before, fence),
    };
  }

  async open(options: { create?: boolean } = {}): Promise<void> {
    await this.records.open(options);
    try {
      await this.objects.open(options);
    } catch (error) {
      await this.records.close().catch(() => {});
      throw error;
    }
    this.#open = true;
  }

  async close(): Promise<void> {
    this.#open = false;
    const results = await Promise.allSettled([this.records.close(), this.objects.close()]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  async snapshot(): Promise<RegistrySnapshot> {
    this.#ensureOpen();
    return this.records.snapshot();
  }

  async stateToken(): Promise<string | undefined> {
    this.#ensureOpen();
    return this.records.stateToken?.();
  }

  stateWitness(): string[] | undefined {
    return this.records.stateWitness?.();
  }

  async hasObject(digest: Digest): Promise<boolean> {
    this.#checkObject(digest);
    return this.objects.hasObject(digest);
  }

  async putObject(digest: Digest, source: ObjectSource, options?: PutObjectOptions): Promise<void> {
    this.#checkObject(digest);
    return this.objects.putObject(digest, source, options);
  }

  async repairObject(digest: Digest, source: ObjectSource, options?: PutObjectOptions): Promise<"restored" | "sound"> {
    this.#checkObject(digest);
    if (!this.objects.repairObject) throw new RegistryError("unavailable", `The object store ${this.objects.url} cannot repair objects.`);
    return this.objects.repairObject(digest, source, options);
  }

  async readObject(digest: Digest): Promise<Readable> {
    this.#checkObject(digest);
    return this.objects.readObject(digest);
  }

  async createVersion(record: VersionRecord, fence?: Fence): Promise<void> {
    this.#ensureOpen();
    checkVersionRecord(record);
    await requireObjects(record, (digest) => this.objects.hasObject(digest));
    await this.records.createVersion(record, fence);
    if (this.objects.publishVersion === undefined) return;
    try {
      await this.objects.publishVersion(record);
    } catch (error) {
      if (!(error instanceof RegistryError)) throw error;
      // The record is the truth and is whole; only its mirror in the objects store is missing.
      throw new RegistryError(
        error.code,
        `${addressOf(record)} was created, but publishing it to ${this.objects.url} failed: ${error.message}`,
        "run apply again once the objects store is reachable: the next apply publishes what is missing",
      );
    }
  }

  async updateVersion(update: VersionUpdate, fence?: Fence): Promise<void> {
    this.#ensureOpen();
    checkVersionUpdate(update);
    return this.records.updateVersion(update, fence);
  }

  async history(kind: string, name: string, version: string): Promise<VersionUpdate[]> {
    this.#ensureOpen();
    checkAddress(kind, name, version);
    return this.records.history(kind, name, version);
  }

  async journal(): Promise<JournalRecord[]> {
    this.#ensureOpen();
    return this.records.journal();
  }

  async appendJournal(entry: JournalEntry, fence?: Fence): Promise<number> {
    this.#ensureOpen();
    checkCallerJournalEntry(entry);
    return this.records.appendJournal(entry, fence);
  }

  /** Aliases name versions, not objects: the records side keeps them. */
  async moveAlias(move: AliasMove, fence?: Fence): Promise<number> {
    this.#ensureOpen();
    checkAliasMove(move);
    return this.records.moveAlias(move, fence);
  }

  async aliasHistory(): Promise<AliasRecord[]> {
    this.#ensureOpen();
    return this.records.aliasHistory();
  }

  /** Whoever takes the lock first finishes publications an earlier, interrupted apply left undone. */
  async lock(request: LockRequest): Promise<LockHandle> {
    this.#ensureOpen();
    const handle = await this.records.lock(request);
    if (this.objects.publishMissing === undefined) return handle;
    try {
      const { versions } = await this.records.snapshot();
      await this.objects.publishMissing(versions.map((v) => v.record));
    } catch (error) {
      await handle.release().catch(() => {});
      throw error;
    }
    return handle;
  }

  async currentLock(): Promise<LockInfo | undefined> {
    this.#ensureOpen();
    return this.records.currentLock();
  }

  async forceUnlock(id: string): Promise<void> {
    this.#ensureOpen();
    return this.records.forceUnlock(id);
  }

  /**
   * The records first, then the objects they need: objects are stored before the records that name them,
   * so a version created meanwhile has its objects by the time they are read. Only the objects store
   * re-hashes anything, so only it reports progress.
   */
  async verify(options?: VerifyOptions): Promise<VerifyProblem[]> {
    this.#ensureOpen();
    const { problems, versions } = await this.records.verify();
    // A version gc deleted no longer needs its objects: they may have been swept.
    const live = versions.filter((v) => v.deleted !== true).map((v) => v.record);
    problems.push(...(await this.objects.verify(live, options)));
    return problems;
  }

  #checkObject(digest: Digest): void {
    this.#ensureOpen();
    checkDigest(digest);
  }

  #ensureOpen(): void {
    if (!this.#open) throw new RegistryError("unavailable", `The registry ${this.url} is not open.`);
  }
}

/**
 * The one-string form of a split registry: the records address with `objects=` as its last query
 * parameter. Everything after `objects=` is the objects address, so it may carry its own query.
 */
export function joinSplitUrl(records: string, objects: string): string {
  return `${records}${records.includes("?") ? "&" : "?"}objects=${objects}`;
}
