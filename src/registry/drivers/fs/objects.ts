// Content-addressed objects: `objects/sha256/ab/cdef…`, read-only, each published once with link().
// Bytes are hashed where they are about to be stored (the temp copy), so what lands is what was
// verified even if the source file changes during the copy.
import { createHash } from "node:crypto";
import { closeSync, constants, openSync, readSync, statSync } from "node:fs";
import { link, rename, rmdir, stat, unlink } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import type { Fence, FenceCheck, ObjectSource, ObjectSweep, PutObjectOptions, StoredObject, TrashedObject } from "../../driver.js";
import { isDigest } from "../../../digest.js";
import { objectDigestMismatch, objectMissing } from "../../errors.js";
import type { ProcessIdentity } from "../../lock-policy.js";
import { copyHashing, digestFile, openRegularFile, verifiedStream } from "../../object-digest.js";
import type { Digest } from "../../types.js";
import { makeDirectories, publishOnce, removeIfPresent, replaceDerived, sealDurable, syncDirectory, writeDurable } from "./durable-file.js";
import type { FsLayout } from "./layout.js";
import { listDir, listDirSync } from "./list.js";

/** Up to this size an object is read into memory and written, rather than cloned and read back to hash. */
const SMALL_OBJECT_BYTES = 1024 * 1024;

export class FsObjects {
  constructor(
    private readonly layout: FsLayout,
    private readonly identity: ProcessIdentity,
  ) {}

  async has(digest: Digest): Promise<boolean> {
    return statSync(this.layout.objectPath(digest), { throwIfNoEntry: false })?.isFile() ?? false;
  }

  async put(digest: Digest, source: ObjectSource, options: PutObjectOptions = {}): Promise<void> {
    if (await this.has(digest)) return;
    const temp = this.layout.tempPath(this.identity, "object");
    try {
      await this.#stage(digest, source, options, temp);
      // false: a concurrent writer stored the same bytes first, which is just as good.
      await publishOnce(temp, this.layout.objectPath(digest));
    } finally {
      removeIfPresent(temp);
    }
  }

  /**
   * Puts back an object that is gone or whose bytes no longer hash to its name. The bytes are checked
   * before they replace anything, and the replacement is one rename: readers see the damaged file or
   * the sound one, never a mix.
   */
  async repair(digest: Digest, source: ObjectSource, options: PutObjectOptions = {}): Promise<"restored" | "sound"> {
    const file = this.layout.objectPath(digest);
    if (await this.has(digest)) {
      const actual = await digestFile(file).then((r) => r.digest, () => undefined);
      if (actual === digest) return "sound";
    }
    const temp = this.layout.tempPath(this.identity, "object");
    try {
      await this.#stage(digest, source, options, temp);
      replaceDerived(temp, file);
      await syncDirectory(path.dirname(file));
    } finally {
      removeIfPresent(temp);
    }
    return "restored";
  }

  /** Writes the source's bytes to `temp`, durable and read-only, refusing bytes that do not hash to `digest`. */
  async #stage(digest: Digest, source: ObjectSource, options: PutObjectOptions, temp: string): Promise<void> {
    if (source.kind === "bytes") {
      const actual: Digest = `sha256:${createHash("sha256").update(source.data).digest("hex")}`;
      if (actual !== digest) throw objectDigestMismatch(digest, actual);
      await writeDurable(temp, source.data, { readOnly: true });
      options.onBytes?.(source.data.length);
    } else if (source.size <= SMALL_OBJECT_BYTES) {
      // Small: read once, hash the bytes that are written. No clone to gain, and it saves a second read.
      // One byte more than planned is read at most: a file that grew since fails its digest all the same.
      const data = readAtMost(source.path, source.size + 1);
      const actual: Digest = `sha256:${createHash("sha256").update(data).digest("hex")}`;
      if (actual !== digest) throw objectDigestMismatch(digest, actual);
      await writeDurable(temp, data, { readOnly: true });
      options.onBytes?.(data.length);
    } else {
      // A clone where the filesystem makes one atomically (btrfs, XFS, APFS), else a copy that hashes
      // as it writes; either way progress moves within a large object.
      const { digest: actual } = await copyHashing(source.path, temp, source.size, options.onBytes, options.signal);
      if (actual !== digest) throw objectDigestMismatch(digest, actual);
      await sealDurable(temp);
    }
  }

  async read(digest: Digest): Promise<Readable> {
    let handle;
    try {
      handle = await openRegularFile(this.layout.objectPath(digest));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw objectMissing(digest);
      throw error;
    }
    return verifiedStream(handle.createReadStream({ highWaterMark: 1024 * 1024 }), digest, `object ${digest}`);
  }
}

