// The one interface every registry backend implements. Apply and the read commands talk to a registry
// only through it; the conformance suite (conformance.test-helper.ts, never shipped) is its executable contract.
import type { Readable } from "node:stream";
import type { OnProgress } from "../progress.js";
import { redact } from "../redact.js";
import type {
  AliasMove,
  AliasRecord,
  Artifact,
  ArtifactFile,
  ContentMatch,
  Digest,
  JournalEntry,
  JournalRecord,
  LockInfo,
  RegistrySnapshot,
  StoredVersion,
  VerifyProblem,
  VersionRecord,
  VersionUpdate,
} from "./types.js";

/** Where an object's bytes come from. Drivers may clone `file` sources copy-on-write. */
export type ObjectSource = { kind: "file"; path: string; size: number } | { kind: "bytes"; data: Buffer };

export interface PutObjectOptions {
  /**
   * Told of bytes as they are stored, each call the count of new ones: together they make the object's
   * size, never more (a resent chunk is not counted twice). Not called when the object was there already.
   * Bytes a driver copies in one call (a clone) may come in one piece; must be cheap.
   */
  onBytes?: ((bytes: number) => void) | undefined;
  /** When aborted, a driver that copies in steps stops at the next one, storing nothing (the reason is thrown). */
  signal?: AbortSignal | undefined;
}

export interface VerifyOptions {
  /** Told of the bytes re-hashed, as the phase "verifying"; must be cheap. */
  onProgress?: OnProgress | undefined;
}

/** An object as the store keeps it, for gc's sweep. */
export interface StoredObject {
  digest: Digest;
  size: number;
  /** When the bytes were stored (ISO time): objects younger than the grace period are never swept. */
  stored_at: string;
}

export interface TrashedObject {
  digest: Digest;
  size: number;
  /** When gc moved it to the trash (ISO time). */
  trashed_at: string;
}

/**
 * What gc's second phase needs of an objects store: swept objects go to a trash, whole, from which they
 * can be brought back until purged. Every call that moves bytes carries the apply lock's fence and is
 * refused ("locked", nothing more moved) once that lock is no longer current.
 */
export interface ObjectSweep {
  /** Every stored object, the trash not included. */
  listObjects(): Promise<StoredObject[]>;
  /** Moves objects to the trash, each in one step; an object no longer there is skipped. Returns those moved. */
  trashObjects(digests: readonly Digest[], at: Date, fence: Fence): Promise<Digest[]>;
  listTrash(): Promise<TrashedObject[]>;
  /** Moves trashed objects back (all of them when `digests` is undefined). Returns those brought back. */
  restoreObjects(digests: readonly Digest[] | undefined, fence: Fence): Promise<Digest[]>;
  /** Deletes for good what was trashed before `before`. Returns what was deleted. */
  purgeTrash(before: Date, fence: Fence): Promise<Digest[]>;
}

/** How a store that does not keep the lock itself asks whether a fence is current (throws "locked" if not). */
export type FenceCheck = (fence: Fence) => Promise<void>;

export interface LockRequest {
  owner: string;
  operation: string;
  /** How long to wait for another holder, in ms; 0 fails at once. */
  timeoutMs: number;
  /** How long the lock stays valid without renewal, in ms (default: DEFAULT_LOCK_TTL_MS). */
  ttlMs?: number;
}

/**
 * The lock a write is made under, by its id: each taking of the lock has a new one (its generation).
 * A write that carries a fence is refused with "locked" unless that lock is still the registry's current
 * lock, not released, forced open or taken over; the check is part of the write, so a holder that lost
 * its lock writes nothing more, even before its next renewal tells it so.
 */
export interface Fence {
  lockId: string;
}

export interface LockHandle {
  readonly info: LockInfo;
  /** Idempotent; never releases a lock someone else has since taken over. */
  release(): Promise<void>;
  /**
   * Moves the lock's expiry to a full time-to-live from now (`info.expires_at` follows), so that an apply
   * longer than that keeps its lock. Fails with "locked" when this lock is no longer held: released,
   * force-unlocked, or taken over as expired.
   */
  renew(): Promise<void>;
}

export interface RegistryDriver {
  /** How the registry is named in plans and messages (a path or URL, never with credentials). */
  readonly url: string;
  /**
   * Must be called before anything else. Creates the registry when absent and `create` is true
   * (otherwise "not-found"); refuses a registry of a newer ("format-newer") or unknown format.
   */
  open(options?: { create?: boolean }): Promise<void>;
  close(): Promise<void>;

  /** Every version with its latest mutable state, sorted by address. The result is the caller's to keep. */
  snapshot(): Promise<RegistrySnapshot>;
  /**
   * A short text that is the same only while snapshot() would answer the same, read without reading the
   * snapshot: what lets a plan of unchanged files against an unchanged registry be reused. Undefined
   * when the driver cannot tell cheaply, or not now (a write is under way).
   */
  stateToken?(): Promise<string | undefined>;

