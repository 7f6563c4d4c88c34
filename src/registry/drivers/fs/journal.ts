// The journal: one file per serial, `journal/<16-digit serial>.json`. A serial is taken by publishing
// a complete entry with link(), which fails if another writer took that serial first — so serials are
// allocated race-free across processes, and an entry is never seen half-written. Within a process,
// entries appended meanwhile are committed together: consecutive serials, each file synced, linked in
// order, then one sync of the folder before any of them is reported appended (group commit), instead
// of concurrent appends racing each other for the same serial.
import { lstat, readdir } from "node:fs/promises";
import type { ProcessIdentity } from "../../lock-policy.js";
import type { JournalEntry, JournalRecord } from "../../types.js";
import { linkOnce, removeQuietly, syncDirectory, writeDurable } from "./durable-file.js";
import { parseSerialName, type FsLayout } from "./layout.js";
import { readRegularText } from "./read-file.js";

/** What a journal file holds: the record, plus the id of the write it commits (see intents.ts). */
export interface JournalFile extends JournalRecord {
  txn?: string;
}

export type JournalRead = { state: "ok"; file: JournalFile } | { state: "missing" } | { state: "broken"; reason: string };

const OPS = new Set(["create", "update", "archive", "gc-delete", "gc-restore", "apply-begin", "apply-end", "alias"]);

/** Entries committed together at most: each holds a file open while it is written. */
const GROUP_LIMIT = 64;

interface Pending {
  entry: JournalEntry;
  txn: string | undefined;
  resolve: (serial: number) => void;
  reject: (error: unknown) => void;
}

export class FsJournal {
  /** The highest serial this process knows exists; only ever a lower bound of the real head. */
  #known = -1;
  /** Entries waiting for the next group commit. */
  #queue: Pending[] = [];
  #committing = false;

  constructor(
    private readonly layout: FsLayout,
    private readonly identity: ProcessIdentity,
    private readonly now: () => Date,
  ) {}

  /** Appends an entry; resolves with its serial once the entry is durable. */
  append(entry: JournalEntry, txn?: string): Promise<number> {
    const appended = new Promise<number>((resolve, reject) => this.#queue.push({ entry, txn, resolve, reject }));
    if (!this.#committing) {
      this.#committing = true;
      void this.#commitQueued();
    }
    return appended;
  }

  /** Commits what is queued, and what is queued meanwhile, one group at a time. */
  async #commitQueued(): Promise<void> {
    try {
      while (this.#queue.length > 0) await this.#commitGroup(this.#queue.splice(0, GROUP_LIMIT));
    } finally {
      this.#committing = false;
    }
  }

  async #commitGroup(group: Pending[]): Promise<void> {
    let pending = group;
    while (pending.length > 0) {
      let first: number;
      try {
        first = await this.#freeFrom((await this.#lowerBound()) + 1);
      } catch (error) {
        for (const p of pending) p.reject(error);
        return;
      }
      // Every file complete and synced before any is linked: a linked entry is never torn.
      const written = await Promise.all(
        pending.map(async (p, i) => {
          const serial = first + i;
          const file: JournalFile = { serial, at: this.now().toISOString(), entry: p.entry, ...(p.txn === undefined ? {} : { txn: p.txn }) };
          const temp = this.layout.tempPath(this.identity, "journal");
          try {
            await writeDurable(temp, `${JSON.stringify(file)}\n`);
            return { p, serial, temp, error: undefined };
          } catch (error) {
            removeQuietly(temp);
            return { p, serial, temp: undefined, error };
          }
        }),
      );
      const linked: { p: Pending; serial: number }[] = [];
      const again: Pending[] = [];
      const failed: { p: Pending; error: unknown }[] = [];
      // In serial order, and never past an entry that failed: a serial this group leaves unused would be
      // a gap, and readers stop at the first gap.
      let stopped = false;
      for (const w of written) {
        if (w.temp === undefined) {
          failed.push({ p: w.p, error: w.error });
          stopped = true;
        } else if (stopped) {
          again.push(w.p);
        } else {
          try {
            if (await linkOnce(w.temp, this.layout.journalPath(w.serial))) linked.push({ p: w.p, serial: w.serial });
            else again.push(w.p); // another writer took this serial: this entry tries the next free one
          } catch (error) {
            failed.push({ p: w.p, error });
            stopped = true;
          }
        }
      }
      let synced: unknown;
      if (linked.length > 0) await syncDirectory(this.layout.journalDir).catch((error: unknown) => (synced = error));
      const temps = written.flatMap((w) => (w.temp === undefined ? [] : [w.temp]));
      for (const temp of temps) removeQuietly(temp);
      for (const { p, serial } of linked) {
        this.noteExists(serial);
        if (synced === undefined) p.resolve(serial);
        else p.reject(synced);
      }
      for (const { p, error } of failed) p.reject(error);
      pending = again;
    }
  }

  async read(serial: number): Promise<JournalRead> {
    let text: string;
    try {
      text = await readRegularText(this.layout.journalPath(serial));
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

  /** Whether an entry (whole or not) holds this serial: one lstat. */
  async exists(serial: number): Promise<boolean> {
    return (await lstat(this.layout.journalPath(serial)).catch(() => undefined)) !== undefined;
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
    while (await this.exists(candidate)) candidate += 1;
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
