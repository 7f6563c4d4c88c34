// `assetctl verify` for an fs registry's records: checks every record and update against its own digest
// and its path, and the journal's continuity; the objects the records need are the objects store's to
// check (verifyObjects, used by fs-objects.ts). Read-only; reports every problem found in one pass.
import { stat } from "node:fs/promises";
import path from "node:path";
import { isDigest, jsonDigest } from "../../../digest.js";
import { ProgressMeter, type OnProgress } from "../../../progress.js";
import { digestFile } from "../../object-digest.js";
import type { RecordsVerified } from "../../stores.js";
import { addressOf, type Digest, type VerifyProblem, type VersionRecord } from "../../types.js";
import { checkFormat } from "./format.js";
import type { FsIntents } from "./intents.js";
import type { FsJournal } from "./journal.js";
import type { FsLayout } from "./layout.js";
import { readRegularText } from "./read-file.js";
import { parseRecordDoc, parseUpdateDoc, type FsRecords } from "./records.js";
import { listDir } from "./list.js";

export interface VerifyParts {
  layout: FsLayout;
  url: string;
  records: FsRecords;
  journal: FsJournal;
  intents: FsIntents;
}

export async function verifyFsRecords(parts: VerifyParts): Promise<RecordsVerified> {
  const problems: VerifyProblem[] = [];
  await verifyFormat(parts, problems);
  // One consistent view while another process may be applying: an apply publishes a record before
  // journaling it, and drops its intent after. So the journal's head is read first, then the records,
  // then the intents in flight: every journal entry up to that head has its record, and a record whose
  // entry is not in the journal yet was still in flight when the intents were read. The objects are read
  // last, by the objects store: every record read has its objects by then.
  const head = (await parts.journal.serials()).at(-1) ?? 0;
  const recorded = await verifyRecords(parts, problems);
  const deleted = await verifyHistory(parts, problems);
  const inFlight = new Set((await parts.intents.published()).map((i) => addressOf(i.address)));
  await verifyJournal(parts, { head, recorded: new Set(recorded.keys()), inFlight }, problems);
  const versions = [...recorded].map(([address, record]) => ({ record, ...(deleted.has(address) ? { deleted: true as const } : {}) }));
  return { problems, versions };
}

async function verifyFormat({ layout, url }: VerifyParts, problems: VerifyProblem[]): Promise<void> {
  try {
    checkFormat(await readRegularText(layout.formatFile), url);
  } catch (error) {
    problems.push({ code: "format", message: (error as Error).message, subject: layout.formatFile });
  }
}

/**
 * Returns the digests of the objects present (corrupt ones included: they are there, just wrong). All are
 * listed first, so that progress knows the bytes to re-hash before the first is read.
 */
export async function verifyObjects(layout: FsLayout, problems: VerifyProblem[], onProgress?: OnProgress): Promise<Set<Digest>> {
  const present = new Set<Digest>();
  const objects: { file: string; digest: Digest; size: number }[] = [];
  for (const prefix of await listDir(layout.objectsDir)) {
    for (const rest of await listDir(path.join(layout.objectsDir, prefix))) {
      const file = path.join(layout.objectsDir, prefix, rest);
      const digest = `sha256:${prefix}${rest}`;
      if (!isDigest(digest)) {
        problems.push({ code: "object-corrupt", message: `${file} is not named by a sha256 digest.`, subject: file });
        continue;
      }
      present.add(digest);
      // The size is for progress only: an object that cannot be stat'ed is reported when it is hashed.
      objects.push({ file, digest, size: onProgress ? await stat(file).then((st) => st.size, () => 0) : 0 });
    }
  }
  const meter = new ProgressMeter("verifying", onProgress);
  meter.expect(objects.reduce((bytes, object) => bytes + object.size, 0));
  try {
    for (const { file, digest, size } of objects) {
      const progress = meter.item(size);
      const actual = await digestFile(file, progress.advance).then((r) => r.digest, (error: Error) => `unreadable (${error.message})`);
      progress.complete();
      if (actual !== digest) {
        problems.push({ code: "object-corrupt", message: `Object ${digest} is corrupt: its bytes hash to ${actual}.`, subject: digest });
      }
    }
  } finally {
    meter.end();
  }
  return present;
}

