// A read-only view of the repository's files: the working tree on disk, or a git commit read without
// checking it out. Manifest loading and artifact hashing only ever read through this interface.
import { closeSync, constants, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, type BigIntStats, type Dirent } from "node:fs";
import { mkdir, open, writeFile } from "node:fs/promises";
import { createHash } from "node:crypto";
import path from "node:path";
import type { KeptListing } from "./kept-listing.js";
import { STATE_DIR } from "./root-folder.js";
import { newestNs as newestOf } from "./stat-key.js";
import { stampOf, statKey, type FileStamp } from "./stat-cache.js";

export type EntryType = "file" | "dir" | "symlink" | "other";

export interface TreeEntry {
  /** Repository-relative POSIX path ("" for the root). */
  path: string;
  type: EntryType;
  size: number;
  /** POSIX permission bits as git sees them: 0o755 for executables, 0o644 otherwise (0o755 for dirs). */
  mode: number;
  /** Set when the permission bits deny this process reading it (or, for a folder, listing and entering it). */
  unreadable?: true;
}

export interface SourceTree {
  /** Absolute path of the repository root on disk. */
  readonly root: string;
  /** "working tree" or the git ref the tree was read from. */
  readonly label: string;
  /** Every regular file and symlink, repository-relative, sorted, skipping `.git/`, `node_modules/` and `.assetctl/`. */
  listFiles(): Promise<string[]>;
  /** lstat: undefined when nothing is there. Never follows a symlink. */
  stat(relPath: string): Promise<TreeEntry | undefined>;
  /** Direct children of a directory, sorted by name. */
  readDir(relPath: string): Promise<TreeEntry[]>;
  /** Whole content of a regular file, refusing anything over `maxBytes`. */
  readFile(relPath: string, maxBytes?: number): Promise<Buffer>;
  /** The first `bytes` bytes of a regular file, whatever its size: enough to tell what a too-large file is. */
  readHead?(relPath: string, bytes: number): Promise<Buffer>;
  /** Target text of a symlink. */
  readLink(relPath: string): Promise<string>;
  /** Releases what the tree holds open (a git process); optional, reading again reopens it. */
  close?(): Promise<void>;
}

export { STATE_DIR };

/**
 * Makes the root's state folder (`.assetctl/`: the embedded registry, the caches) and keeps git out of
 * it with a `.gitignore` of its own, so that it stays ignored wherever the root is in the repository —
 * the root of a monorepo's folder included — without editing the user's own .gitignore.
 */
export async function ensureStateDir(root: string): Promise<void> {
  const dir = path.join(root, STATE_DIR);
  // Best effort: a root that cannot be written to fails where the registry or a cache is written, saying so.
  await mkdir(dir, { recursive: true })
    .then(() => writeFile(path.join(dir, ".gitignore"), "# assetctl's registry and caches: never committed\n*\n", { flag: "wx" }))
    .catch(() => undefined);
}

export const SKIPPED_DIRS: ReadonlySet<string> = new Set([".git", "node_modules", STATE_DIR]);

/** Raised when a path cannot be read as asked; callers turn it into a located diagnostic. */
export class TreeReadError extends Error {
  constructor(
    readonly reason: "missing" | "too-large" | "not-a-file" | "unreadable",
    readonly relPath: string,
    message: string,
  ) {
    super(message);
    this.name = "TreeReadError";
  }
}

/** Joins and normalizes repository-relative POSIX paths; returns undefined when the result leaves the root. */
export function resolveInTree(baseDir: string, relative: string): string | undefined {
  // The common case, `model.pkl` or `./src` next to a manifest, by concatenation: path.posix's
  // normalization is measurable at 10,000 manifests, and gives the same answer for plain segments.
  const plain = plainJoin(baseDir, relative);
  if (plain !== undefined) return plain;
  const joined = path.posix.normalize(path.posix.join(baseDir, relative));
  if (joined === ".." || joined.startsWith("../") || path.posix.isAbsolute(joined)) return undefined;
  return joined === "." ? "" : joined.replace(/\/$/, "");
}

