// PostgresRecords: the records half of a team registry in PostgreSQL — versions unique by (kind, name,
// version), their mutable fields with every change kept in a history table, the journal and its
// serial, and the apply lock (postgres/lock.ts). Every write is one statement, so one transaction, that
// also bumps the serial and appends its journal entry: a version appears whole with its entry or not at
// all, and serials have no gaps. A snapshot is one query, never one per version.
import type { Pool } from "pg";
import { jsonDigest } from "../../digest.js";
import { RegistryError, type Fence, type LockHandle, type LockRequest } from "../driver.js";
import { versionExists, versionNotFound } from "../errors.js";
import { acquireWithin, currentProcess, fencedError, type ProcessIdentity } from "../lock-policy.js";
import type { RecordStore, RecordsVerified } from "../stores.js";
import { aliasRecordsOf } from "../alias-state.js";
import {
  addressOf,
  type AliasMove,
  type AliasRecord,
  type JournalEntry,
  type JournalRecord,
  type LockInfo,
  type MutableFields,
  type RegistrySnapshot,
  type StoredVersion,
  type VersionRecord,
  type VersionUpdate,
} from "../types.js";
import { compareAddresses, journalEntryOf } from "../version-state.js";
import { createPool, parsePostgresUrl, type PostgresLocation } from "./postgres/connection.js";
import { isUniqueViolation, registryErrorFrom } from "./postgres/errors.js";
import { PgLock } from "./postgres/lock.js";
import { migrate, Tables } from "./postgres/schema.js";
import { verifyPostgresRecords } from "./postgres/verify.js";

export interface PostgresRecordsOptions {
  /** `postgres://USER@HOST:PORT/DATABASE[?sslmode=…&schema=…]`; the password comes from PGPASSWORD or ~/.pgpass. */
  url: string;
  identity?: ProcessIdentity;
  now?: () => Date;
  /** Connections in the pool (the lock has its own). */
  poolSize?: number;
}

/** A version as the snapshot query lists it: record, current mutable fields, archived, updated_at, gc's last deletion flag. */
type SnapshotEntry = [VersionRecord, MutableFields, boolean, string, "true" | "false" | null];

export class PostgresRecords implements RecordStore {
  readonly url: string;
  readonly location: PostgresLocation;
  readonly tables: Tables;
  readonly #identity: ProcessIdentity;
  readonly #now: () => Date;
  readonly #poolSize: number;
  #pool: Pool | undefined;
  #lock: PgLock | undefined;

  constructor(options: PostgresRecordsOptions) {
    this.location = parsePostgresUrl(options.url);
    this.url = this.location.display;
    this.tables = new Tables(this.location.schema);
    this.#identity = options.identity ?? currentProcess();
    this.#now = options.now ?? (() => new Date());
    this.#poolSize = options.poolSize ?? 8;
  }

  async open(options: { create?: boolean } = {}): Promise<void> {
    const pool = await createPool(this.location, this.#poolSize);
    try {
      await migrate(pool, this.tables, this.url, options.create === true);
    } catch (error) {
      await pool.end().catch(() => {});
      throw registryErrorFrom(error, this.url, "open the registry");
    }
    this.#pool = pool;
    this.#lock = new PgLock(pool, this.tables, this.location, this.#identity, this.#now);
  }

  async close(): Promise<void> {
    const pool = this.#pool;
    const lock = this.#lock;
    this.#pool = undefined;
    this.#lock = undefined;
    await lock?.endSessions();
    await pool?.end().catch(() => {});
  }

  async snapshot(): Promise<RegistrySnapshot> {
    // One statement, so one consistent view (the serial and the versions as of the same instant), and
    // one JSON document built by the server: a single parse instead of one per row and column.
    const rows = await this.#query<{ serial: string; versions: string | null }>(
      "read the registry",
      // gc's deletion flag is read from the history it is kept in (the version row predates it); a
      // version with updates is rare, and the primary key finds its history.
      `SELECT s.serial, (SELECT json_agg(json_build_array(v.record, v.mutable, v.archived, v.updated_at,
         CASE WHEN v.updates = 0 THEN NULL ELSE (SELECT h."update"->>'deleted' FROM ${this.tables.history} h
           WHERE h.kind = v.kind AND h.name = v.name AND h.version = v.version AND h."update"->>'deleted' IS NOT NULL ORDER BY h.seq DESC LIMIT 1) END))::text
         FROM ${this.tables.version} v) AS versions
       FROM ${this.tables.serial} s`,
    );
    const row = rows[0];
    const versions: StoredVersion[] = (JSON.parse(row?.versions ?? "[]") as SnapshotEntry[]).map(([record, mutable, archived, updated_at, deleted]) => ({
      record,
      mutable,
      archived,
      ...(deleted === "true" ? { deleted: true as const } : {}),
      updated_at,
    }));
    return { serial: Number(row?.serial ?? 0), versions: versions.sort(compareAddresses) };
  }