  /**
   * Optional, beside stateToken: files whose stats, unchanged and older than the filesystem's clock when
   * they were read, vouch that the token is unchanged too — so that a process can tell without opening the
   * registry (see cli/answer.ts). Read before the token; undefined where no files can vouch (a server).
   */
  stateWitness?(): string[] | undefined;

  /**
   * Optional, for registries that hold versions made elsewhere (`unmanaged` in the snapshot): whether
   * `stored` holds the content of `record`, whose files `read` gives (by artifact and file). No write.
   */
  sameContent?(stored: StoredVersion, record: VersionRecord, read: (artifact: Artifact, file: ArtifactFile) => Promise<Buffer>): Promise<ContentMatch>;
  /**
   * Makes an unmanaged version managed, with `record` (its content as sameContent found it) as its
   * record from now on; journaled as `adopt`. "version-not-found" when it is gone, "version-exists"
   * when it is managed already.
   */
  adoptVersion?(record: VersionRecord, fence?: Fence): Promise<void>;

  hasObject(digest: Digest): Promise<boolean>;
  /**
   * Stores bytes under their digest, refusing bytes that hash otherwise ("object-digest-mismatch",
   * nothing stored). A no-op when the object exists: the source is then not read.
   */
  putObject(digest: Digest, source: ObjectSource, options?: PutObjectOptions): Promise<void>;
  /**
   * Reads an object: "object-missing" when absent. The bytes are checked against the digest as they
   * stream; a mismatch fails the stream with RegistryError "corrupt" at its end, so write to a
   * temporary file and keep it only once the stream ended cleanly.
   */
  readObject(digest: Digest): Promise<Readable>;
  /**
   * Optional: replaces an object that is missing, or whose stored bytes no longer hash to its digest, with
   * bytes that do ("object-digest-mismatch" otherwise, nothing stored): "restored". A sound object is
   * left as it is and the source not read: "sound". The one write that may replace an object's bytes, and
   * only with the bytes its name promises, so immutability holds.
   */
  repairObject?(digest: Digest, source: ObjectSource, options?: PutObjectOptions): Promise<"restored" | "sound">;

  /**
   * Write-once: throws RegistryError "version-exists" when kind:name:version exists, whatever the
   * content. Every object the artifacts name must be stored first ("object-missing"). Journals a
   * `create` entry as part of the same operation. Every write refuses a `fence` that is not current
   * ("locked", nothing written): see Fence.
   */
  createVersion(record: VersionRecord, fence?: Fence): Promise<void>;
  /**
   * Records a mutable-field change or archive flag in the version's history ("not-found" for an
   * unknown version) and journals an `update` (or, for an archive flag alone, `archive`) entry.
   * `mutable`, when given, replaces the mutable fields as a whole.
   */
  updateVersion(update: VersionUpdate, fence?: Fence): Promise<void>;
  /** The version's updates, oldest first; "not-found" for an unknown version. */
  history(kind: string, name: string, version: string): Promise<VersionUpdate[]>;

  /**
   * Appends an apply-begin/apply-end marker and returns its serial. create/update/archive entries
   * are written by the driver itself and refused here ("invalid").
   */
  appendJournal(entry: JournalEntry, fence?: Fence): Promise<number>;
  journal(): Promise<JournalRecord[]>;

  /**
   * Sets, moves or removes (`to: null`) an alias and journals the move in the same operation: the move
   * is a journal entry `{op: "alias", move}`, so it bumps the serial (a saved plan goes stale). "not-found"
   * when `to` names no version; "invalid" for a malformed move (checkAliasMove); fenced like every write.
   * `from` is what the caller saw; the move is recorded as given. Returns the move's serial.
   */
  moveAlias(move: AliasMove, fence?: Fence): Promise<number>;
  /** Every alias move, oldest first. The current aliases are the last move of each `kind:name@alias`. */
  aliasHistory(): Promise<AliasRecord[]>;

  /**
   * The sweep of gc's second phase, when this registry can delete objects itself. Undefined where another
   * system frees the bytes (an OCI registry's own garbage collection, Azure ML's storage).
   */
  readonly sweep?: ObjectSweep | undefined;

  lock(request: LockRequest): Promise<LockHandle>;
  /** The lock that would block a `lock()` now: undefined when free, released, expired or its holder is gone. */
  currentLock(): Promise<LockInfo | undefined>;
  forceUnlock(id: string): Promise<void>;

  /** Reports every problem found, in one pass; re-hashing the objects is what takes time. */
  verify(options?: VerifyOptions): Promise<VerifyProblem[]>;
}

export type RegistryErrorCode =
  | "version-exists"
  | "object-digest-mismatch"
  | "object-missing"
  | "format-newer"
  | "format-unknown"
  | "corrupt"
  | "locked"
  | "lock-not-found"
  | "not-found"
  /** A record, update, digest or name the registry refuses to store (e.g. a name that could become a path). */
  | "invalid"
  | "unavailable";

export class RegistryError extends Error {
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    // Driver messages quote addresses and server errors: no credential in them survives.
    super(redact(message));
    this.name = "RegistryError";
  }
}