/** baseDir + relative when both are plain segments (after leading `./`): none empty, `.` or `..`. */
function plainJoin(baseDir: string, relative: string): string | undefined {
  let rest = relative;
  while (rest.startsWith("./")) rest = rest.slice(2);
  if (rest === "" || !plainSegments(rest) || (baseDir !== "" && !plainSegments(baseDir))) return undefined;
  return baseDir === "" ? rest : `${baseDir}/${rest}`;
}

function plainSegments(p: string): boolean {
  let start = 0;
  for (;;) {
    const end = p.indexOf("/", start);
    const segment = end === -1 ? p.slice(start) : p.slice(start, end);
    if (segment === "" || segment === "." || segment === "..") return false;
    if (end === -1) return true;
    start = end + 1;
  }
}

/** What one lstat says of a path, kept small (see FileStamp). */
export function seenFrom(relPath: string, st: BigIntStats): SeenEntry {
  return { entry: entryFromStats(relPath, st), stamp: st.isFile() ? stampOf(st) : undefined };
}

/** A tree entry from an lstat result (number or bigint fields). */
export function entryFromStats(relPath: string, st: import("node:fs").Stats | import("node:fs").BigIntStats): TreeEntry {
  const type: EntryType = st.isSymbolicLink() ? "symlink" : st.isFile() ? "file" : st.isDirectory() ? "dir" : "other";
  // Git records only the owner's execute bit (100755 vs 100644); matching it keeps a working-tree digest
  // equal to the digest of the same files read from a commit.
  const mode = type === "dir" || type === "symlink" || (Number(st.mode) & 0o100) !== 0 ? 0o755 : 0o644;
  const entry: TreeEntry = { path: relPath, type, size: Number(st.size), mode };
  if ((type === "file" || type === "dir") && !permitsReading(st, type === "dir")) entry.unreadable = true;
  return entry;
}

/**
 * What access(2) would answer, from the stats already at hand (no syscall per file): root reads
 * anything; others need the owner's, the group's or everyone's read bit (and execute, for a folder).
 * ACLs are not consulted: a file they deny still fails, later, as unreadable while it is hashed.
 */
function permitsReading(st: import("node:fs").Stats | import("node:fs").BigIntStats, dir: boolean): boolean {
  const uid = processUid();
  if (uid === undefined || uid === 0) return true;
  const bits = Number(st.mode);
  const need = dir ? 0o5 : 0o4;
  const shift = Number(st.uid) === uid ? 6 : processGroups().has(Number(st.gid)) ? 3 : 0;
  return ((bits >> shift) & need) === need;
}

// Asked once, like the groups: a getuid call per stat is measurable over 10,000 files.
let uid: { value: number | undefined } | undefined;
function processUid(): number | undefined {
  uid ??= { value: process.getuid?.() };
  return uid.value;
}

let groups: ReadonlySet<number> | undefined;
function processGroups(): ReadonlySet<number> {
  groups ??= new Set([...(process.getgroups?.() ?? []), process.getgid?.() ?? -1]);
  return groups;
}

/**
 * The working tree on disk. Listings, lstat and readlink are synchronous: for the thousands of small
 * calls a plan makes they cost a tenth of the promise API's thread-pool round trips.
 */
/** A path as one lstat saw it: its entry, and for a regular file the stamp the digest cache knows it by. */
export interface SeenEntry {
  entry: TreeEntry;
  stamp: FileStamp | undefined;
}

/** One walk of the whole working tree (see WorkTree.survey). */
export interface Survey {
  /**
   * Digest of every path below the root (but the skipped folders), its type and, for all but folders,
   * its stamp: an equal digest later means no file was added, removed, replaced or written since —
   * unless one was written within the timestamp granularity of this walk (see newestNs).
   */
  digest: string;
  /** The newest mtime or ctime of any file or link, ns since the epoch: what decides a racy survey. */
  newestNs: bigint;
}

export class WorkTree implements SourceTree {
  readonly label = "working tree";
  /** The listing the survey found, which listFiles then answers. */
  private surveyed: string[] | undefined;
  /** Whether this run read anything inside a skipped folder, which no survey covers (see survey). */
  private beyondSurvey = false;
  /** With `shareStats`: each path as lstat saw it, once for the life of this tree (see look). */
  private readonly seen: Map<string, SeenEntry | null> | undefined;
  /** With `shareStats`: the folders (not symlinks to folders) listFiles walked through. */
  private readonly listedDirs: Set<string> | undefined;
  /** Where a long-lived process keeps the listing between reads (see KeptListing). */
  private readonly kept: KeptListing | undefined;

