// Hashing stored objects: a whole file through one reused buffer (no stream plumbing, which costs a
// quarter of the throughput), and a pass-through stream that checks the bytes it hands on.
import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { copyFile, open, unlink, type FileHandle } from "node:fs/promises";
import { Transform, pipeline, type Readable } from "node:stream";
import { RegistryError } from "./driver.js";
import type { Digest } from "./types.js";

const CHUNK = 1024 * 1024;
/** Larger chunks for a copy: fewer round trips to the thread pool for the two calls each takes. */
const COPY_CHUNK = 4 * 1024 * 1024;

/**
 * Opens a stored file for reading, refusing anything but a regular file ("corrupt"). Non-blocking, so
 * that an object swapped for a FIFO fails here instead of hanging whoever reads it (verify, pull).
 */
export async function openRegularFile(path: string): Promise<FileHandle> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const kind = await handle.stat().then(
    (st) => (st.isFile() ? undefined : st.isFIFO() ? "a FIFO" : st.isDirectory() ? "a directory" : "a special file"),
    () => "unreadable",
  );
  if (kind !== undefined) {
    await handle.close();
    throw new RegistryError("corrupt", `${path} is ${kind}, not a regular file`, "run `assetctl verify`");
  }
  return handle;
}

/** `onBytes` is told of each chunk as it is hashed (progress). */
export async function digestFile(path: string, onBytes?: (bytes: number) => void): Promise<{ digest: Digest; size: number }> {
  const hash = createHash("sha256");
  const buffer = Buffer.allocUnsafe(CHUNK);
  const handle = await openRegularFile(path);
  let size = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
      onBytes?.(bytesRead);
    }
  } finally {
    await handle.close();
  }
  return { digest: `sha256:${hash.digest("hex")}`, size };
}

/**
 * Copies the artifact file `source` (planned at `size` bytes) to the new file `dest`, returning the digest
 * of the bytes that landed there. A copy-on-write clone is taken only where one is atomic
 * (COPYFILE_FICLONE_FORCE); elsewhere the bytes go through a read/write loop that hashes as it writes.
 * Never `copyFile` with a fallback: its sendfile loop spins forever when the source is truncated
 * mid-copy. A source that ends early or runs past `size` fails with "object-digest-mismatch" at once.
 */
export async function copyHashing(
  source: string,
  dest: string,
  size: number,
  onBytes?: (bytes: number) => void,
  signal?: AbortSignal,
): Promise<{ digest: Digest }> {
  try {
    await copyFile(source, dest, constants.COPYFILE_FICLONE_FORCE | constants.COPYFILE_EXCL);
  } catch (error) {
    if (!cannotClone(error)) throw error;
    await unlink(dest).catch(() => {});
    return copyLoop(source, dest, size, onBytes, signal);
  }
  // The clone is the file as it was at one instant; its bytes count as stored as they are hashed.
  const cloned = await digestFile(dest, onBytes);
  if (cloned.size !== size) throw sourceChanged(source, `is now ${cloned.size} bytes, not the ${size} planned`);
  return { digest: cloned.digest };
}

function cannotClone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOTSUP" || code === "EOPNOTSUPP" || code === "EXDEV" || code === "EINVAL" || code === "ENOSYS" || code === "ENOTTY";
}

async function copyLoop(source: string, dest: string, size: number, onBytes?: (bytes: number) => void, signal?: AbortSignal): Promise<{ digest: Digest }> {
  const hash = createHash("sha256");
  const input = await openRegularFile(source);
  try {
    const output = await open(dest, "wx", 0o644);
    try {
      // Two buffers: the next chunk is read while this one is hashed and written.
      let buffers = [Buffer.allocUnsafe(COPY_CHUNK), Buffer.allocUnsafe(COPY_CHUNK)] as const;
      let copied = 0;
      // One byte past the planned size is asked for at the end, so that a file that grew is caught too.
      const readAt = (buffer: Buffer, at: number) => input.read(buffer, 0, Math.max(0, Math.min(COPY_CHUNK, size + 1 - at)), at);
      let reading = readAt(buffers[0], 0);
      for (;;) {
        const { bytesRead } = await reading;
        if (bytesRead === 0) break;
        if (signal?.aborted) {
          await reading.catch(() => {});
          signal.throwIfAborted();
        }
        if (copied + bytesRead > size) throw sourceChanged(source, `grew past the ${size} bytes planned`);
        const chunk = buffers[0].subarray(0, bytesRead);
        const at = copied;
        copied += bytesRead;
        reading = readAt(buffers[1], copied);
        hash.update(chunk);
        try {
          await output.write(chunk, 0, bytesRead, at);
        } catch (error) {
          await reading.catch(() => {});
          throw error;
        }
        onBytes?.(bytesRead);
        buffers = [buffers[1], buffers[0]];
      }
      if (copied < size) throw sourceChanged(source, `ended after ${copied} of the ${size} bytes planned`);
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
  return { digest: `sha256:${hash.digest("hex")}` };
}

/** The artifact's file changed while it was read: what apply reports as "artifact-changed". */
export function sourceChanged(file: string, what: string): RegistryError {
  return new RegistryError("object-digest-mismatch", `${file} ${what}: it changed after it was hashed; nothing was stored.`, "plan again once the file is settled");
}

/**
 * Passes `source` through, failing at the end with RegistryError "corrupt" when the bytes do not hash
 * to `expected`. Destroying the returned stream destroys the source (and closes its file).
 */
export function verifiedStream(source: Readable, expected: Digest, subject: string): Readable {
  const hash = createHash("sha256");
  const check = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      const actual: Digest = `sha256:${hash.digest("hex")}`;
      if (actual === expected) callback();
      else callback(new RegistryError("corrupt", `${subject} is corrupt: its bytes hash to ${actual}, not ${expected}`, "run `assetctl verify`"));
    },
  });
  // pipeline forwards a source error to `check` and tears both down whichever side fails first.
  pipeline(source, check, () => {});
  return check;
}
