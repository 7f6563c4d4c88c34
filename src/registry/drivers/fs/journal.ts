// The journal: one file per serial, `journal/<16-digit serial>.json`. A serial is taken by publishing
// a complete entry with link(), which fails if another writer took that serial first — so serials are
// allocated race-free across processes, and an entry is never seen half-written.
import { readdir, readFile, stat } from "node:fs/promises";
import type { ProcessIdentity } from "../../lock-policy.js";
import type { JournalEntry, JournalRecord } from "../../types.js";
import { publishOnce, removeIfPresent, writeDurable } from "./durable-file.js";
import { parseSerialName, type FsLayout } from "./layout.js";

/** What a journal file holds: the record, plus the id of the write it commits (see intents.ts). */
export interface JournalFile extends JournalRecord {
  txn?: string;
}

export type JournalRead = { state: "ok"; file: JournalFile } | { state: "missing" } | { state: "broken"; reason: string };

const OPS = new Set(["create", "update", "archive", "apply-begin", "apply-end"]);

export class FsJournal {
  /** The highest serial this process knows exists; only ever a lower bound of the real head. */
  #known = -1;

  constructor(
    private readonly layout: FsLayout,
    private readonly identity: ProcessIdentity,
    private readonly now: () => Date,
  ) {}

  async append(entry: JournalEntry, txn?: string): Promise<number> {
    let serial = await this.#freeFrom((await this.#lowerBound()) + 1);
    for (;;) {
      const file: JournalFile = { serial, at: this.now().toISOString(), entry, ...(txn === undefined ? {} : { txn }) };
      const temp = this.layout.tempPath(this.identity, "journal");
      await writeDurable(temp, `${JSON.stringify(file)}\n`);
      try {
        if (await publishOnce(temp, this.layout.journalPath(serial))) {
          this.noteExists(serial);
          return serial;
        }
      } finally {
        await removeIfPresent(temp);
      }
      // Another writer took it: skip past everything published meanwhile with cheap stats.
      serial = await this.#freeFrom(serial + 1);
    }
  }

  async read(serial: number): Promise<JournalRead> {
    let text: string;
    try {
      text = await readFile(this.layout.journalPath(serial), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { state: "missing" };
      throw error;
    }
    const parsed = parseJournalFile(text, serial);
    if (typeof parsed === "string") return { state: "broken", reason: parsed };
    this.noteExists(serial);
    return { state: "ok", file: parsed };
  }

  /** Every serial present, ascending (gaps included as they are). */
  async serials(): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(this.layout.journalDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
    const serials = names.map((n) => parseSerialName(n, ".json")).filter((s): s is number => s !== undefined);
    serials.sort((a, b) => a - b);
    const last = serials.at(-1);
    if (last !== undefined) this.noteExists(last);
    return serials;
  }

  /** The highest serial present, by listing: used when no cheaper hint exists. */
  async head(): Promise<number> {
    return (await this.serials()).at(-1) ?? 0;
  }

  noteExists(serial: number): void {
    if (serial > this.#known) this.#known = serial;
  }

  async #lowerBound(): Promise<number> {
    if (this.#known < 0) this.#known = await this.head();
    return this.#known;
  }

  async #freeFrom(serial: number): Promise<number> {
    let candidate = Math.max(serial, 1);
    while (await exists(this.layout.journalPath(candidate))) candidate += 1;
    return candidate;
  }
}

function parseJournalFile(text: string, serial: number): JournalFile | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return "is not valid JSON (a torn or edited write)";
  }
  if (typeof value !== "object" || value === null) return "is not a journal entry";
  const file = value as Partial<JournalFile>;
  if (file.serial !== serial) return `says serial ${String(file.serial)} but is stored as ${serial}`;
  if (typeof file.at !== "string") return "has no time";
  if (typeof file.entry !== "object" || file.entry === null || !OPS.has((file.entry as { op?: string }).op ?? "")) {
    return "has no known operation";
  }
  return file as JournalFile;
}

async function exists(filePath: string): Promise<boolean> {
  try {
    await stat(filePath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}
