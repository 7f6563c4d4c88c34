// The fs registry's durable writes, observed at the system calls: which files and folders are synced.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

/** What each fsync made durable, by the path its descriptor was opened with. */
const synced: string[] = [];
/** While set, a sync of that folder waits before it starts: a slow device. */
let slow: { folder: string; until: Promise<void> } | undefined;

vi.mock("node:fs", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs")>();
  const opened = new Map<number, string>();
  const remember = (file: string, fd: number): number => {
    opened.set(fd, file);
    return fd;
  };
  return {
    ...fs,
    openSync: (file: string, ...rest: [string, number?]) => remember(file, fs.openSync(file, ...rest)),
    open: (file: string, flags: string, mode: number, callback: (error: Error | null, fd: number) => void) =>
      fs.open(file, flags, mode, (error, fd) => callback(error, error ? fd : remember(file, fd))),
    fsync: (fd: number, callback: (error: Error | null) => void) => {
      const file = opened.get(fd) ?? `fd ${fd}`;
      synced.push(file);
      void (slow?.folder === file ? slow.until : Promise.resolve()).then(() => fs.fsync(fd, callback));
    },
  };
});

/** Each syncfs asked of the addon, by the folder it was asked for; how the next ones answer. */
const syncfsCalls: string[] = [];
let syncfsAnswer: "real" | "unknown filesystem" | "EIO" | "slow" = "real";

vi.mock("../../../native-addon.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../../native-addon.js")>();
  return {
    nativeAddon: () => {
      const addon = real.nativeAddon();
      if (addon === null) return null;
      return {
        ...addon,
        syncFilesystem: async (folder: string): Promise<boolean> => {
          syncfsCalls.push(folder);
          if (syncfsAnswer === "unknown filesystem") return false;
          if (syncfsAnswer === "EIO") throw Object.assign(new Error("Input/output error"), { errno: os.constants.errno.EIO });
          if (syncfsAnswer === "slow") await new Promise((resolve) => setTimeout(resolve, 120));
          return (await addon.syncFilesystem(folder)) ?? false;
        },
      };
    },
  };
});

const { linkOnce, makeDirectories, publishOnce, syncDirectory, writeDurable } = await import("./durable-file.js");

describe("durable files, synced file by file (ASSETCTL_SYNC=file, or no addon)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "assetctl-durable-"));
    synced.length = 0;
    process.env.ASSETCTL_SYNC = "file";
  });
  afterEach(() => {
    delete process.env.ASSETCTL_SYNC;
    rmSync(dir, { recursive: true, force: true });
  });

  it("syncs a new file before it is published, and the folder that names it after", async () => {
    const temp = path.join(dir, "tmp", "a.version");
    await writeDurable(temp, "one\n", { readOnly: true });
    expect(synced).toEqual([temp]);
    expect(statSync(temp).mode & 0o777).toBe(0o444);

    const target = path.join(dir, "versions", "model", "m", "1.json");
    expect(await publishOnce(temp, target)).toBe(true);
    expect(readFileSync(target, "utf8")).toBe("one\n");
    // The file, then every folder that gained a name: those above the folders made on the way, and the one holding the file.
    expect(synced).toEqual([temp, path.join(dir, "versions", "model"), path.join(dir, "versions"), dir, path.join(dir, "versions", "model", "m")]);
  });

  it("never replaces a published file, and syncs nothing when it refuses", async () => {
    const target = path.join(dir, "1.json");
    writeFileSync(target, "first\n");
    const temp = path.join(dir, "b.version");
    await writeDurable(temp, "second\n");
    synced.length = 0;
    expect(await publishOnce(temp, target)).toBe(false);
    expect(await linkOnce(temp, target)).toBe(false);
    expect(readFileSync(target, "utf8")).toBe("first\n");
    expect(synced).toEqual([]);
  });

  it("syncs the folder above each folder it makes, and nothing for folders that exist", async () => {
    await makeDirectories(path.join(dir, "a", "b", "c"));
    expect(synced).toEqual([path.join(dir, "a", "b"), path.join(dir, "a"), dir]);
    synced.length = 0;
    await makeDirectories(path.join(dir, "a", "b", "c"));
    expect(synced).toEqual([]);
    await makeDirectories(path.join(dir, "a", "b", "d"));
    expect(synced).toEqual([path.join(dir, "a", "b")]);
  });

  it("shares a folder's syncs between the calls that wait for one, each answered by a sync begun after it", async () => {
    const first = syncDirectory(dir);
    // Made while the first runs: all wait for one more sync, which starts when the first ends.
    const meanwhile = Array.from({ length: 10 }, () => syncDirectory(dir));
    expect(synced).toEqual([dir]);
    await first;
    await Promise.all(meanwhile);
    expect(synced).toEqual([dir, dir]);
    // Once none runs, a call starts its own; another folder never waits for this one.
    await Promise.all([syncDirectory(dir), syncDirectory(os.tmpdir())]);
    expect(synced).toEqual([dir, dir, dir, os.tmpdir()]);
  });

  it("fails every call waiting on a sync that fails, and the next call tries again", async () => {
    const gone = path.join(dir, "gone");
    const calls = [syncDirectory(gone), syncDirectory(gone), syncDirectory(gone)];
    const outcomes = await Promise.allSettled(calls);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected", "rejected"]);
    await makeDirectories(gone);
    synced.length = 0;
    await syncDirectory(gone);
    expect(synced).toEqual([gone]);
  });

  it("publishes into a folder another write has just made only once that folder's name is synced", async () => {
    let openDevice = (): void => undefined;
    const folder = path.join(dir, "versions", "model", "m");
    // The sync that makes the new folder's name durable is slow; the folder's own syncs are not.
    slow = { folder: path.dirname(folder), until: new Promise((resolve) => (openDevice = resolve)) };
    const done: string[] = [];
    // The first write makes the folder and waits on its syncs; the second finds the folder there.
    const maker = makeDirectories(folder).then(() => done.push("made"));
    const temp = path.join(dir, "c.version");
    writeFileSync(temp, "x\n");
    const publisher = publishOnce(temp, path.join(folder, "2.json")).then(() => done.push("published"));
    const again = makeDirectories(folder).then(() => done.push("found"));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toEqual([]);
    slow = undefined;
    openDevice();
    await Promise.all([maker, publisher, again]);
    expect(done).toContain("published");
    expect(synced).toContain(path.join(dir, "versions", "model"));
  });
});

