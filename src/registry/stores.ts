// The two halves every splittable registry is made of, so that any records backend (a directory, memory,
// PostgreSQL) can be combined with any objects backend (a directory, memory, an OCI registry) by the
// registry core (core.ts), which runs the contract's checks before a call reaches either half.
import type { Readable } from "node:stream";
import type { Fence, FenceCheck, ObjectSource, ObjectSweep, PutObjectOptions, RegistryDriver, VerifyOptions } from "./driver.js";
import type { Digest, StoredVersion, VerifyProblem, VersionRecord } from "./types.js";

/** What a records store's verify found, and the versions it read, whose objects the objects store then checks. */
export interface RecordsVerified {
  problems: VerifyProblem[];
  /** Every version whose record could be read, with gc's deletion flag: a deleted one needs no objects. */
  versions: Pick<StoredVersion, "record" | "deleted">[];
}

/**
 * Version records, their history, the journal and the apply lock: every RegistryDriver method but the
 * object ones, with the same contract. The core has checked what a caller passes before a store sees it
 * (the registry is open; records, updates, addresses, moves and journal entries are well formed; a new
 * version's objects are stored), so a store checks only what it alone can: write-once, a version's
 * existence, and the fence, as part of its write. `verify` checks records and journal only.
 */
export type RecordStore = Omit<RegistryDriver, "hasObject" | "putObject" | "readObject" | "repairObject" | "sweep" | "verify"> & {
  verify(): Promise<RecordsVerified>;
  /**
   * Optional: throws "locked" unless the fence's lock is the current one, as the store's own writes
   * check it; used for the objects store's sweep. Without it the core compares with `currentLock()`.
   */
  checkFence?(fence: Fence): Promise<void>;
};

/**
 * Content-addressed bytes, with the same contract as the RegistryDriver object methods. The core has
 * checked that the registry is open and every digest well formed.
 */
export interface ObjectStore {
  /** How the store is named in messages, never with credentials. */
  readonly url: string;
  open(options?: { create?: boolean }): Promise<void>;
  close(): Promise<void>;
  hasObject(digest: Digest): Promise<boolean>;
  putObject(digest: Digest, source: ObjectSource, options?: PutObjectOptions): Promise<void>;
  readObject(digest: Digest): Promise<Readable>;
  /** Optional, as RegistryDriver.repairObject. */
  repairObject?(digest: Digest, source: ObjectSource, options?: PutObjectOptions): Promise<"restored" | "sound">;
  /**
   * Checks the objects these records need (present, and hashing to their digest), plus whatever the
   * store keeps per version (an OCI artifact). A store that can list its objects may check them all.
   */
  verify(records: VersionRecord[], options?: VerifyOptions): Promise<VerifyProblem[]>;
  /**
   * Optional: makes a newly created version visible in the store's own terms (an OCI artifact tagged
   * by name and version). Called after the record is created; must be idempotent.
   */
  publishVersion?(record: VersionRecord): Promise<void>;
  /**
   * Optional: publishes whatever `publishVersion` missed for these versions (its caller crashed or the
   * store was unreachable in between). Called by a process that has just taken the apply lock.
   */
  publishMissing?(records: VersionRecord[]): Promise<number>;
  /**
   * Optional: gc's sweep of this store, its fences checked by `checkFence` (the records store keeps the
   * lock). Absent where another system frees the bytes (an OCI registry's own garbage collection).
   */
  sweeper?(checkFence: FenceCheck): ObjectSweep;
}
