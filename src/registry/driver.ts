// The one interface every registry backend implements. Apply and the read commands talk to a registry
// only through it; the conformance suite (conformance.ts) is its executable contract.
import type { Readable } from "node:stream";
import type {
  Digest,
  JournalEntry,
  JournalRecord,
  LockInfo,
  RegistrySnapshot,
  VerifyProblem,
  VersionRecord,
  VersionUpdate,
} from "./types.js";

/** Where an object's bytes come from. Drivers may clone `file` sources copy-on-write. */
export type ObjectSource = { kind: "file"; path: string; size: number } | { kind: "bytes"; data: Buffer };

export interface LockRequest {
  owner: string;
  operation: string;
  /** How long to wait for another holder, in ms; 0 fails at once. */
  timeoutMs: number;
  /** How long the lock stays valid without renewal, in ms. */
  ttlMs?: number;
}

export interface LockHandle {
  readonly info: LockInfo;
  release(): Promise<void>;
}

export interface RegistryDriver {
  /** How the registry is named in plans and messages (a path or URL, never with credentials). */
  readonly url: string;
  /** Creates the registry if absent; refuses a registry of a newer or unknown format. */
  open(options?: { create?: boolean }): Promise<void>;
  close(): Promise<void>;

  snapshot(): Promise<RegistrySnapshot>;

  hasObject(digest: Digest): Promise<boolean>;
  /** Stores bytes under their digest; verifies the digest; a no-op when the object exists. */
  putObject(digest: Digest, source: ObjectSource): Promise<void>;
  /** Reads an object, failing if its bytes no longer match the digest. */
  readObject(digest: Digest): Promise<Readable>;

  /** Write-once: throws VersionExistsError when kind:name:version exists, whatever the content. */
  createVersion(record: VersionRecord): Promise<void>;
  /** Records a mutable-field change or archive flag in the version's history. */
  updateVersion(update: VersionUpdate): Promise<void>;
  history(kind: string, name: string, version: string): Promise<VersionUpdate[]>;

  appendJournal(entry: JournalEntry): Promise<number>;
  journal(): Promise<JournalRecord[]>;

  lock(request: LockRequest): Promise<LockHandle>;
  currentLock(): Promise<LockInfo | undefined>;
  forceUnlock(id: string): Promise<void>;

  verify(): Promise<VerifyProblem[]>;
}

export class RegistryError extends Error {
  constructor(
    readonly code:
      | "version-exists"
      | "object-digest-mismatch"
      | "object-missing"
      | "format-newer"
      | "format-unknown"
      | "corrupt"
      | "locked"
      | "lock-not-found"
      | "not-found"
      | "unavailable",
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "RegistryError";
  }
}
