// The only ways the fs driver writes: whole files that appear at their final name complete or not at
// all, surviving a power cut (fsync the file, then the directory that names it). Write-once files are
// published with link(), which fails when the name exists — rename() would silently replace it.
import { mkdir, open, rename, unlink, link, chmod } from "node:fs/promises";
import path from "node:path";

/** Writes `data` to a new temporary file and makes it durable; returns nothing, the caller owns the path. */
export async function writeDurable(tempPath: string, data: string | Buffer, options: { readOnly?: boolean } = {}): Promise<void> {
  const handle = await open(tempPath, "wx", options.readOnly === true ? 0o444 : 0o644).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
    await mkdir(path.dirname(tempPath), { recursive: true });
    return open(tempPath, "wx", options.readOnly === true ? 0o444 : 0o644);
  });
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes a file already written to `tempPath` durable and read-only (objects are never written again). */
export async function sealDurable(tempPath: string): Promise<void> {
  await chmod(tempPath, 0o444);
  const handle = await open(tempPath, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Publishes `tempPath` under `finalPath` unless that name exists. Returns false when it exists: the
 * existing file is never touched. The temp file stays (callers remove it when they are done with it).
 */
export async function publishOnce(tempPath: string, finalPath: string): Promise<boolean> {
  if (!(await linkOnce(tempPath, finalPath))) return false;
  await syncDirectory(path.dirname(finalPath));
  return true;
}

/**
 * publishOnce without the directory sync, for a writer that publishes several names in one folder and
 * then syncs it once: none of those names may be relied on (or announced) before that sync.
 */
export async function linkOnce(tempPath: string, finalPath: string): Promise<boolean> {
  try {
    await link(tempPath, finalPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return false;
    if (code !== "ENOENT") throw error;
    await mkdir(path.dirname(finalPath), { recursive: true });
    try {
      await link(tempPath, finalPath);
    } catch (retryError) {
      if ((retryError as NodeJS.ErrnoException).code === "EEXIST") return false;
      throw retryError;
    }
  }
  return true;
}

/**
 * Replaces a derived file (the snapshot cache) atomically; never used for versions, nor for objects but to
 * put back one whose bytes no longer hash to its name (FsObjects.repair checks the new bytes first).
 */
export async function replaceDerived(tempPath: string, finalPath: string): Promise<void> {
  try {
    await rename(tempPath, finalPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    await mkdir(path.dirname(finalPath), { recursive: true });
    await rename(tempPath, finalPath);
  }
}

/** A rename or link is durable only once the directory holding the name is synced. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch (error) {
    // Some platforms (Windows) cannot open or sync a directory; the data itself is synced already.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EISDIR" && code !== "EPERM" && code !== "EINVAL" && code !== "EACCES") throw error;
  } finally {
    await handle?.close();
  }
}

export async function removeIfPresent(filePath: string): Promise<void> {
  try {
    await unlink(filePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
