// The digest cache, like git's index: a file whose (device, inode, size, mtime, ctime) are unchanged since
// it was hashed keeps its digest without being read again. Persisted in `.assetctl/cache/digests.json`.
import { mkdirSync, statSync, writeFileSync, type BigIntStats } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomically } from "../atomic-write.js";
import type { Digest } from "../registry/types.js";
import { newestNs, statKey } from "./stat-key.js";

const FORMAT = 1;
const FILE_NAME = "digests.json";
/** Beyond this many entries the oldest are forgotten, so the file stays small whatever the history. */
const MAX_ENTRIES = 200_000;
/**
 * A file written within this window of being hashed could be written again with the same mtime (coarse
 * timestamps: 2 s on FAT, 1 s on ext3/HFS+) and the cache could not tell. Such entries are not kept —
 * where the filesystem's own clock is not known (see filesystemClock).
 */
export const RACY_WINDOW_NS = 2_000_000_000n;

/** Written to read the filesystem's clock (see filesystemClock). */
const CLOCK_FILE = "clock";

/**
 * The filesystem's clock, as the timestamp it gives a file written now in `dir` (git compares with its
 * index file's the same way): its granularity is the filesystem's, whatever it is, so a file whose
 * timestamps are older cannot be written again without them moving. `root`: the tree this clock is for;
 * where `dir` is on another filesystem, or nothing can be written, the wall clock less the coarsest
 * granularity in use (2 s, FAT).
 */
export function filesystemClock(dir: string, root?: string): bigint {
  const fallback = BigInt(Date.now()) * 1_000_000n - RACY_WINDOW_NS;
  const probe = path.join(dir, CLOCK_FILE);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, String(process.pid));
    const st = statSync(probe, { bigint: true });
    return root === undefined || statSync(root, { bigint: true }).dev === st.dev ? st.mtimeNs : fallback;
  } catch {
    return fallback;
  }
}

interface Entry {
  digest: Digest;
  /** When it was hashed, ms since the epoch; older entries go first when the cache is full. */
  at: number;
}

interface CacheFile {
  format: number;
  /** key → [hex digest, hashed-at ms] */
  entries: Record<string, [string, number]>;
}

export { statKey };

/**
 * Whether a file with these stats, read at `hashedAtNs`, may have been changed without its stats moving:
 * not older than `clockNs`, the filesystem's clock read before the run read anything (filesystemClock),
 * where known; else within RACY_WINDOW_NS of `hashedAtNs`.
 */
export function isRacy(st: BigIntStats, hashedAtNs: bigint, clockNs?: bigint): boolean {
  return isRacyStamp(stampOf(st), hashedAtNs, clockNs);
}

/**
 * What the cache knows a file by, kept instead of its stats while a run goes on: a BigIntStats (with its
 * dates and bigints) is ten times the size, and a run keeps one per artifact file.
 */
export interface FileStamp {
  /** statKey of the stats. */
  key: string;
  /** The newer of mtime and ctime, ns since the epoch. */
  newestNs: bigint;
}

export function stampOf(st: BigIntStats): FileStamp {
  return { key: statKey(st), newestNs: newestNs(st) };
}

/** isRacy, for a stamp. */
export function isRacyStamp(stamp: FileStamp, hashedAtNs: bigint, clockNs?: bigint): boolean {
  return clockNs === undefined ? stamp.newestNs + RACY_WINDOW_NS > hashedAtNs : stamp.newestNs >= clockNs;
}

export class StatCache {
  /** Entries as the file holds them, checked one by one when asked: a warm run asks for each once. */
  private readonly stored: Record<string, unknown>;
  /** Entries made or refreshed by this run. */
  private readonly entries: Map<string, Entry>;
  private changed = false;
  hits = 0;
  misses = 0;

  /** Wall clock in ns since the epoch; replaceable so that tests can hash "later". */
  readonly now: () => bigint;
  /**
   * The filesystem's clock read before the run read any file (filesystemClock): a file is racy when its
   * timestamps are not older. Without it, when they are within RACY_WINDOW_NS of the wall clock.
   */
  readonly clockNs: bigint | undefined;

  /** `file` is where save() writes; undefined for a cache that lives in memory only. */
  constructor(
    readonly file: string | undefined,
    options: { now?: () => bigint; clockNs?: bigint; entries?: Map<string, Entry>; stored?: Record<string, unknown> } = {},
  ) {
    this.entries = options.entries ?? new Map();
    this.stored = options.stored ?? {};
    this.now = options.now ?? (() => BigInt(Date.now()) * 1_000_000n);
    this.clockNs = options.clockNs;
  }

