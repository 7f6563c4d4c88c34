// Immutable version records and their history, the source of truth of an fs registry:
// `versions/<kind>/<name>/<version>.json` holds {record, record_digest}; each update is
// `history/<kind>/<name>/<version>/<seq>.json` holding {update, update_digest}. Both are published
// once with link() from a temp file that stays behind until the journal has the write (intents.ts).
import { randomBytes } from "node:crypto";
import { statSync } from "node:fs";
import path from "node:path";
import { jsonDigest } from "../../../digest.js";
import { RegistryError } from "../../driver.js";
import { versionExists } from "../../errors.js";
import type { ProcessIdentity } from "../../lock-policy.js";
import { addressOf, type Digest, type StoredVersion, type VersionRecord, type VersionUpdate } from "../../types.js";
import { initialState, withUpdate } from "../../version-state.js";
import { makeDirectories, publishOnce, removeIfPresent, writeDurable } from "./durable-file.js";
import { decodeSegment, parseHistoryName, uniqueHex, type FsLayout } from "./layout.js";
import { readRegularText } from "./read-file.js";
import { listDir, listDirSync } from "./list.js";

/** Four random bytes of this process, so that ids of two processes that drew the same counter start still differ. */
const txnSalt = randomBytes(4).toString("hex");

export interface RecordDoc {
  format: 1;
  /** The write that published this file; its journal entry carries the same id. */
  txn: string;
  record: VersionRecord;
  record_digest: Digest;
}

export interface UpdateDoc {
  format: 1;
  txn: string;
  update: VersionUpdate;
  update_digest: Digest;
}

/** A published write whose temp file still exists: the caller removes it once journaled. */
export interface Intent {
  txn: string;
  temp: string;
}

/** A file found by walking the tree; the address comes from its path (empty when the path cannot be decoded). */
export interface StoredFile {
  file: string;
  kind: string;
  name: string;
  version: string;
}

export class FsRecords {
  constructor(
    private readonly layout: FsLayout,
    private readonly identity: ProcessIdentity,
  ) {}

  /** Publishes the record unless its address exists ("version-exists"); the intent is left for the caller. */
  async create(record: VersionRecord): Promise<Intent> {
    const txn = newTxn();
    const doc: RecordDoc = { format: 1, txn, record, record_digest: jsonDigest(record) };
    const temp = this.layout.tempPath(this.identity, "version");
    const target = this.layout.versionPath(record.kind, record.name, record.version);
    await writeDurable(temp, `${JSON.stringify(doc)}\n`, { readOnly: true });
    let published: boolean;
    try {
      // A new version's folder is usually new too (a new asset): made first, rather than after a failed link.
      await makeDirectories(path.dirname(target));
      published = await publishOnce(temp, target);
    } catch (error) {
      removeIfPresent(temp);
      if ((error as NodeJS.ErrnoException).code === "ENAMETOOLONG") {
        throw new RegistryError("invalid", `${addressOf(record)} is too long to store as a file name.`);
      }
      throw error;
    }
    if (!published) {
      removeIfPresent(temp);
      await this.#refuseCaseTwin(record, target);
      throw versionExists(addressOf(record));
    }
    return { txn, temp };
  }