  /**
   * `shareStats`: this tree serves one run of the pipeline, so each path is stat'ed once for all who look
   * at it (the rules, then the hasher); a long-lived tree leaves it off and stats afresh every time.
   * `listing`: the listing a process under a file watcher keeps from one read to the next.
   */
  constructor(
    readonly root: string,
    options: { shareStats?: boolean; listing?: KeptListing } = {},
  ) {
    this.seen = options.shareStats === true ? new Map() : undefined;
    this.listedDirs = options.shareStats === true ? new Set() : undefined;
    this.kept = options.listing;
  }

  /**
   * Whether listFiles found a folder here, for one run's tree: what following a path through it needs to
   * know, without another lstat. False when unknown (not listed, or a tree that stats afresh).
   */
  isListedDir(relPath: string): boolean {
    return this.listedDirs?.has(relPath) === true;
  }

  /**
   * Walks the whole tree as listFiles does, lstat'ing every entry: the digest of what it finds says
   * whether anything a run could read has changed since. For a tree that serves one run, its stats are
   * the ones the run uses (stat'ed before anything is read, so a file written meanwhile shows in the next
   * survey) and its listing is the one listFiles gives.
   */
  survey(): Survey {
    const hash = createHash("sha256");
    const files: string[] = [];
    let newestNs = 0n;
    const walk = (rel: string): void => {
      let names: Dirent[];
      try {
        names = readdirSync(this.abs(rel), { withFileTypes: true });
      } catch {
        hash.update(`${rel}\0unlisted\n`);
        return;
      }
      // Byte order, so that the digest does not depend on the order the filesystem lists in.
      names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const d of names) {
        const child = rel === "" ? d.name : `${rel}/${d.name}`;
        if (d.isDirectory()) {
          if (SKIPPED_DIRS.has(d.name)) continue;
          hash.update(`${child}\0dir\n`);
          this.listedDirs?.add(child);
          walk(child);
          continue;
        }
        const st = lstatSync(this.abs(child), { bigint: true, throwIfNoEntry: false });
        if (!st) continue; // gone since the listing: as if never there
        const seen = seenFrom(child, st);
        this.seen?.set(child, seen);
        hash.update(`${child}\0${seen.entry.type}\0${st.mode}\0${seen.stamp?.key ?? statKey(st)}\n`);
        const newest = newestOf(st);
        if (newest > newestNs) newestNs = newest;
        if (seen.entry.type === "file" || seen.entry.type === "symlink") files.push(child);
      }
    };
    walk("");
    if (this.seen) this.surveyed = files.sort();
    return { digest: hash.digest("hex"), newestNs };
  }

  /** Whether anything this tree read lies where no survey looks: inside `.git/`, `node_modules/` or `.assetctl/`. */
  readBeyondSurvey(): boolean {
    return this.beyondSurvey;
  }

  /** Notes a path read, for readBeyondSurvey. */
  noteRead(relPath: string): void {
    if (!this.beyondSurvey && relPath.split("/").some((segment) => SKIPPED_DIRS.has(segment))) this.beyondSurvey = true;
  }

  /** lstat, as an entry and (for a file) its stamp; undefined when nothing is there. */
  look(relPath: string): SeenEntry | undefined {
    let seen = this.seen?.get(relPath);
    if (seen === undefined) {
      this.noteRead(relPath);
      const st = lstatSync(this.abs(relPath), { bigint: true, throwIfNoEntry: false });
      seen = st ? seenFrom(relPath, st) : null;
      this.seen?.set(relPath, seen);
    }
    return seen ?? undefined;
  }

  private abs(relPath: string): string {
    if (relPath === "") return this.root;
    // Plain concatenation on POSIX: path.join's normalization is measurable at 10,000 files per run.
    return path.sep === "/" ? `${this.root}/${relPath}` : path.join(this.root, ...relPath.split("/"));
  }

  async listFiles(): Promise<string[]> {
    if (this.surveyed) return [...this.surveyed];
    const recalled = this.kept?.recall();
    if (recalled) {
      for (const dir of recalled.dirs) this.listedDirs?.add(dir);
      return [...recalled.files];
    }
    const out: string[] = [];
    const dirs: string[] = [];
    const walk = (rel: string): void => {
      let names: Dirent[];
      try {
        names = readdirSync(this.abs(rel), { withFileTypes: true });
      } catch {
        return; // unreadable folders are reported when something refers into them
      }
      for (const d of names) {
        const child = rel === "" ? d.name : `${rel}/${d.name}`;
        if (d.isDirectory()) {
          if (!SKIPPED_DIRS.has(d.name)) {
            this.listedDirs?.add(child);
            dirs.push(child);
            walk(child);
          }
        } else if (d.isFile() || d.isSymbolicLink()) {
          out.push(child);
        }
      }
    };
    walk("");
    out.sort();
    this.kept?.keep({ files: [...out], dirs });
    return out;
  }

  async stat(relPath: string): Promise<TreeEntry | undefined> {
    return this.statSync(relPath);
  }

  /** stat, answered at once: the working tree is read synchronously anyway. */
  statSync(relPath: string): TreeEntry | undefined {
    try {
      if (this.seen) return this.look(relPath)?.entry;
      const st = lstatSync(this.abs(relPath), { throwIfNoEntry: false });
      return st ? entryFromStats(relPath, st) : undefined;
    } catch {
      return undefined;
    }
  }

  async readDir(relPath: string): Promise<TreeEntry[]> {
    this.noteRead(relPath);
    const names = readdirSync(this.abs(relPath));
    const entries: TreeEntry[] = [];
    for (const name of names) {
      const child = relPath === "" ? name : `${relPath}/${name}`;
      entries.push(entryFromStats(child, lstatSync(this.abs(child))));
    }
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async readFile(relPath: string, maxBytes = Number.MAX_SAFE_INTEGER): Promise<Buffer> {
    const st = this.freshStat(relPath);
    if (!st) throw new TreeReadError("missing", relPath, `${relPath} does not exist`);
    if (st.type !== "file") throw new TreeReadError("not-a-file", relPath, `${relPath} is not a regular file`);
    if (st.size > maxBytes) {
      throw new TreeReadError("too-large", relPath, `${relPath} is ${st.size} bytes, over the limit of ${maxBytes}`);
    }
    // Opened non-blocking so that a FIFO swapped in after the stat cannot hang the read. Synchronous, like
    // the stats: manifests are small, and a thousand of them read through promises cost ten times more.
    try {
      const fd = openSync(this.abs(relPath), constants.O_RDONLY | constants.O_NONBLOCK);
      try {
        return readFileSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      throw new TreeReadError("unreadable", relPath, `${relPath} cannot be read: ${(error as Error).message}`);
    }
  }

  async readHead(relPath: string, bytes: number): Promise<Buffer> {
    const st = this.freshStat(relPath);
    if (!st) throw new TreeReadError("missing", relPath, `${relPath} does not exist`);
    if (st.type !== "file") throw new TreeReadError("not-a-file", relPath, `${relPath} is not a regular file`);
    try {
      const handle = await open(this.abs(relPath), constants.O_RDONLY | constants.O_NONBLOCK);
      try {
        const buffer = Buffer.alloc(bytes);
        const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
        return buffer.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw new TreeReadError("unreadable", relPath, `${relPath} cannot be read: ${(error as Error).message}`);
    }
  }

  async readLink(relPath: string): Promise<string> {
    return this.readLinkSync(relPath);
  }

  readLinkSync(relPath: string): string {
    this.noteRead(relPath);
    return readlinkSync(this.abs(relPath));
  }

  /** A read checks the file as it is now: its size limit must hold for the bytes read. */
  private freshStat(relPath: string): TreeEntry | undefined {
    this.noteRead(relPath);
    try {
      const st = lstatSync(this.abs(relPath), { throwIfNoEntry: false });
      return st ? entryFromStats(relPath, st) : undefined;
    } catch {
      return undefined;
    }
  }
}

export async function readTextFile(tree: SourceTree, relPath: string, maxBytes?: number): Promise<string> {
  return (await tree.readFile(relPath, maxBytes)).toString("utf8");
}

