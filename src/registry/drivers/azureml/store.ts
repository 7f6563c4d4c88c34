// Where the Azure ML driver keeps what Azure ML has no field for: content-addressed objects, the files a
// version points at, the journal and the apply lock. A workspace keeps them in its default blob datastore
// (storage.ts); a registry, which has no storage assetctl can list or lock, in assets of its own
// (registry-store.ts). The driver sees only this.
import type { Readable } from "node:stream";
import type { ObjectSource, PutObjectOptions } from "../../driver.js";
import type { Digest, JournalEntry, LockInfo, VersionRecord, VersionUpdate } from "../../types.js";

/**
 * One journal line: the entry, for updates the update itself (a version's history), and for a create or
 * update of an asset version the version as Azure ML answered the write (what a snapshot reads instead of
 * listing the version again).
 */
export interface JournalLine {
  at: string;
  entry: JournalEntry;
  update?: VersionUpdate;
  resource?: Record<string, unknown>;
  /** On a create: the version's container did not exist before it (no version predates assetctl's). */
  container_new?: boolean;
  /** On an adopt: the record the unmanaged version is known by from now on. */
  adopted?: VersionRecord;
}

/** A blob under a URI a version points at: its path below that URI ("" for the URI itself), size and Content-MD5 (base64, when set). */
export interface RemoteFile {
  path: string;
  size: number;
  md5: string | undefined;
}

/**
 * The apply lock as a compare-and-swap cell. `read` answers the holder (undefined when free) and a token
 * naming what was read; `take`, `renew` and `release` succeed only while the cell is still as read.
 */
export interface LockSlot {
  read(): Promise<{ info: LockInfo | undefined; token: string }>;
  take(info: LockInfo, token: string): Promise<boolean>;
  renew(info: LockInfo, token: string): Promise<boolean>;
  release(token: string): Promise<boolean>;
}

export interface AssetStore {
  readMarker(): Promise<{ format: number } | undefined>;
  /** Sets up assetctl's bookkeeping; idempotent and safe to run from two processes. */
  create(): Promise<void>;
  hasObject(digest: Digest): Promise<boolean>;
  putObject(digest: Digest, source: ObjectSource, options?: PutObjectOptions): Promise<void>;
  readObject(digest: Digest): Promise<Readable>;
  /** Puts a new version's artifact files where Azure ML reads them from; answers artifact pointer → URI. */
  placeArtifacts(record: VersionRecord): Promise<Map<string, string>>;
  /** Appends one entry and answers its serial. */
  append(line: JournalLine): Promise<number>;
  journalLines(): Promise<{ lines: JournalLine[] }>;
  /** Cheap: what changes with every append. */
  journalState(): Promise<{ count: number; etag: string | undefined }>;
  readonly lock: LockSlot;
  /**
   * The blobs at and below an `azureml://…/datastores/NAME/paths/PATH` URI, when it names this store's
   * datastore; undefined when this store cannot list it (another datastore, a registry's storage).
   */
  filesAt?(uri: string): Promise<RemoteFile[] | undefined>;
  /** Data asset names that are assetctl's own bookkeeping, never versions of the user's. */
  readonly reserved: ReadonlySet<string>;
}
