// Where everything lives inside an fs registry directory, and how names become file names. Every
// path the driver touches is built here, so no caller-supplied string reaches the filesystem raw.
import { randomBytes, createHash } from "node:crypto";
import path from "node:path";
import type { ProcessIdentity } from "../../lock-policy.js";
import type { Digest } from "../../types.js";

export const FORMAT_NAME = "assetctl-registry";
export const FORMAT_VERSION = 1;

/** What a temporary file in `tmp/` is for; recovery treats `version` and `update` files as intents. */
export type TempPurpose = "object" | "version" | "update" | "journal" | "lock" | "index" | "format";

export interface TempName {
  pid: number;
  hostTag: string;
  purpose: TempPurpose;
}

const SERIAL_DIGITS = 16;

export class FsLayout {
  readonly formatFile: string;
  readonly tmpDir: string;
  readonly objectsDir: string;
  readonly versionsDir: string;
  readonly historyDir: string;
  readonly journalDir: string;
  readonly indexFile: string;
  readonly lockDir: string;
  /** `trash/<16-digit ms>/<hex>`: objects gc swept, by the time they were swept, until purged. */
  readonly trashDir: string;

  constructor(readonly root: string) {
    this.formatFile = path.join(root, "format.json");
    this.tmpDir = path.join(root, "tmp");
    this.objectsDir = path.join(root, "objects", "sha256");
    this.versionsDir = path.join(root, "versions");
    this.historyDir = path.join(root, "history");
    this.journalDir = path.join(root, "journal");
    this.indexFile = path.join(root, "index", "snapshot.json");
    this.lockDir = path.join(root, "lock");
    this.trashDir = path.join(root, "trash");
  }

  /** Directories made when the registry is created; every writer also makes its parent on demand. */
  get directories(): string[] {
    return [this.tmpDir, this.objectsDir, this.versionsDir, this.historyDir, this.journalDir, path.dirname(this.indexFile), this.lockDir];
  }

  objectPath(digest: Digest): string {
    const hex = digest.slice("sha256:".length);
    return path.join(this.objectsDir, hex.slice(0, 2), hex.slice(2));
  }

  versionPath(kind: string, name: string, version: string): string {
    return path.join(this.versionsDir, encodeSegment(kind), encodeSegment(name), `${encodeSegment(version)}.json`);
  }

  historyDirOf(kind: string, name: string, version: string): string {
    return path.join(this.historyDir, encodeSegment(kind), encodeSegment(name), encodeSegment(version));
  }

  historyPath(kind: string, name: string, version: string, seq: number): string {
    return path.join(this.historyDirOf(kind, name, version), historyFileName(seq));
  }

  journalPath(serial: number): string {
    return path.join(this.journalDir, `${String(serial).padStart(SERIAL_DIGITS, "0")}.json`);
  }

  lockPath(generation: number): string {
    return path.join(this.lockDir, `${String(generation).padStart(SERIAL_DIGITS, "0")}.json`);
  }

  lockReleasedPath(generation: number): string {
    return path.join(this.lockDir, `${String(generation).padStart(SERIAL_DIGITS, "0")}.released`);
  }

  /** `tmp/<pid>-<host tag>-<unique>.<purpose>`: the owner is in the name so recovery can tell a dead one. */
  tempPath(identity: ProcessIdentity, purpose: TempPurpose): string {
    return path.join(this.tmpDir, `${identity.pid}-${hostTag(identity.host)}-${uniqueHex()}.${purpose}`);
  }
}

export function parseTempName(fileName: string): TempName | undefined {
  const match = /^(\d+)-([0-9a-f]{8})-[0-9a-f]{16}\.(object|version|update|journal|lock|index|format)$/.exec(fileName);
  if (!match) return undefined;
  return { pid: Number(match[1]), hostTag: match[2] as string, purpose: match[3] as TempPurpose };
}

const hostTags = new Map<string, string>();

/** Host names can hold anything; a short hash keeps temp names portable while still telling hosts apart. */
export function hostTag(host: string): string {
  let tag = hostTags.get(host);
  if (tag === undefined) {
    tag = createHash("sha256").update(host).digest("hex").slice(0, 8);
    hostTags.set(host, tag);
  }
  return tag;
}

/** 8 random bytes drawn once per process, then counted up: unique names without a random draw (and its getpid) per file. */
let uniqueHigh: number | undefined;
let uniqueLow = 0;

/** 16 hex digits no other name of this process has had, and no other process is likely to draw. */
export function uniqueHex(): string {
  if (uniqueHigh === undefined || uniqueLow === 0xffffffff) {
    const seed = randomBytes(8);
    uniqueHigh = seed.readUInt32BE(0);
    uniqueLow = seed.readUInt32BE(4) >>> 1; // half the range left to count through
  }
  uniqueLow += 1;
  return uniqueHigh.toString(16).padStart(8, "0") + uniqueLow.toString(16).padStart(8, "0");
}

export function parseSerialName(fileName: string, extension: ".json" | ".released"): number | undefined {
  if (!fileName.endsWith(extension)) return undefined;
  const digits = fileName.slice(0, -extension.length);
  return /^\d{16}$/.test(digits) ? Number(digits) : undefined;
}

export function historyFileName(seq: number): string {
  return `${String(seq).padStart(8, "0")}.json`;
}

export function parseHistoryName(fileName: string): number | undefined {
  const match = /^(\d{8,})\.json$/.exec(fileName);
  return match ? Number(match[1]) : undefined;
}

/**
 * Names and versions are validated before they get here; encoding is the second line of defense.
 * Letters, digits, `-`, `_` and inner dots stay readable; everything else (`/`, `\`, `%`, NUL,
 * spaces, a leading or trailing dot — so `.` and `..` never appear) becomes %XX of its UTF-8 bytes.
 */
export function encodeSegment(value: string): string {
  let out = "";
  const chars = [...value];
  chars.forEach((char, index) => {
    const keep = /^[A-Za-z0-9_-]$/.test(char) || (char === "." && index > 0 && index < chars.length - 1);
    out += keep ? char : [...Buffer.from(char, "utf8")].map((b) => `%${b.toString(16).toUpperCase().padStart(2, "0")}`).join("");
  });
  return out;
}

/** Undefined for a file name encodeSegment cannot have produced (a stray file). */
export function decodeSegment(encoded: string): string | undefined {
  try {
    const decoded = decodeURIComponent(encoded);
    return encodeSegment(decoded) === encoded ? decoded : undefined;
  } catch {
    return undefined;
  }
}
