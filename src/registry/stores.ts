// The two halves a team registry is made of, so that any records backend (a directory, PostgreSQL) can
// be combined with any objects backend (a directory, an OCI registry) by the split driver.
import type { Readable } from "node:stream";
import type { FenceCheck, ObjectSource, ObjectSweep, PutObjectOptions, RegistryDriver, VerifyOptions } from "./driver.js";
import type { Digest, VerifyProblem, VersionRecord } from "./types.js";

/**
 * Version records, their history, the journal and the apply lock: every RegistryDriver method but the
 * object ones, with the same contract. `createVersion` does not check objects (the split driver has
 * checked them in the objects store); `verify` checks records and journal only.
 */
export type RecordStore = Omit<RegistryDriver, "hasObject" | "putObject" | "readObject" | "repairObject" | "sweep">;

/** Content-addressed bytes, with the same contract as the RegistryDriver object methods. */
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
