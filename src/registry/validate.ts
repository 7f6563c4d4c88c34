// What a registry refuses to store, checked by every driver before it writes: unknown kinds, malformed
// digests, and names or versions that could turn into a path. Names are validated earlier against the
// Azure ML rules; this is defense in depth, so the registry stays safe whoever calls it.
import { isDigest } from "../digest.js";
import { mapConcurrent } from "../concurrency.js";
import { ASSET_KINDS, type AssetKind } from "../manifest/types.js";
import { RegistryError } from "./driver.js";
import { objectMissingFor } from "./errors.js";
import { addressOf, type AliasMove, type Digest, type JournalEntry, type VersionRecord, type VersionUpdate } from "./types.js";

/** Longest name or version accepted; Azure ML allows 255 characters. */
export const MAX_SEGMENT_LENGTH = 255;
/**
 * Longest version accepted: an OCI tag's limit, and short enough that `<version>.json`, escaped, stays
 * within a file name's 255 bytes in the fs registry.
 */
export const MAX_VERSION_LENGTH = 128;

export function checkKind(kind: string): asserts kind is AssetKind {
  if (!(ASSET_KINDS as readonly string[]).includes(kind)) {
    throw new RegistryError("invalid", `"${kind}" is not an asset kind (expected one of ${ASSET_KINDS.join(", ")})`);
  }
}

/** A name or version: non-empty, no control characters, path separators or colons, not `.` or `..`. */
export function checkSegment(what: "name" | "version", value: string): void {
  const problem = what === "version" && value.length > MAX_VERSION_LENGTH ? `is longer than ${MAX_VERSION_LENGTH} characters` : segmentProblem(value);
  if (problem !== undefined) {
    throw new RegistryError("invalid", `${what} ${JSON.stringify(value)} ${problem}; the registry refuses it`);
  }
}

function segmentProblem(value: string): string | undefined {
  if (typeof value !== "string" || value.length === 0) return "is empty";
  if (value.length > MAX_SEGMENT_LENGTH) return `is longer than ${MAX_SEGMENT_LENGTH} characters`;
  if (/[\u0000-\u001f\u007f]/.test(value)) return "contains a control character";
  if (/[/\\]/.test(value)) return "contains a path separator";
  // Addresses are `kind:name:version`; a colon inside either part would make them ambiguous.
  if (value.includes(":")) return "contains a colon";
  if (value === "." || value === "..") return "is a relative path";
  return undefined;
}

export function checkDigest(digest: string): asserts digest is Digest {
  if (!isDigest(digest)) throw new RegistryError("invalid", `${JSON.stringify(digest)} is not a sha256 digest`);
}

export function checkAddress(kind: string, name: string, version: string): void {
  checkKind(kind);
  checkSegment("name", name);
  checkSegment("version", version);
}

export function checkVersionRecord(record: VersionRecord): void {
  checkAddress(record.kind, record.name, record.version);
  checkDigest(record.digest);
  if (typeof record.created_at !== "string") throw new RegistryError("invalid", "a version record needs created_at");
  for (const artifact of record.artifacts) {
    for (const file of artifact.files) checkDigest(file.digest);
  }
}

export function checkVersionUpdate(update: VersionUpdate): void {
  checkAddress(update.kind, update.name, update.version);
  if (typeof update.updated_at !== "string") throw new RegistryError("invalid", "a version update needs updated_at");
  if (update.deleted !== undefined && (update.mutable !== undefined || update.archived !== undefined)) {
    // One journal entry per update: gc's deletion flag travels alone.
    throw new RegistryError("invalid", "a gc deletion or restore changes nothing else of the version");
  }
}

/**
 * An alias move: a known kind, a safe name, an alias name that is a segment without `@`, and versions
 * (`from`, `to`) that are segments or null. Policy (reserved names, order, soak) is the planner's.
 */
export function checkAliasMove(move: AliasMove): void {
  checkKind(move.kind);
  checkSegment("name", move.name);
  const problem = segmentProblem(move.alias) ?? (move.alias.includes("@") ? "contains @" : undefined);
  if (problem !== undefined) throw new RegistryError("invalid", `alias ${JSON.stringify(move.alias)} ${problem}; the registry refuses it`);
  if (move.from !== null) checkSegment("version", move.from);
  if (move.to !== null) checkSegment("version", move.to);
  if (move.from === null && move.to === null) throw new RegistryError("invalid", "an alias move needs a version it moves from or to");
  if (typeof move.at !== "string" || Number.isNaN(Date.parse(move.at))) throw new RegistryError("invalid", "an alias move needs the time it was made");
}

/** Callers journal only apply markers; create/update/archive entries are the driver's own. */
export function checkCallerJournalEntry(entry: JournalEntry): void {
  if (entry.op !== "apply-begin" && entry.op !== "apply-end") {
    throw new RegistryError(
      "invalid",
      `journal entries of type "${entry.op}" are written by the registry itself when a version is created or updated, or an alias moved`,
    );
  }
}

/** Every object digest a record's artifacts need, once each. */
export function objectDigestsOf(record: VersionRecord): Digest[] {
  return [...new Set(record.artifacts.flatMap((a) => a.files.map((f) => f.digest)))];
}

/** Objects looked up at once before a record is created (each a stat, or a request to a remote store). */
const OBJECT_LOOKUPS = 16;

/** Refuses a record whose objects are not all stored ("object-missing"): objects come before the records naming them. */
export async function requireObjects(record: VersionRecord, hasObject: (digest: Digest) => Promise<boolean>): Promise<void> {
  const digests = objectDigestsOf(record);
  const present = await mapConcurrent(digests, OBJECT_LOOKUPS, hasObject);
  const missing = digests.find((_, i) => present[i] !== true);
  if (missing !== undefined) throw objectMissingFor(addressOf(record), missing);
}