  /** Loads `<dir>/digests.json`; a missing or unreadable file is an empty cache (it is only a cache). */
  static async load(dir: string, options: { now?: () => bigint; clockNs?: bigint } = {}): Promise<StatCache> {
    const file = path.join(dir, FILE_NAME);
    let stored: Record<string, unknown> = {};
    try {
      const parsed = JSON.parse(await readFile(file, "utf8")) as CacheFile;
      if (parsed.format === FORMAT && typeof parsed.entries === "object" && parsed.entries !== null && !Array.isArray(parsed.entries)) {
        stored = parsed.entries;
      }
    } catch {
      // absent on the first run; corrupt after a crash mid-write (rename makes that unlikely): start over
    }
    return new StatCache(file, { ...options, stored });
  }

  /** The digest of a file on disk with these stats, if it was hashed before and cannot have changed since. */
  get(st: BigIntStats | FileStamp): Digest | undefined {
    return this.lookup(keyOf(st));
  }

  /** As get(), for a first look that falls back to get(): a miss here is not counted, so none is counted twice. */
  peek(st: BigIntStats | FileStamp): Digest | undefined {
    const entry = this.entry(keyOf(st));
    if (entry) this.hits++;
    return entry?.digest;
  }

  /**
   * Records the digest of a file whose stats before hashing were `st`; call it when hashing is done, so a
   * write during the hash makes the entry racy.
   */
  set(st: BigIntStats | FileStamp, digest: Digest, hashedAtNs: bigint = this.now()): void {
    const stamp = "key" in st ? st : stampOf(st);
    // Racy entries are not stored: the next run hashes the file again, and keeps it once it is old enough.
    if (isRacyStamp(stamp, hashedAtNs, this.clockNs)) return;
    this.store(stamp.key, digest);
  }

  /** Digests of git blobs: a blob id names immutable content, so these entries never go stale. */
  getBlob(oid: string): Digest | undefined {
    return this.lookup(`blob:${oid}`);
  }

  setBlob(oid: string, digest: Digest): void {
    this.store(`blob:${oid}`, digest);
  }

  get size(): number {
    return this.all().size;
  }

  /**
   * Writes the cache atomically (temporary file + rename) when it gained entries; a no-change run writes
   * nothing. Never fails the command: a cache that cannot be written (read-only checkout, full disk) only
   * means the next run hashes again. Returns whether it wrote.
   */
  async save(): Promise<boolean> {
    if (!this.file || !this.changed) return false;
    let list = [...this.all()];
    if (list.length > MAX_ENTRIES) list = list.sort((a, b) => b[1].at - a[1].at).slice(0, MAX_ENTRIES);
    const body: CacheFile = { format: FORMAT, entries: {} };
    for (const [key, entry] of list) body.entries[key] = [entry.digest.slice("sha256:".length), entry.at];
    if (!(await writeFileAtomically(this.file, JSON.stringify(body)))) return false;
    this.changed = false;
    return true;
  }

  /** Every valid entry: the file's, then this run's over them. */
  private all(): Map<string, Entry> {
    const all = new Map<string, Entry>();
    for (const key of Object.keys(this.stored)) {
      const entry = storedEntry(this.stored, key);
      if (entry) all.set(key, entry);
    }
    for (const [key, entry] of this.entries) all.set(key, entry);
    return all;
  }

  private entry(key: string): Entry | undefined {
    return this.entries.get(key) ?? storedEntry(this.stored, key);
  }

  private lookup(key: string): Digest | undefined {
    const entry = this.entry(key);
    if (entry) this.hits++;
    else this.misses++;
    return entry?.digest;
  }

  private store(key: string, digest: Digest): void {
    const existing = this.entry(key);
    if (existing?.digest === digest) return;
    this.entries.set(key, { digest, at: Date.now() });
    this.changed = true;
  }
}

function keyOf(st: BigIntStats | FileStamp): string {
  return "key" in st ? st.key : statKey(st);
}

const HEX_DIGEST = /^[0-9a-f]{64}$/;

/** An entry of the file as read, when it is one: anything else is ignored, as a cache may be. */
function storedEntry(stored: Record<string, unknown>, key: string): Entry | undefined {
  if (!Object.hasOwn(stored, key)) return undefined;
  const value = stored[key];
  if (!Array.isArray(value) || typeof value[0] !== "string" || !HEX_DIGEST.test(value[0])) return undefined;
  return { digest: `sha256:${value[0]}`, at: Number(value[1]) || 0 };
}
