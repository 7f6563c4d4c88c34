// The fs registry's durable writes, observed at the system calls: which files and folders are synced.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
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

const { linkOnce, makeDirectories, publishOnce, syncDirectory, writeDurable } = await import("./durable-file.js");

describe("durable files", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), "assetctl-durable-"));
    synced.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

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