  /**
   * The serial, which every write moves in the same transaction, and the serial table's own oid, which a
   * registry dropped and made again does not keep.
   */
  async stateToken(): Promise<string | undefined> {
    const rows = await this.#query<{ serial: string; id: string }>("read the registry serial", `SELECT s.serial, s.tableoid AS id FROM ${this.tables.serial} s`);
    const row = rows[0];
    return row === undefined ? undefined : `postgres:${row.id}:${row.serial}`;
  }

  async createVersion(record: VersionRecord, fence?: Fence): Promise<void> {
    this.#lockHeld();
    const address = addressOf(record);
    const entry: JournalEntry = { op: "create", address, digest: record.digest };
    let written;
    try {
      written = await this.#db().query(
        `WITH s AS (UPDATE ${this.tables.serial} SET serial = serial + 1 WHERE ${this.#fenced(11)} RETURNING serial),
         v AS (INSERT INTO ${this.tables.version} (kind, name, version, digest, record, record_digest, created_serial, mutable, archived, updated_at)
               SELECT $1, $2, $3, $4, $5, $6, s.serial, $7, false, $8 FROM s RETURNING created_serial)
         INSERT INTO ${this.tables.journal} (serial, at, entry) SELECT created_serial, $9, $10 FROM v RETURNING serial`,
        [
          record.kind,
          record.name,
          record.version,
          record.digest,
          JSON.stringify(record),
          jsonDigest(record),
          JSON.stringify(record.mutable),
          record.created_at,
          this.#now().toISOString(),
          JSON.stringify(entry),
          fence?.lockId ?? null,
        ],
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw versionExists(address);
      throw registryErrorFrom(error, this.url, `create ${address}`);
    }
    if (written.rowCount !== 1 && fence !== undefined) throw fencedError(fence, this.url);
  }

  async updateVersion(update: VersionUpdate, fence?: Fence): Promise<void> {
    this.#lockHeld();
    const address = addressOf(update);
    // The version row's counter numbers its history: the row lock the UPDATE takes orders concurrent updates.
    const rows = await this.#query<{ serial: string }>(
      `update ${address}`,
      `WITH u AS (UPDATE ${this.tables.version}
                  SET mutable = CASE WHEN $4::boolean THEN $5::json ELSE mutable END,
                      archived = COALESCE($6::boolean, archived), updated_at = $7, updates = updates + 1
                  WHERE kind = $1 AND name = $2 AND version = $3 RETURNING updates),
       s AS (UPDATE ${this.tables.serial} SET serial = serial + 1 WHERE EXISTS (SELECT 1 FROM u) AND ${this.#fenced(12)} RETURNING serial),
       h AS (INSERT INTO ${this.tables.history} (kind, name, version, seq, "update", update_digest, serial)
             SELECT $1, $2, $3, u.updates, $8, $9, s.serial FROM u, s RETURNING serial)
       INSERT INTO ${this.tables.journal} (serial, at, entry) SELECT serial, $10, $11 FROM h RETURNING serial`,
      [
        update.kind,
        update.name,
        update.version,
        update.mutable !== undefined,
        update.mutable === undefined ? null : JSON.stringify(update.mutable),
        update.archived ?? null,
        update.updated_at,
        JSON.stringify(update),
        jsonDigest(update),
        this.#now().toISOString(),
        JSON.stringify(journalEntryOf(update)),
        fence?.lockId ?? null,
      ],
    );
    if (rows.length === 0) {
      // The version row's UPDATE above is undone with the statement when the fence refused it.
      if (fence !== undefined && !(await this.#fenceCurrent(fence))) throw fencedError(fence, this.url);
      throw versionNotFound(address);
    }
  }

  async history(kind: string, name: string, version: string): Promise<VersionUpdate[]> {
    const rows = await this.#query<{ update: VersionUpdate | null }>(
      `read the history of ${addressOf({ kind, name, version })}`,
      `SELECT h."update" FROM ${this.tables.version} v LEFT JOIN ${this.tables.history} h USING (kind, name, version)
       WHERE v.kind = $1 AND v.name = $2 AND v.version = $3 ORDER BY h.seq`,
      [kind, name, version],
    );
    if (rows.length === 0) throw versionNotFound(addressOf({ kind, name, version }));
    return rows.flatMap((r) => (r.update === null ? [] : [r.update]));
  }