  /** Publishes an update under the next free sequence number of its version. */
  async addUpdate(update: VersionUpdate): Promise<Intent> {
    const txn = newTxn();
    const doc: UpdateDoc = { format: 1, txn, update, update_digest: jsonDigest(update) };
    const temp = this.layout.tempPath(this.identity, "update");
    await writeDurable(temp, `${JSON.stringify(doc)}\n`, { readOnly: true });
    try {
      let seq = (await this.#historySeqs(update.kind, update.name, update.version)).at(-1) ?? 0;
      do seq += 1;
      while (!(await publishOnce(temp, this.layout.historyPath(update.kind, update.name, update.version, seq))));
    } catch (error) {
      removeIfPresent(temp);
      throw error;
    }
    return { txn, temp };
  }

  async exists(kind: string, name: string, version: string): Promise<boolean> {
    return statSync(this.layout.versionPath(kind, name, version), { throwIfNoEntry: false })?.isFile() ?? false;
  }

  /** The record as stored, or undefined when absent; an unreadable one is "corrupt". */
  async readRecord(kind: string, name: string, version: string): Promise<RecordDoc | undefined> {
    const file = this.layout.versionPath(kind, name, version);
    const text = await readIfPresent(file);
    if (text === undefined) return undefined;
    const doc = parseRecordDoc(text);
    if (typeof doc === "string") throw corruptFile(file, doc);
    return doc;
  }

  async updates(kind: string, name: string, version: string): Promise<UpdateDoc[]> {
    const docs: UpdateDoc[] = [];
    for (const seq of await this.#historySeqs(kind, name, version)) {
      const file = this.layout.historyPath(kind, name, version, seq);
      const text = await readIfPresent(file);
      if (text === undefined) continue;
      const doc = parseUpdateDoc(text);
      if (typeof doc === "string") throw corruptFile(file, doc);
      docs.push(doc);
    }
    return docs;
  }

  /** A version's current state straight from its files, or undefined when it does not exist. */
  async stateOf(kind: string, name: string, version: string): Promise<StoredVersion | undefined> {
    const doc = await this.readRecord(kind, name, version);
    if (doc === undefined) return undefined;
    return (await this.updates(kind, name, version)).map((u) => u.update).reduce(withUpdate, initialState(doc.record));
  }

  /** Every record file, by walking `versions/` (synchronously: a bulk walk, see FsDriver#rebuild). */
  recordFiles(): StoredFile[] {
    const files: StoredFile[] = [];
    for (const kind of listDirSync(this.layout.versionsDir)) {
      for (const name of listDirSync(path.join(this.layout.versionsDir, kind))) {
        for (const entry of listDirSync(path.join(this.layout.versionsDir, kind, name))) {
          if (!entry.endsWith(".json")) continue;
          files.push({
            file: path.join(this.layout.versionsDir, kind, name, entry),
            ...decodeAddress(kind, name, entry.slice(0, -".json".length)),
          });
        }
      }
    }
    return files;
  }

  /** Every history file, by walking `history/`. */
  historyFiles(): (StoredFile & { seq: number })[] {
    const files: (StoredFile & { seq: number })[] = [];
    for (const kind of listDirSync(this.layout.historyDir)) {
      for (const name of listDirSync(path.join(this.layout.historyDir, kind))) {
        for (const version of listDirSync(path.join(this.layout.historyDir, kind, name))) {
          for (const entry of listDirSync(path.join(this.layout.historyDir, kind, name, version))) {
            const seq = parseHistoryName(entry);
            if (seq === undefined) continue;
            files.push({ file: path.join(this.layout.historyDir, kind, name, version, entry), ...decodeAddress(kind, name, version), seq });
          }
        }
      }
    }
    return files;
  }

  async #historySeqs(kind: string, name: string, version: string): Promise<number[]> {
    const names = await listDir(this.layout.historyDirOf(kind, name, version));
    return names.map(parseHistoryName).filter((s): s is number => s !== undefined).sort((a, b) => a - b);
  }

  /**
   * On a case-insensitive filesystem `Model` and `model` share a file. Saying "exists" would then be
   * wrong, so name the version that really holds the file.
   */
  async #refuseCaseTwin(record: VersionRecord, target: string): Promise<void> {
    const text = await readIfPresent(target);
    const doc = text === undefined ? undefined : parseRecordDoc(text);
    if (doc === undefined || typeof doc === "string") return;
    const held = doc.record;
    if (held.kind === record.kind && held.name === record.name && held.version === record.version) return;
    throw new RegistryError(
      "invalid",
      `${addressOf(record)} differs only in letter case from ${addressOf(held)}, which this registry's filesystem cannot tell apart.`,
      "use a name or version that differs in more than letter case",
    );
  }
}

export function parseRecordDoc(text: string): RecordDoc | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "is not valid JSON";
  }
  const doc = value as Partial<RecordDoc> | null;
  if (typeof doc !== "object" || doc === null || doc.format !== 1) return "is not a version record";
  const record = doc.record as Partial<VersionRecord> | undefined;
  if (
    typeof record !== "object" || record === null || typeof record.kind !== "string" || typeof record.name !== "string" ||
    typeof record.version !== "string" || !Array.isArray(record.artifacts) || typeof doc.record_digest !== "string"
  ) {
    return "is not a version record";
  }
  return doc as RecordDoc;
}

export function parseUpdateDoc(text: string): UpdateDoc | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "is not valid JSON";
  }
  const doc = value as Partial<UpdateDoc> | null;
  if (typeof doc !== "object" || doc === null || doc.format !== 1) return "is not a version update";
  const update = doc.update as Partial<VersionUpdate> | undefined;
  if (typeof update !== "object" || update === null || typeof update.kind !== "string" || typeof doc.update_digest !== "string") {
    return "is not a version update";
  }
  return doc as UpdateDoc;
}

export function corruptFile(file: string, problem: string): RegistryError {
  return new RegistryError("corrupt", `The registry file ${file} ${problem}.`, "run `assetctl verify` for a full report");
}

export async function readIfPresent(file: string): Promise<string | undefined> {
  try {
    return await readRegularText(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function decodeAddress(kind: string, name: string, version: string): { kind: string; name: string; version: string } {
  return { kind: decodeSegment(kind) ?? "", name: decodeSegment(name) ?? "", version: decodeSegment(version) ?? "" };
}

/** 24 hex digits: the write's id in its journal entry (see intents.ts), unique across processes. */
function newTxn(): string {
  return `${uniqueHex()}${txnSalt}`;
}
