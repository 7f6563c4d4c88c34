// `assetctl verify` for a PostgreSQL registry's records: each record and history entry against the
// digest stored beside it, each version's current state against its history, and the journal against
// the serial and the versions it creates. Read-only, in one repeatable-read transaction so a
// concurrent apply cannot make a healthy registry look broken.
import type { Pool } from "pg";
import { canonicalJson, jsonDigest } from "../../../digest.js";
import { addressOf, type MutableFields, type VerifyProblem, type VersionRecord, type VersionUpdate } from "../../types.js";
import { initialState, withUpdate } from "../../version-state.js";
import type { Tables } from "./schema.js";

interface VersionRow {
  kind: string;
  name: string;
  version: string;
  digest: string;
  record: VersionRecord;
  record_digest: string;
  created_serial: string;
  mutable: MutableFields;
  archived: boolean;
  updated_at: string;
  updates: number;
}

interface HistoryRow {
  kind: string;
  name: string;
  version: string;
  seq: number;
  update: VersionUpdate;
  update_digest: string;
}

export async function verifyPostgresRecords(pool: Pool, tables: Tables): Promise<VerifyProblem[]> {
  const client = await pool.connect();
  let versions: VersionRow[];
  let history: HistoryRow[];
  let journal: { serial: string; entry: { op?: string; address?: string } }[];
  let head: number;
  try {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    versions = (await client.query<VersionRow>(`SELECT * FROM ${tables.version}`)).rows;
    history = (await client.query<HistoryRow>(`SELECT kind, name, version, seq, "update", update_digest FROM ${tables.history} ORDER BY seq`)).rows;
    journal = (await client.query<{ serial: string; entry: { op?: string; address?: string } }>(`SELECT serial, entry FROM ${tables.journal} ORDER BY serial`)).rows;
    head = Number((await client.query<{ serial: string }>(`SELECT serial FROM ${tables.serial}`)).rows[0]?.serial ?? 0);
    await client.query("COMMIT");
  } finally {
    client.release();
  }

  const problems: VerifyProblem[] = [];
  const updatesOf = new Map<string, VersionUpdate[]>();
  for (const row of history) {
    const address = addressOf(row);
    const u = row.update;
    if (u?.kind !== row.kind || u.name !== row.name || u.version !== row.version) {
      problems.push({ code: "record-tampered", message: `History entry ${row.seq} of ${address} holds an update of another version.`, subject: address });
      continue;
    }
    if (jsonDigest(u) !== row.update_digest) {
      problems.push({ code: "record-tampered", message: `History entry ${row.seq} of ${address} was changed after it was written.`, subject: address });
    }
    updatesOf.set(address, [...(updatesOf.get(address) ?? []), u]);
  }

  const createdAt = new Map<string, number>();
  for (const row of versions) {
    const address = addressOf(row);
    const record = row.record;
    if (record?.kind !== row.kind || record.name !== row.name || record.version !== row.version || record.digest !== row.digest) {
      problems.push({ code: "record-tampered", message: `The row of ${address} holds the record of another version or digest.`, subject: address });
      continue;
    }
    if (jsonDigest(record) !== row.record_digest) {
      problems.push({ code: "record-tampered", message: `The record of ${address} was changed after it was written.`, subject: address });
    }
    createdAt.set(address, Number(row.created_serial));
    const expected = (updatesOf.get(address) ?? []).reduce(withUpdate, initialState(record));
    const actual = { mutable: row.mutable, archived: row.archived, updated_at: row.updated_at };
    if (canonicalJson({ mutable: expected.mutable, archived: expected.archived, updated_at: expected.updated_at }) !== canonicalJson(actual)) {
      problems.push({ code: "record-tampered", message: `The current mutable fields of ${address} do not follow from its history.`, subject: address });
    }
  }

  const serials = journal.map((j) => Number(j.serial));
  for (let serial = 1, i = 0; serial <= Math.max(head, serials.at(-1) ?? 0); serial += 1) {
    if (serials[i] === serial) {
      i += 1;
      continue;
    }
    problems.push({ code: "journal-broken", message: `Journal entry ${serial} is missing.`, subject: `journal ${serial}` });
  }
  if ((serials.at(-1) ?? 0) !== head) {
    problems.push({ code: "journal-broken", message: `The journal ends at ${serials.at(-1) ?? 0}, but the registry's serial is ${head}.`, subject: "journal" });
  }
  const created = new Set<string>();
  for (const { serial, entry } of journal) {
    if (entry?.op !== "create" || typeof entry.address !== "string") continue;
    created.add(entry.address);
    if (createdAt.get(entry.address) !== Number(serial)) {
      problems.push({ code: "journal-broken", message: `Journal entry ${serial} creates ${entry.address}, which has no record created at that serial.`, subject: `journal ${serial}` });
    }
  }
  for (const row of versions) {
    const address = addressOf(row.record ?? { kind: row.kind as VersionRecord["kind"], name: row.name, version: row.version });
    if (!created.has(address)) problems.push({ code: "journal-broken", message: `${address} has a record but no journal entry creating it.`, subject: address });
  }
  return problems;
}