  async appendJournal(entry: JournalEntry, fence?: Fence): Promise<number> {
    this.#lockHeld();
    const rows = await this.#query<{ serial: string }>(
      "append to the journal",
      `WITH s AS (UPDATE ${this.tables.serial} SET serial = serial + 1 WHERE ${this.#fenced(3)} RETURNING serial)
       INSERT INTO ${this.tables.journal} (serial, at, entry) SELECT serial, $1, $2 FROM s RETURNING serial`,
      [this.#now().toISOString(), JSON.stringify(entry), fence?.lockId ?? null],
    );
    if (rows[0] === undefined && fence !== undefined) throw fencedError(fence, this.url);
    return Number(rows[0]?.serial);
  }

  /** One statement: the serial moves only when the fence holds and the target version exists. */
  async moveAlias(move: AliasMove, fence?: Fence): Promise<number> {
    this.#lockHeld();
    const rows = await this.#query<{ serial: string }>(
      `move ${move.kind}:${move.name}@${move.alias}`,
      `WITH s AS (UPDATE ${this.tables.serial} SET serial = serial + 1
                  WHERE ${this.#fenced(3)}
                    AND ($6::text IS NULL OR EXISTS (SELECT 1 FROM ${this.tables.version} WHERE kind = $4 AND name = $5 AND version = $6::text))
                  RETURNING serial)
       INSERT INTO ${this.tables.journal} (serial, at, entry) SELECT serial, $1, $2 FROM s RETURNING serial`,
      [this.#now().toISOString(), JSON.stringify({ op: "alias", move } satisfies JournalEntry), fence?.lockId ?? null, move.kind, move.name, move.to],
    );
    if (rows[0] !== undefined) return Number(rows[0].serial);
    if (fence !== undefined && !(await this.#fenceCurrent(fence))) throw fencedError(fence, this.url);
    throw versionNotFound(addressOf({ kind: move.kind, name: move.name, version: move.to ?? "" }));
  }

  async aliasHistory(): Promise<AliasRecord[]> {
    return aliasRecordsOf(await this.journal());
  }

  async journal(): Promise<JournalRecord[]> {
    const rows = await this.#query<{ serial: string; at: string; entry: JournalEntry }>(
      "read the journal",
      `SELECT serial, at, entry FROM ${this.tables.journal} ORDER BY serial`,
    );
    return rows.map((r) => ({ serial: Number(r.serial), at: r.at, entry: r.entry }));
  }

  async lock(request: LockRequest): Promise<LockHandle> {
    const lock = this.#applyLock();
    const client = await lock.session().catch((error: unknown) => {
      throw registryErrorFrom(error, this.url, "connect for the apply lock");
    });
    try {
      return await acquireWithin(request.timeoutMs, () => lock.attempt(client, request));
    } catch (error) {
      await client.end().catch(() => {});
      throw registryErrorFrom(error, this.url, "take the apply lock");
    }
  }

  async currentLock(): Promise<LockInfo | undefined> {
    const lock = this.#applyLock();
    try {
      return await lock.current();
    } catch (error) {
      throw registryErrorFrom(error, this.url, "read the apply lock");
    }
  }

  async forceUnlock(id: string): Promise<void> {
    const lock = this.#applyLock();
    try {
      await lock.forceUnlock(id);
    } catch (error) {
      throw registryErrorFrom(error, this.url, "force the apply lock open");
    }
  }

  async verify(): Promise<RecordsVerified> {
    let problems;
    try {
      problems = await verifyPostgresRecords(this.#db(), this.tables);
    } catch (error) {
      throw registryErrorFrom(error, this.url, "verify the registry");
    }
    return { problems, versions: (await this.snapshot()).versions };
  }

  async #query<Row extends object>(doing: string, text: string, values: unknown[] = []): Promise<Row[]> {
    try {
      return (await this.#db().query<Row>(text, values)).rows;
    } catch (error) {
      throw registryErrorFrom(error, this.url, doing);
    }
  }

  /**
   * The fence as part of a write's statement: the serial every write moves is moved only while the
   * lock row names the fence's lock, unreleased. FOR SHARE holds that row until the write commits, so a
   * force-unlock or takeover (an UPDATE of the row) lands either wholly before the write (refused) or after it.
   */
  #fenced(param: number): string {
    return `($${param}::text IS NULL OR EXISTS (SELECT 1 FROM ${this.tables.lock} WHERE id = $${param}::text AND NOT released FOR SHARE))`;
  }

  async #fenceCurrent(fence: Fence): Promise<boolean> {
    const rows = await this.#query("check the apply lock", `SELECT 1 FROM ${this.tables.lock} WHERE id = $1 AND NOT released`, [fence.lockId]);
    return rows.length > 0;
  }

  #lockHeld(): void {
    this.#applyLock().checkNotLost();
  }

  #db(): Pool {
    if (this.#pool === undefined) throw new RegistryError("unavailable", `The registry ${this.url} is not open.`);
    return this.#pool;
  }

  #applyLock(): PgLock {
    if (this.#lock === undefined) throw new RegistryError("unavailable", `The registry ${this.url} is not open.`);
    return this.#lock;
  }
}
