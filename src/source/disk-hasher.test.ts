import { createHash, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DiskHasher, FileHashError } from "./disk-hasher.js";
import { cleanupTemporary, temporaryDir } from "./repo.test-helper.js";

afterAll(cleanupTemporary);

function sha(data: Buffer): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

describe("DiskHasher", () => {
  it("hashes several large files at once on the main thread and worker threads, each correctly", async () => {
    const dir = temporaryDir();
    const files = [0, 1, 2, 3, 4, 5].map((i) => {
      const data = randomBytes((3 << 20) + i * 4099); // odd sizes: the last chunk is partial
      const file = path.join(dir, `f${i}.bin`);
      writeFileSync(file, data);
      return { file, data };
    });
    const hasher = new DiskHasher({ workers: 2 });
    try {
      const results = await Promise.all(files.map((f) => hasher.hash(f.file, f.data.length)));
      results.forEach((r, i) => expect(r).toEqual({ digest: sha(files[i]?.data as Buffer), size: files[i]?.data.length }));
      expect(hasher.workerJobs).toBeGreaterThan(0);
      expect(hasher.workerJobs).toBeLessThan(files.length); // the main thread took some
    } finally {
      await hasher.close();
    }
  });

  it("a lone large file needs no worker; small files are hashed on the main thread", async () => {
    const dir = temporaryDir();
    const big = randomBytes((5 << 20) + 1);
    writeFileSync(path.join(dir, "big"), big);
    writeFileSync(path.join(dir, "small"), "abc");
    writeFileSync(path.join(dir, "empty"), "");
    const hasher = new DiskHasher({ workers: 2 });
    expect(await hasher.hash(path.join(dir, "big"), big.length)).toEqual({ digest: sha(big), size: big.length });
    expect((await hasher.hash(path.join(dir, "small"), 3)).digest).toBe(sha(Buffer.from("abc")));
    expect(await hasher.hash(path.join(dir, "empty"), 0)).toEqual({ digest: sha(Buffer.alloc(0)), size: 0 });
    expect(hasher.workerJobs).toBe(0);
    await hasher.close();
  });

  it("tells of every byte it hashes, on the main thread and on workers, large files as they go", async () => {
    const dir = temporaryDir();
    // Above the 32 MiB step at which a worker tells how far it got, so that both kinds of message come.
    const sizes = [(33 << 20) + 7, (33 << 20) + 11, 5000];
    const files = sizes.map((size, i) => {
      const file = path.join(dir, `f${i}.bin`);
      writeFileSync(file, randomBytes(size));
      return file;
    });
    const told: number[] = [];
    const hasher = new DiskHasher({ workers: 1, onBytes: (bytes) => told.push(bytes) });
    try {
      await Promise.all(files.map((f, i) => hasher.hash(f, sizes[i] as number)));
      expect(hasher.workerJobs).toBe(1);
    } finally {
      await hasher.close();
    }
    expect(told.reduce((a, b) => a + b, 0)).toBe(sizes.reduce((a, b) => a + b, 0));
    expect(told).toContain(32 << 20); // the worker's word on how far it got, before its answer
  });

  it("reports an unreadable file as a FileHashError with its errno, on every path", async () => {
    const dir = temporaryDir();
    const hasher = new DiskHasher({ workers: 1 });
    const missing = path.join(dir, "missing");
    await expect(hasher.hash(missing, 0)).rejects.toMatchObject({ errno: "ENOENT" });
    // Two at once: one on the main thread, one on a worker.
    const both = await Promise.allSettled([hasher.hash(missing, 10 << 20), hasher.hash(missing, 10 << 20)]);
    for (const r of both) {
      expect(r.status).toBe("rejected");
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(FileHashError);
      expect((r as PromiseRejectedResult).reason).toMatchObject({ errno: "ENOENT" });
    }
    expect(hasher.workerJobs).toBe(1);
    await hasher.close();
  });
});
