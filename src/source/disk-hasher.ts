// SHA-256 of files on disk at the speed of the hardware: each file is read with a loop of `read` calls into
// reused buffers (no streams, memory flat whatever the size). Small files are read synchronously on the
// main thread; large ones by the main thread (reading the next chunk while hashing this one) and, when
// several wait, by worker threads too, so that several files hash in parallel on all cores.
import { closeSync, constants, openSync, readSync } from "node:fs";
import { open, type FileHandle } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { createHash } from "node:crypto";
import type { Digest } from "../registry/types.js";

export interface FileHash {
  digest: Digest;
  /** Bytes actually hashed (the file may have changed size since it was stat'ed). */
  size: number;
}

export class FileHashError extends Error {
  constructor(
    readonly file: string,
    readonly errno: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = "FileHashError";
  }
}

/** Files at least this large are worth a worker round trip; smaller ones are hashed on the main thread. */
const WORKER_THRESHOLD = 1 << 20;
const WORKER_BUFFER = 4 << 20;
const SMALL_BUFFER = 1 << 20;
/** Each of the two buffers the main thread alternates between for a large file. */
const LARGE_BUFFER = 2 << 20;

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;
/** A worker tells how far it got every this many bytes: a message per 32 MiB costs nothing next to hashing them. */
const WORKER_PROGRESS_BYTES = 32 << 20;

