// The only ways the fs driver writes: whole files that appear at their final name complete or not at
// all, surviving a power cut (fsync the file, then the directory that names it). Write-once files are
// published with link(), which fails when the name exists — rename() would silently replace it.
//
// Two calls go through libuv's thread pool, where those of concurrent writes overlap: fsync, which waits
// on the device, and the creation of a file, which allocates an inode (50–300 µs of kernel time on a
// filesystem that has freed many inodes lately, e.g. ext4 without a journal). Every other call is made
// synchronously: on a local filesystem a write of a small buffer, link, unlink, close or stat returns in
// microseconds, less than a round trip through the pool costs (two thread switches, a futex and an
// eventfd wake-up); an apply of 1,000 versions made ~40 such round trips a version. mkdir is synchronous
// too: a folder is made once per asset, not per write.
//
// Where the filesystem is known to be local (ext2/3/4, XFS, Btrfs, F2FS, tmpfs) and assetctl's addon is
// built, a write is made durable by syncfs(2) instead of fsync: one sync of the filesystem, shared by every
// write of this process waiting for one, makes them all durable at once (an apply of 1,000 versions waits
// for a few hundred such syncs instead of 5,000 fsyncs). The order of what is written, synced and then
// published is the same either way. A syncfs also writes back what other programs have left unwritten on
// that filesystem: after a few slow ones the process goes back to syncing file by file, and
// ASSETCTL_SYNC=file asks for that from the start.
import { chmodSync, closeSync, fsync, linkSync, mkdirSync, open, openSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { constants } from "node:os";
import path from "node:path";
import { nativeAddon } from "../../../native-addon.js";

/** Writes `data` to a new temporary file and makes it durable; returns nothing, the caller owns the path. */
export async function writeDurable(tempPath: string, data: string | Buffer, options: { readOnly?: boolean } = {}): Promise<void> {
  const mode = options.readOnly === true ? 0o444 : 0o644;
  let fd: number;
  try {
    fd = await createFile(tempPath, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    mkdirSync(path.dirname(tempPath), { recursive: true });
    fd = await createFile(tempPath, mode);
  }
  try {
    writeFileSync(fd, data);
    if (!(await filesystemSynced(path.dirname(tempPath)))) await syncDescriptor(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes a file already written to `tempPath` durable and read-only (objects are never written again). */
export async function sealDurable(tempPath: string): Promise<void> {
  chmodSync(tempPath, 0o444);
  if (await filesystemSynced(path.dirname(tempPath))) return;
  const fd = openSync(tempPath, "r");
  try {
    await syncDescriptor(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Publishes `tempPath` under `finalPath` unless that name exists. Returns false when it exists: the
 * existing file is never touched. The temp file stays (callers remove it when they are done with it).
 */
export async function publishOnce(tempPath: string, finalPath: string): Promise<boolean> {
  if (!(await linkOnce(tempPath, finalPath))) return false;
  // The folder may be one another write of this process has just made: its name must be durable too.
  await folderNamed(path.dirname(finalPath));
  await syncDirectory(path.dirname(finalPath));
  return true;
}

/**
 * publishOnce without the directory sync, for a writer that publishes several names in one folder and
 * then syncs it once: none of those names may be relied on (or announced) before that sync.
 */
export async function linkOnce(tempPath: string, finalPath: string): Promise<boolean> {
  try {
    linkSync(tempPath, finalPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code !== "ENOENT") throw error;
    await makeDirectories(path.dirname(finalPath));
    try {
      linkSync(tempPath, finalPath);
    } catch (retryError) {
      if ((retryError as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw retryError;
    }
  }
  return true;
}

/**
 * Makes a folder and those missing above it, durably: a new folder's name is written in the folder above
 * it, which is synced like any folder that gained a name — else a power cut could lose the folder, and
 * every file published in it, on a filesystem that does not order its metadata (ext2, ext4 without a
 * journal). A folder that exists costs one mkdir call, and no sync unless this process made it a moment
 * ago and its name is still being synced (then this call waits for that).
 */
export async function makeDirectories(dir: string): Promise<void> {
  const first = mkdirSync(dir, { recursive: true });
  if (first !== undefined) {
    const made: string[] = [];
    for (let folder = dir; ; folder = path.dirname(folder)) {
      made.push(folder);
      if (folder === first || path.dirname(folder) === folder) break;
    }
    const named = Promise.all(made.map((folder) => syncDirectory(path.dirname(folder)))).then(() => undefined);
    for (const folder of made) unnamedFolders.set(folder, named);
    try {
      await named;
    } finally {
      for (const folder of made) if (unnamedFolders.get(folder) === named) unnamedFolders.delete(folder);
    }
  }
  await folderNamed(dir);
}

/** Folders this process made whose names are not synced yet, each with the syncs that will make them so. */
const unnamedFolders = new Map<string, Promise<void>>();

/** Resolves once every folder on `dir`'s path that this process made has its name synced. */
async function folderNamed(dir: string): Promise<void> {
  if (unnamedFolders.size === 0) return;
  for (let folder = dir; ; folder = path.dirname(folder)) {
    await unnamedFolders.get(folder);
    if (path.dirname(folder) === folder) return;
  }
}

/**
 * Replaces a derived file (the snapshot cache) atomically; never used for versions, nor for objects but to
 * put back one whose bytes no longer hash to its name (FsObjects.repair checks the new bytes first).
 */
export function replaceDerived(tempPath: string, finalPath: string): void {
  try {
    renameSync(tempPath, finalPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    mkdirSync(path.dirname(finalPath), { recursive: true });
    renameSync(tempPath, finalPath);
  }
}

/** Syncs shared by calls: a call made while a sync runs waits for the next, which serves every call made meanwhile. */
class SharedSyncs<T> {
  readonly #running = new Map<string, Promise<T>>();
  readonly #queued = new Map<string, Promise<T>>();

  /** A sync of `key` that begins after this call: `start` begins one, unless a call made meanwhile already did. */
  request(key: string, start: () => Promise<T>): Promise<T> {
    const queued = this.#queued.get(key);
    if (queued !== undefined) return queued;
    const running = this.#running.get(key);
    if (running === undefined) return this.#start(key, start);
    const next = running
      .catch(() => undefined)
      .then(() => {
        this.#queued.delete(key);
        return this.#start(key, start);
      });
    this.#queued.set(key, next);
    return next;
  }

  #start(key: string, start: () => Promise<T>): Promise<T> {
    const sync = start().finally(() => {
      if (this.#running.get(key) === sync) this.#running.delete(key);
    });
    this.#running.set(key, sync);
    return sync;
  }
}

/**
 * A rename or link is durable only once the directory holding the name is synced. Calls for one folder
 * share syncs (each call is answered by a sync that began after it), so many writes into one folder
 * (new assets under their kind, objects under their prefix) cost a few syncs instead of one each.
 */
export function syncDirectory(dir: string): Promise<void> {
  const whole = filesystemSync(dir);
  const byFolder = (): Promise<void> => folderSyncs.request(dir, () => syncDirectoryNow(dir));
  return whole === false ? byFolder() : whole.then((synced) => (synced ? undefined : byFolder()));
}

const folderSyncs = new SharedSyncs<void>();
const filesystemSyncs = new SharedSyncs<boolean>();
/** Filesystems (by device) where syncfs is not used: not known to be local, or not on this platform. */
const syncedFileByFile = new Set<string>();
/** A syncfs slower than this wrote back more than this process's writes. */
const SLOW_SYNC_MS = 100;
let slowSyncs = 0;

/** Whether everything written to `dir`'s filesystem before this call is now durable (see filesystemSync). */
async function filesystemSynced(dir: string): Promise<boolean> {
  const whole = filesystemSync(dir);
  return whole !== false && (await whole);
}

/**
 * One syncfs of `dir`'s filesystem begun after this call, shared with every call made while the previous
 * one ran: true once it made everything written there before the call durable. False, at once or once
 * asked, when the caller must sync file by file: no addon, ASSETCTL_SYNC=file, a filesystem not known to
 * be local, or syncs found slow.
 */
function filesystemSync(dir: string): Promise<boolean> | false {
  const addon = nativeAddon();
  if (addon === null || slowSyncs >= 3 || process.env.ASSETCTL_SYNC === "file") return false;
  let device: number | undefined;
  try {
    device = statSync(dir, { throwIfNoEntry: false })?.dev;
  } catch {
    return false; // the per-folder sync reports what is wrong with the folder
  }
  if (device === undefined) return false;
  const key = String(device);
  if (syncedFileByFile.has(key)) return false;
  return filesystemSyncs.request(key, async () => {
    const began = performance.now();
    let synced: boolean | undefined;
    try {
      synced = await addon.syncFilesystem(dir);
    } catch (error) {
      const code = (error as { errno?: number }).errno;
      // The folder named for this round went away meanwhile, or cannot be opened: each caller syncs what it
      // wrote itself, as it would without syncfs.
      if (code === constants.errno.ENOENT || code === constants.errno.EACCES || code === constants.errno.EPERM) return false;
      const name = Object.entries(constants.errno).find(([, n]) => n === code)?.[0];
      throw Object.assign(new Error(`syncfs of ${dir} failed: ${(error as Error).message}`), name === undefined ? {} : { code: name });
    }
    if (synced !== true) syncedFileByFile.add(key);
    else if (performance.now() - began > SLOW_SYNC_MS) slowSyncs += 1;
    return synced === true;
  });
}

async function syncDirectoryNow(dir: string): Promise<void> {
  let fd: number | undefined;
  try {
    fd = openSync(dir, "r");
    await syncDescriptor(fd);
  } catch (error) {
    // Some platforms (Windows) cannot open or sync a directory; the data itself is synced already.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EISDIR" && code !== "EPERM" && code !== "EINVAL" && code !== "EACCES") throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function removeIfPresent(filePath: string): void {
  try {
    unlinkSync(filePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}

/** Removes a file as a clean-up that must not fail the write it follows: what stays is cleared by recovery. */
export function removeQuietly(filePath: string): void {
  try {
    unlinkSync(filePath);
  } catch {
    // left behind: FsIntents.recover clears leftovers of dead writers, and nothing reads a stray file
  }
}

function createFile(file: string, mode: number): Promise<number> {
  return new Promise((resolve, reject) => open(file, "wx", mode, (error, fd) => (error ? reject(error) : resolve(fd))));
}

function syncDescriptor(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));
}
