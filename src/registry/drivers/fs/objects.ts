// Content-addressed objects: `objects/sha256/ab/cdef…`, read-only, each published once with link().
// Bytes are hashed where they are about to be stored (the temp copy), so what lands is what was
// verified even if the source file changes during the copy.
import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { open, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import type { ObjectSource, PutObjectOptions } from "../../driver.js";
import { objectDigestMismatch, objectMissing } from "../../errors.js";
import type { ProcessIdentity } from "../../lock-policy.js";
import { copyHashing, digestFile, openRegularFile, verifiedStream } from "../../object-digest.js";
import type { Digest } from "../../types.js";
import { publishOnce, removeIfPresent, replaceDerived, sealDurable, syncDirectory, writeDurable } from "./durable-file.js";
import type { FsLayout } from "./layout.js";

/** Up to this size an object is read into memory and written, rather than cloned and read back to hash. */
const SMALL_OBJECT_BYTES = 1024 * 1024;

export class FsObjects {
  constructor(
    private readonly layout: FsLayout,
    private readonly identity: ProcessIdentity,
  ) {}

  async has(digest: Digest): Promise<boolean> {
    try {
      return (await stat(this.layout.objectPath(digest))).isFile();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw error;
    }
  }

  async put(digest: Digest, source: ObjectSource, options: PutObjectOptions = {}): Promise<void> {
    if (await this.has(digest)) return;
    const temp = this.layout.tempPath(this.identity, "object");
    try {
      await this.#stage(digest, source, options, temp);
      // false: a concurrent writer stored the same bytes first, which is just as good.
      await publishOnce(temp, this.layout.objectPath(digest));
    } finally {
      await removeIfPresent(temp);
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
      await replaceDerived(temp, file);
      await syncDirectory(path.dirname(file));
    } finally {
      await removeIfPresent(temp);
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
      const data = await readAtMost(source.path, source.size + 1);
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

/** The first `limit` bytes of a file (all of it when shorter). */
async function readAtMost(file: string, limit: number): Promise<Buffer> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const buffer = Buffer.allocUnsafe(limit);
    let length = 0;
    while (length < limit) {
      const { bytesRead } = await handle.read(buffer, length, limit - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}
