// The snapshot cache, `index/snapshot.json`: every version's current state as of one journal serial,
// so a snapshot is one file read plus the journal entries written since — not one read per version.
// It is derived data: checked by its own digest, rebuilt from the records whenever missing, torn or
// stale, and the only file of the registry that is ever replaced.
import { createHash } from "node:crypto";
import { open, writeFile } from "node:fs/promises";
import { RegistryError } from "../../driver.js";
import type { ProcessIdentity } from "../../lock-policy.js";
import type { StoredVersion } from "../../types.js";
import { removeQuietly, replaceDerived } from "./durable-file.js";
import type { FsLayout } from "./layout.js";
import { readRegular } from "./read-file.js";

export interface CachedSnapshot {
  serial: number;
  versions: StoredVersion[];
}

/** Room enough for the header line. */
const HEADER_BYTES = 512;

interface Header {
  format: 1;
  serial: number;
  count: number;
  body_digest: string;
}

export class SnapshotCache {
  constructor(
    private readonly layout: FsLayout,
    private readonly identity: ProcessIdentity,
  ) {}

  /** The cached snapshot, or undefined when there is none or it does not check out. */
  async load(): Promise<CachedSnapshot | undefined> {
    let data: Buffer;
    try {
      data = await readRegular(this.layout.indexFile);
    } catch (error) {
      // Derived data: missing or not a regular file (corrupt) only means a rebuild, which replaces it.
      if ((error as NodeJS.ErrnoException).code === "ENOENT" || error instanceof RegistryError) return undefined;
      throw error;
    }
    const newline = data.indexOf(0x0a);
    if (newline < 0) return undefined;
    try {
      const header = JSON.parse(data.subarray(0, newline).toString("utf8")) as Partial<Header>;
      const body = data.subarray(newline + 1);
      if (header.format !== 1 || typeof header.serial !== "number" || header.body_digest !== digestOf(body)) return undefined;
      const versions = JSON.parse(body.toString("utf8")) as StoredVersion[];
      if (!Array.isArray(versions) || versions.length !== header.count) return undefined;
      return { serial: header.serial, versions };
    } catch {
      return undefined;
    }
  }

  /** The serial the cached snapshot is of, from its first line alone; undefined when there is none. */
  async headerSerial(): Promise<number | undefined> {
    let handle;
    try {
      handle = await open(this.layout.indexFile, "r");
      const buffer = Buffer.alloc(HEADER_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, HEADER_BYTES, 0);
      const newline = buffer.subarray(0, bytesRead).indexOf(0x0a);
      if (newline < 0) return undefined;
      const header = JSON.parse(buffer.subarray(0, newline).toString("utf8")) as Partial<Header>;
      return header.format === 1 && typeof header.serial === "number" && Number.isSafeInteger(header.serial) && header.serial >= 0 ? header.serial : undefined;
    } catch {
      return undefined;
    } finally {
      await handle?.close();
    }
  }

  /**
   * Written without fsync: losing it to a power cut costs one rebuild, and a torn copy fails its digest.
   * Failing to write it (a read-only registry) is not an error either.
   */
  async save(snapshot: CachedSnapshot): Promise<void> {
    const body = JSON.stringify(snapshot.versions);
    const header: Header = { format: 1, serial: snapshot.serial, count: snapshot.versions.length, body_digest: digestOf(Buffer.from(body)) };
    const temp = this.layout.tempPath(this.identity, "index");
    try {
      await writeFile(temp, `${JSON.stringify(header)}\n${body}`, { flag: "wx" });
      replaceDerived(temp, this.layout.indexFile);
    } catch (error) {
      removeQuietly(temp);
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EROFS" && code !== "EACCES" && code !== "EPERM" && code !== "ENOSPC") throw error;
    }
  }
}

function digestOf(body: Buffer): string {
  return createHash("sha256").update(body).digest("hex");
}