describe.runIf(process.platform === "linux")("durable files on a local filesystem, synced by syncfs", () => {
  let dir: string;
  let d: typeof import("./durable-file.js");
  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "assetctl-durable-"));
    synced.length = 0;
    syncfsCalls.length = 0;
    syncfsAnswer = "real";
    // A module of its own for each case: what one learns about the filesystem (slow syncs) stays there.
    vi.resetModules();
    d = await import("./durable-file.js");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("makes a write, a published name and a new folder durable by syncs of the filesystem, with no fsync", async () => {
    const temp = path.join(dir, "tmp", "a.version");
    await d.writeDurable(temp, "one\n", { readOnly: true });
    expect(syncfsCalls).toEqual([path.join(dir, "tmp")]);
    const target = path.join(dir, "versions", "model", "m", "1.json");
    expect(await d.publishOnce(temp, target)).toBe(true);
    expect(readFileSync(target, "utf8")).toBe("one\n");
    writeFileSync(path.join(dir, "object.tmp"), "bytes");
    await d.sealDurable(path.join(dir, "object.tmp"));
    expect(statSync(path.join(dir, "object.tmp")).mode & 0o777).toBe(0o444);
    expect(synced).toEqual([]);
    expect(syncfsCalls.length).toBeGreaterThan(1);
  });

  it("answers every write waiting at once, in any folder of the filesystem, with one sync begun after it", async () => {
    const folders = Array.from({ length: 10 }, (_, i) => path.join(dir, `f${i}`));
    for (const folder of folders) mkdirSync(folder);
    const first = d.syncDirectory(dir);
    // Asked for while the first runs: all wait for one more, which starts when the first ends.
    const meanwhile = folders.map((folder) => d.syncDirectory(folder));
    await Promise.all([first, ...meanwhile]);
    expect(syncfsCalls).toEqual([dir, folders[0]]);
    expect(synced).toEqual([]);
  });

  it("fails every write waiting on a syncfs that fails, with its error code; the next write syncs again", async () => {
    syncfsAnswer = "EIO";
    const outcomes = await Promise.allSettled([d.writeDurable(path.join(dir, "a"), "a"), d.syncDirectory(dir)]);
    expect(outcomes.map((o) => (o.status === "rejected" ? (o.reason as NodeJS.ErrnoException).code : o.status))).toEqual(["EIO", "EIO"]);
    syncfsAnswer = "real";
    await d.writeDurable(path.join(dir, "b"), "b");
    expect(synced).toEqual([]);
  });

  it("lets each write sync itself when the folder a shared syncfs was asked for went away meanwhile", async () => {
    const gone = path.join(dir, "gone");
    mkdirSync(gone);
    const first = d.syncDirectory(dir);
    // Both wait for the next syncfs, asked for the folder named first, which is removed before it starts.
    writeFileSync(path.join(dir, "kept"), "x");
    const waiting = [d.syncDirectory(gone), d.sealDurable(path.join(dir, "kept"))];
    rmSync(gone, { recursive: true });
    await first;
    const outcomes = await Promise.allSettled(waiting);
    // The folder that is gone cannot be synced by itself either; the file is, by its own fsync.
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "fulfilled"]);
    expect(synced).toEqual([path.join(dir, "kept")]);
  });

  it("syncs file by file after a few slow syncs of the filesystem, which wrote back more than this process's writes", async () => {
    syncfsAnswer = "slow";
    for (let i = 0; i < 3; i++) await d.writeDurable(path.join(dir, `slow${i}`), "x");
    expect(syncfsCalls).toHaveLength(3);
    await d.writeDurable(path.join(dir, "after"), "x");
    expect(syncfsCalls).toHaveLength(3);
    expect(synced).toEqual([path.join(dir, "after")]);
  });
});

describe.runIf(process.platform === "linux")("durable files on a filesystem syncfs is not known for", () => {
  it("syncs each file and folder, and asks syncfs no more for that filesystem", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "assetctl-durable-"));
    vi.resetModules();
    const d = await import("./durable-file.js");
    try {
      synced.length = 0;
      syncfsCalls.length = 0;
      syncfsAnswer = "unknown filesystem";
      await d.writeDurable(path.join(dir, "a"), "a");
      await d.syncDirectory(dir);
      expect(synced).toEqual([path.join(dir, "a"), dir]);
      expect(syncfsCalls).toEqual([path.join(dir)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