/**
 * gc's sweep of an objects directory. An object goes to `trash/<ms>/<hex>` by one rename, so at any
 * instant it is in one place or the other, whole; the fence is checked before each move.
 */
export function fsSweep(layout: FsLayout, checkFence: FenceCheck): ObjectSweep {
  const objectsIn = async (dir: string, depth: 1 | 2): Promise<{ digest: Digest; file: string }[]> => {
    const found: { digest: Digest; file: string }[] = [];
    for (const first of await listDir(dir)) {
      const inner = depth === 2 ? await listDir(path.join(dir, first)) : [""];
      for (const rest of inner) {
        const digest = `sha256:${first}${rest}`;
        if (isDigest(digest)) found.push({ digest, file: path.join(dir, first, rest) });
      }
    }
    return found;
  };
  const trashed = async (): Promise<(TrashedObject & { file: string; dir: string })[]> => {
    const out: (TrashedObject & { file: string; dir: string })[] = [];
    for (const stamp of await listDir(layout.trashDir)) {
      if (!/^\d{16}$/.test(stamp)) continue;
      const dir = path.join(layout.trashDir, stamp);
      for (const { digest, file } of await objectsIn(dir, 1)) {
        const size = await stat(file).then((st) => st.size, () => 0);
        out.push({ digest, size, trashed_at: new Date(Number(stamp)).toISOString(), file, dir });
      }
    }
    return out;
  };
  return {
    // Synchronous on purpose, like the snapshot rebuild: for ten thousand small files a loop of
    // statSync is several times faster than as many round trips to the thread pool.
    async listObjects(): Promise<StoredObject[]> {
      const out: StoredObject[] = [];
      for (const prefix of listDirSync(layout.objectsDir)) {
        for (const rest of listDirSync(path.join(layout.objectsDir, prefix))) {
          const digest = `sha256:${prefix}${rest}`;
          const st = isDigest(digest) ? statSync(path.join(layout.objectsDir, prefix, rest), { throwIfNoEntry: false }) : undefined;
          if (st?.isFile()) out.push({ digest: digest as Digest, size: st.size, stored_at: st.mtime.toISOString() });
        }
      }
      return out;
    },
    async trashObjects(digests: readonly Digest[], at: Date, fence: Fence): Promise<Digest[]> {
      const dir = path.join(layout.trashDir, String(at.getTime()).padStart(16, "0"));
      await makeDirectories(dir);
      const moved: Digest[] = [];
      for (const digest of digests) {
        await checkFence(fence);
        try {
          await rename(layout.objectPath(digest), path.join(dir, digest.slice("sha256:".length)));
          moved.push(digest);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        }
      }
      await syncDirectory(dir);
      return moved;
    },
    listTrash: async () => (await trashed()).map(({ digest, size, trashed_at }) => ({ digest, size, trashed_at })),
    async restoreObjects(digests: readonly Digest[] | undefined, fence: Fence): Promise<Digest[]> {
      const wanted = digests === undefined ? undefined : new Set(digests);
      const restored: Digest[] = [];
      for (const item of await trashed()) {
        if (wanted !== undefined && !wanted.has(item.digest)) continue;
        await checkFence(fence);
        const target = layout.objectPath(item.digest);
        await makeDirectories(path.dirname(target));
        // Linked back, never over an object stored again since (the same bytes), then unlinked from the trash.
        await link(item.file, target).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== "EEXIST") throw error;
        });
        await syncDirectory(path.dirname(target));
        await unlink(item.file);
        await rmdir(item.dir).catch(() => {});
        if (!restored.includes(item.digest)) restored.push(item.digest);
      }
      return restored;
    },
    async purgeTrash(before: Date, fence: Fence): Promise<Digest[]> {
      const purged: Digest[] = [];
      for (const item of await trashed()) {
        if (Date.parse(item.trashed_at) >= before.getTime()) continue;
        await checkFence(fence);
        removeIfPresent(item.file);
        await rmdir(item.dir).catch(() => {});
        purged.push(item.digest);
      }
      return purged;
    },
  };
}

/**
 * The first `limit` bytes of a small file (all of it when shorter), read synchronously like the
 * driver's other small-file calls (see durable-file.ts). Opened non-blocking: a FIFO put in the file's
 * place reads as empty instead of hanging, and then fails its digest.
 */
function readAtMost(file: string, limit: number): Buffer {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const buffer = Buffer.allocUnsafe(limit);
    let length = 0;
    while (length < limit) {
      const bytesRead = readSync(fd, buffer, length, limit - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}