/** Returns the records that could be read, by address. */
async function verifyRecords({ records }: VerifyParts, problems: VerifyProblem[]): Promise<Map<string, VersionRecord>> {
  const recorded = new Map<string, VersionRecord>();
  for (const { file, kind, name, version } of records.recordFiles()) {
    const address = addressOf({ kind, name, version });
    const doc = parseRecordDoc(await readRegularText(file).catch(() => ""));
    if (typeof doc === "string") {
      problems.push({ code: "record-corrupt", message: `The record ${file} ${doc}.`, subject: file });
      continue;
    }
    const { record } = doc;
    if (record.kind !== kind || record.name !== name || record.version !== version) {
      problems.push({ code: "record-tampered", message: `${file} holds the record of ${addressOf(record)}.`, subject: file });
      continue;
    }
    recorded.set(address, record);
    if (jsonDigest(record) !== doc.record_digest) {
      problems.push({ code: "record-tampered", message: `The record of ${address} was changed after it was written.`, subject: address });
    }
  }
  return recorded;
}

/** Returns the addresses gc deleted (as their history says, in sequence order). */
async function verifyHistory({ records }: VerifyParts, problems: VerifyProblem[]): Promise<Set<string>> {
  const deleted = new Set<string>();
  for (const { file, kind, name, version } of records.historyFiles().sort((a, b) => a.seq - b.seq)) {
    const address = addressOf({ kind, name, version });
    const doc = parseUpdateDoc(await readRegularText(file).catch(() => ""));
    if (typeof doc === "string") {
      problems.push({ code: "record-corrupt", message: `The history entry ${file} ${doc}.`, subject: file });
    } else if (doc.update.kind !== kind || doc.update.name !== name || doc.update.version !== version) {
      problems.push({ code: "record-tampered", message: `${file} holds an update of another version.`, subject: file });
    } else if (jsonDigest(doc.update) !== doc.update_digest) {
      problems.push({ code: "record-tampered", message: `A history entry of ${address} (${file}) was changed after it was written.`, subject: address });
    }
    if (typeof doc !== "string" && doc.update.deleted !== undefined) {
      if (doc.update.deleted) deleted.add(address);
      else deleted.delete(address);
    }
  }
  return deleted;
}

/**
 * Serials run 1..head without gaps, every entry reads, and creates and records match up. `head` was read
 * before the records: entries after it (written while this verify ran) only excuse a record.
 */
async function verifyJournal(
  { journal }: VerifyParts,
  seen: { head: number; recorded: Set<string>; inFlight: Set<string> },
  problems: VerifyProblem[],
): Promise<void> {
  const serials = await journal.serials();
  const present = new Set(serials);
  const created = new Set<string>();
  for (let serial = 1; serial <= (serials.at(-1) ?? 0); serial += 1) {
    const before = serial <= seen.head;
    const subject = `journal ${serial}`;
    if (!present.has(serial)) {
      if (before) problems.push({ code: "journal-broken", message: `Journal entry ${serial} is missing.`, subject });
      continue;
    }
    // An entry that cannot even be read (not a regular file) is reported like any other broken one.
    const read = await journal.read(serial).catch((error: Error) => ({ state: "broken" as const, reason: `cannot be read (${error.message})` }));
    if (read.state === "broken") {
      if (before) problems.push({ code: "journal-broken", message: `Journal entry ${serial} ${read.reason}.`, subject });
    } else if (read.state === "ok" && read.file.entry.op === "create") {
      const { address } = read.file.entry;
      created.add(address);
      if (before && !seen.recorded.has(address)) {
        problems.push({ code: "journal-broken", message: `Journal entry ${serial} creates ${address}, which has no readable record.`, subject });
      }
    }
  }
  // A version published but not yet journaled is an operation in flight (or awaiting recovery), not damage.
  for (const address of seen.recorded) {
    if (!created.has(address) && !seen.inFlight.has(address)) {
      problems.push({ code: "journal-broken", message: `${address} has a record but no journal entry creating it.`, subject: address });
    }
  }
}

