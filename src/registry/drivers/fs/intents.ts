// Writes that are published but not yet journaled. A version or update is linked from its temp file to
// its final name first, journaled second, and only then is the temp file removed: a temp file with a
// second link is the intent "journal me". Snapshots include such writes (they are whole and final),
// and recovery journals the ones whose writer died, so a crash between the two steps loses nothing.
import { readdir, rename, stat } from "node:fs/promises";
import path from "node:path";
import { isProcessGone, type ProcessIdentity } from "../../lock-policy.js";
import { addressOf, type JournalEntry } from "../../types.js";
import { journalEntryOf } from "../../version-state.js";
import { removeIfPresent } from "./durable-file.js";
import { readRegularText } from "./read-file.js";
import type { FsJournal } from "./journal.js";
import { hostTag, parseTempName, type FsLayout, type TempName } from "./layout.js";
import { parseRecordDoc, parseUpdateDoc } from "./records.js";

/** Temp files of another host cannot be traced to a live process; after this long they are abandoned. */
const FOREIGN_TEMP_AGE_MS = 60 * 60 * 1000;
/** How far before an intent's own time its journal entry could carry a timestamp (clock skew). */
const CLOCK_SLACK_MS = 10 * 60 * 1000;

export interface PublishedIntent {
  temp: string;
  txn: string;
  address: { kind: string; name: string; version: string };
  entry: JournalEntry;
}

export class FsIntents {
  constructor(
    private readonly layout: FsLayout,
    private readonly identity: ProcessIdentity,
    private readonly journal: FsJournal,
    private readonly now: () => Date,
  ) {}

  /** Intents whose file is published, whoever wrote them and whether or not they are journaled yet. */
  async published(): Promise<PublishedIntent[]> {
    const found: PublishedIntent[] = [];
    for (const name of await this.#tempNames()) {
      const parsed = parseTempName(name);
      if (parsed?.purpose !== "version" && parsed?.purpose !== "update") continue;
      const intent = await this.#readPublished(path.join(this.layout.tmpDir, name), parsed.purpose);
      if (intent !== undefined) found.push(intent);
    }
    return found;
  }

  /**
   * Clears what dead writers left in `tmp/`: journals their published intents that never were, and
   * removes the rest. Each leftover is first claimed by renaming it to this process's name, so two
   * recovering processes never journal the same write twice.
   */
  async recover(): Promise<void> {
    for (const name of await this.#tempNames()) {
      const parsed = parseTempName(name);
      const file = path.join(this.layout.tmpDir, name);
      let mtimeMs: number;
      try {
        const info = await stat(file);
        if (!info.isFile()) continue; // not ours to remove
        mtimeMs = info.mtimeMs;
      } catch {
        continue;
      }
      if (!this.#abandoned(parsed, mtimeMs)) continue;
      const purpose = parsed?.purpose ?? "object";
      const claimed = this.layout.tempPath(this.identity, purpose);
      try {
        await rename(file, claimed);
      } catch {
        continue; // someone else claimed it
      }
      if (purpose === "version" || purpose === "update") {
        const intent = await this.#readPublished(claimed, purpose);
        if (intent !== undefined && !(await this.#journaled(intent.txn, mtimeMs))) {
          await this.journal.append(intent.entry, intent.txn);
        }
      }
      removeIfPresent(claimed);
    }
  }

  #abandoned(name: TempName | undefined, mtimeMs: number): boolean {
    if (name !== undefined && name.hostTag === hostTag(this.identity.host)) {
      return name.pid !== this.identity.pid && isProcessGone({ host: this.identity.host, pid: name.pid }, this.identity);
    }
    return this.now().getTime() - mtimeMs > FOREIGN_TEMP_AGE_MS;
  }

  async #readPublished(file: string, purpose: "version" | "update"): Promise<PublishedIntent | undefined> {
    let text: string;
    let links: number;
    try {
      links = (await stat(file)).nlink;
      text = await readRegularText(file);
    } catch {
      return undefined; // journaled and removed meanwhile
    }
    // A single link means the write never reached its final name: nothing to journal.
    if (links < 2) return undefined;
    if (purpose === "version") {
      const doc = parseRecordDoc(text);
      if (typeof doc === "string") return undefined;
      const { kind, name, version, digest } = doc.record;
      return { temp: file, txn: doc.txn, address: { kind, name, version }, entry: { op: "create", address: addressOf(doc.record), digest } };
    }
    const doc = parseUpdateDoc(text);
    if (typeof doc === "string") return undefined;
    const { kind, name, version } = doc.update;
    return { temp: file, txn: doc.txn, address: { kind, name, version }, entry: journalEntryOf(doc.update) };
  }

  /** Looks back from the head only as far as entries could be as old as the intent. */
  async #journaled(txn: string, sinceMs: number): Promise<boolean> {
    for (let serial = await this.journal.head(); serial >= 1; serial -= 1) {
      const read = await this.journal.read(serial);
      if (read.state !== "ok") continue;
      if (read.file.txn === txn) return true;
      if (Date.parse(read.file.at) < sinceMs - CLOCK_SLACK_MS) return false;
    }
    return false;
  }

  async #tempNames(): Promise<string[]> {
    try {
      return await readdir(this.layout.tmpDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
  }
}
