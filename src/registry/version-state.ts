// How a version's current state follows from its immutable record and its history of updates; shared
// by every driver so they all agree on what "latest mutable state" means.
import { addressOf, type JournalEntry, type StoredVersion, type VersionRecord, type VersionUpdate } from "./types.js";

export function initialState(record: VersionRecord): StoredVersion {
  return { record, mutable: record.mutable, archived: false, updated_at: record.created_at };
}

/** An update replaces the mutable fields when it carries them, the archive flag when it carries it. */
export function withUpdate(state: StoredVersion, update: VersionUpdate): StoredVersion {
  const deleted = update.deleted ?? state.deleted === true;
  return {
    record: state.record,
    mutable: update.mutable ?? state.mutable,
    archived: update.archived ?? state.archived,
    ...(deleted ? { deleted: true as const } : {}),
    updated_at: update.updated_at,
  };
}

export function compareAddresses(a: StoredVersion, b: StoredVersion): number {
  const x = a.record;
  const y = b.record;
  return x.kind < y.kind ? -1 : x.kind > y.kind ? 1 : x.name < y.name ? -1 : x.name > y.name ? 1 : x.version < y.version ? -1 : x.version > y.version ? 1 : 0;
}

/**
 * The journal entry an update is recorded under: `gc-delete`/`gc-restore` for gc's deletion flag,
 * `archive` when it only flips the archive flag.
 */
export function journalEntryOf(update: VersionUpdate): JournalEntry {
  const address = addressOf(update);
  if (update.deleted !== undefined) return { op: update.deleted ? "gc-delete" : "gc-restore", address };
  if (update.mutable === undefined && update.archived !== undefined) return { op: "archive", address, archived: update.archived };
  return { op: "update", address };
}