// The worker is plain JavaScript evaluated from a string, so it runs the same from `src/` under vitest and
// from `dist/` after a build. Synchronous reads are right here: the worker has nothing else to do.
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { openSync, readSync, closeSync, constants } = require("node:fs");
const { createHash } = require("node:crypto");
const buffer = Buffer.allocUnsafe(${WORKER_BUFFER});
parentPort.on("message", (file) => {
  let fd;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const hash = createHash("sha256");
    let size = 0;
    let told = 0;
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      hash.update(n === buffer.length ? buffer : buffer.subarray(0, n));
      size += n;
      if (size - told >= ${WORKER_PROGRESS_BYTES}) {
        parentPort.postMessage({ read: size - told });
        told = size;
      }
    }
    parentPort.postMessage({ hex: hash.digest("hex"), size });
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message), code: error && error.code });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
});
`;

interface WorkerAnswer {
  /** Progress: bytes hashed since the last such message. */
  read?: number;
  hex?: string;
  size?: number;
  error?: string;
  code?: string;
}

interface Job {
  file: string;
  resolve: (hash: FileHash) => void;
  reject: (error: Error) => void;
}

class HashWorker {
  private readonly worker: Worker;
  private job: Job | undefined;
  /** Bytes of the current job already counted through `onBytes`. */
  private told = 0;
  /** Set when the thread died; the pool replaces it. */
  dead = false;

  constructor(
    private readonly onIdle: (worker: HashWorker) => void,
    private readonly onBytes: ((bytes: number) => void) | undefined,
  ) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true });
    this.worker.unref(); // an idle pool must not keep the process alive
    this.worker.on("message", (answer: WorkerAnswer) => this.answer(answer));
    this.worker.on("error", (error) => {
      this.dead = true;
      this.finish(undefined, error);
    });
  }

  start(job: Job): void {
    this.job = job;
    this.told = 0;
    this.worker.ref();
    this.worker.postMessage(job.file);
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }

  private answer(answer: WorkerAnswer): void {
    if (answer.read !== undefined) {
      this.told += answer.read;
      this.onBytes?.(answer.read);
    } else if (answer.hex !== undefined) {
      const size = answer.size ?? 0;
      if (size > this.told) this.onBytes?.(size - this.told);
      this.finish({ digest: `sha256:${answer.hex}`, size });
    } else {
      const job = this.job;
      this.finish(undefined, new FileHashError(job?.file ?? "", answer.code, answer.error ?? "unknown error"));
    }
  }

  private finish(hash: FileHash | undefined, error?: Error): void {
    const job = this.job;
    this.job = undefined;
    this.worker.unref();
    if (job) {
      if (hash) job.resolve(hash);
      else job.reject(error ?? new Error("hash worker failed"));
    }
    this.onIdle(this);
  }
}

export class DiskHasher {
  private readonly workers: HashWorker[] = [];
  private readonly idle: HashWorker[] = [];
  private readonly queue: Job[] = [];
  private small: Buffer | undefined;
  private large: [Buffer, Buffer] | undefined;
  private mainBusy = false;
  private readonly maxWorkers: number;
  private readonly onBytes: ((bytes: number) => void) | undefined;
  /** Large files hashed by worker threads so far (the rest were hashed on the main thread). */
  workerJobs = 0;

  /**
   * `workers`: hashing threads besides the main one; default one per further core. `onBytes`: told of
   * bytes hashed as it goes (a large file in steps of a few MiB), for progress.
   */
  constructor(options: { workers?: number; onBytes?: (bytes: number) => void } = {}) {
    this.maxWorkers = Math.max(0, options.workers ?? availableParallelism() - 1);
    this.onBytes = options.onBytes;
  }

  /** Hashes one file; `sizeHint` (from a stat) decides where: small files need no thread of their own. */
  hash(file: string, sizeHint: number): Promise<FileHash> {
    if (sizeHint < WORKER_THRESHOLD) {
      try {
        const hashed = this.hashSmall(file);
        this.onBytes?.(hashed.size);
        return Promise.resolve(hashed);
      } catch (error) {
        return Promise.reject(hashError(file, error));
      }
    }
    return new Promise<FileHash>((resolve, reject) => {
      this.queue.push({ file, resolve, reject });
      this.dispatch();
    });
  }

  /** Stops the worker threads; hashing again starts new ones. */
  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    this.idle.length = 0;
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      // The main thread first: a lone large file needs no worker (starting one costs tens of ms).
      if (!this.mainBusy) {
        const job = this.queue.shift() as Job;
        this.mainBusy = true;
        this.hashLarge(job.file)
          .then(job.resolve, job.reject)
          .finally(() => {
            this.mainBusy = false;
            this.dispatch();
          });
        continue;
      }
      let worker = this.idle.pop();
      if (!worker && this.workers.length < this.maxWorkers) {
        worker = new HashWorker((w) => {
          const at = this.workers.indexOf(w);
          if (w.dead) {
            if (at >= 0) this.workers.splice(at, 1);
          } else if (at >= 0) {
            this.idle.push(w);
          }
          this.dispatch();
        }, this.onBytes);
        this.workers.push(worker);
      }
      if (!worker) return;
      this.workerJobs++;
      worker.start(this.queue.shift() as Job);
    }
  }

  /**
   * A small file, read synchronously: for files of a few KiB a thread-pool round trip per open, read and
   * close costs several times the work itself (10,000 files: ~0.1 s this way, ~0.5 s through promises).
   */
  private hashSmall(file: string): FileHash {
    const buffer = (this.small ??= Buffer.allocUnsafe(SMALL_BUFFER));
    const fd = openSync(file, OPEN_FLAGS);
    try {
      const hash = createHash("sha256");
      let size = 0;
      for (;;) {
        const bytesRead = readSync(fd, buffer, 0, buffer.length, null);
        if (bytesRead === 0) break;
        hash.update(buffer.subarray(0, bytesRead));
        size += bytesRead;
      }
      return { digest: `sha256:${hash.digest("hex")}`, size };
    } finally {
      closeSync(fd);
    }
  }

  /** A large file on the main thread: the next chunk is read (thread pool) while this one is hashed. */
  private async hashLarge(file: string): Promise<FileHash> {
    this.large ??= [Buffer.allocUnsafe(LARGE_BUFFER), Buffer.allocUnsafe(LARGE_BUFFER)];
    let [current, next] = this.large;
    let handle: FileHandle | undefined;
    let reading: Promise<{ bytesRead: number }> | undefined;
    try {
      handle = await open(file, OPEN_FLAGS);
      const hash = createHash("sha256");
      let size = 0;
      reading = handle.read(current, 0, current.length, null);
      for (;;) {
        const { bytesRead } = await reading;
        reading = undefined;
        if (bytesRead === 0) break;
        // Sequential reads (position null): this one starts only after the previous one completed.
        reading = handle.read(next, 0, next.length, null);
        hash.update(bytesRead === current.length ? current : current.subarray(0, bytesRead));
        size += bytesRead;
        this.onBytes?.(bytesRead);
        [current, next] = [next, current];
      }
      return { digest: `sha256:${hash.digest("hex")}`, size };
    } catch (error) {
      throw hashError(file, error);
    } finally {
      await reading?.catch(() => undefined); // never close a handle under a read in flight
      await handle?.close();
    }
  }
}

function hashError(file: string, error: unknown): FileHashError {
  const e = error as NodeJS.ErrnoException;
  return new FileHashError(file, e.code, e.message);
}
