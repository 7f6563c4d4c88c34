// SplitDriver: one RegistryDriver made of a records store (a directory or PostgreSQL) and an objects
// store (a directory or an OCI registry), so a team can keep records where transactions and locks are
// cheap and bytes where large files are at home. A version's objects are checked in the objects store
// before its record is created, so a record never names bytes that are not there.
import type { Readable } from "node:stream";
import { RegistryError, type Fence, type ObjectSweep, type LockHandle, type LockRequest, type ObjectSource, type PutObjectOptions, type RegistryDriver, type VerifyOptions } from "../driver.js";
import { objectMissingFor } from "../errors.js";
import { fencedError } from "../lock-policy.js";
import type { ObjectStore, RecordStore } from "../stores.js";
import {
  addressOf,
  type Digest,
  type AliasMove,
  type AliasRecord,
  type JournalEntry,
  type JournalRecord,
  type LockInfo,
  type RegistrySnapshot,
  type VerifyProblem,
  type VersionRecord,
  type VersionUpdate,
} from "../types.js";
import { checkDigest, checkVersionRecord, objectDigestsOf } from "../validate.js";

export class SplitDriver implements RegistryDriver {
  readonly url: string;

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
    return this.objects.sweeper?.(async (fence) => {
      if ((await this.records.currentLock())?.id !== fence.lockId) throw fencedError(fence, this.url);
    });
  }

  async open(options: { create?: boolean } = {}): Promise<void> {
    await this.records.open(options);
    try {
      await this.objects.open(options);
    } catch (error) {
      await this.records.close().catch(() => {});
      throw error;
    }
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled([this.records.close(), this.objects.close()]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  snapshot(): Promise<RegistrySnapshot> {
    return this.records.snapshot();
  }

  stateToken(): Promise<string | undefined> {
    return this.records.stateToken?.() ?? Promise.resolve(undefined);
  }

  async hasObject(digest: Digest): Promise<boolean> {
    checkDigest(digest);
    return this.objects.hasObject(digest);
  }

  async putObject(digest: Digest, source: ObjectSource, options?: PutObjectOptions): Promise<void> {
    checkDigest(digest);
    return this.objects.putObject(digest, source, options);
  }

  async repairObject(digest: Digest, source: ObjectSource, options?: PutObjectOptions): Promise<"restored" | "sound"> {
    checkDigest(digest);
    if (!this.objects.repairObject) throw new RegistryError("unavailable", `The object store ${this.objects.url} cannot repair objects.`);
    return this.objects.repairObject(digest, source, options);
  }

  async readObject(digest: Digest): Promise<Readable> {
    checkDigest(digest);
    return this.objects.readObject(digest);
  }

  async createVersion(record: VersionRecord, fence?: Fence): Promise<void> {
    checkVersionRecord(record);
    const address = addressOf(record);
    const present = await Promise.all(objectDigestsOf(record).map(async (d) => [d, await this.objects.hasObject(d)] as const));
    const missing = present.find(([, has]) => !has);
    if (missing) throw objectMissingFor(address, missing[0]);
    await this.records.createVersion(record, fence);
    if (this.objects.publishVersion === undefined) return;
    try {
      await this.objects.publishVersion(record);
    } catch (error) {
      if (!(error instanceof RegistryError)) throw error;
      // The record is the truth and is whole; only its mirror in the objects store is missing.
      throw new RegistryError(
        error.code,
        `${address} was created, but publishing it to ${this.objects.url} failed: ${error.message}`,
        "run apply again once the objects store is reachable: the next apply publishes what is missing",
      );
    }
  }

  updateVersion(update: VersionUpdate, fence?: Fence): Promise<void> {
    return this.records.updateVersion(update, fence);
  }

  history(kind: string, name: string, version: string): Promise<VersionUpdate[]> {
    return this.records.history(kind, name, version);
  }

  appendJournal(entry: JournalEntry, fence?: Fence): Promise<number> {
    return this.records.appendJournal(entry, fence);
  }

  journal(): Promise<JournalRecord[]> {
    return this.records.journal();
  }

  /** Aliases name versions, not objects: the records side keeps them. */
  moveAlias(move: AliasMove, fence?: Fence): Promise<number> {
    return this.records.moveAlias(move, fence);
  }

  aliasHistory(): Promise<AliasRecord[]> {
    return this.records.aliasHistory();
  }

  /** Whoever takes the lock first finishes publications an earlier, interrupted apply left undone. */
  async lock(request: LockRequest): Promise<LockHandle> {
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

  currentLock(): Promise<LockInfo | undefined> {
    return this.records.currentLock();
  }

  forceUnlock(id: string): Promise<void> {
    return this.records.forceUnlock(id);
  }

  /** Only the objects store re-hashes anything, so only it reports progress. */
  async verify(options?: VerifyOptions): Promise<VerifyProblem[]> {
    const problems = await this.records.verify();
    const { versions } = await this.records.snapshot();
    // A version gc deleted no longer needs its objects: they may have been swept.
    problems.push(...(await this.objects.verify(versions.filter((v) => v.deleted !== true).map((v) => v.record), options)));
    return problems;
  }
}

/**
 * The one-string form of a split registry: the records address with `objects=` as its last query
 * parameter. Everything after `objects=` is the objects address, so it may carry its own query.
 */
export function joinSplitUrl(records: string, objects: string): string {
  return `${records}${records.includes("?") ? "&" : "?"}objects=${objects}`;
}
