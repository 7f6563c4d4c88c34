// The registry's tables in PostgreSQL and their migrations: versioned, forward-only, each run once in
// the transaction that records it in `assetctl_schema`, serialized between processes by a transaction
// advisory lock. A registry whose schema is newer than this assetctl knows is refused, never guessed at.
import type { Pool, PoolClient } from "pg";
import { TOOL_VERSION } from "../../../version.js";
import { RegistryError } from "../../driver.js";

/** The schema version this assetctl writes and reads. */
export const SCHEMA_VERSION = 1;

/** The tables of one registry, qualified by its schema so no search_path is ever relied on. */
export class Tables {
  readonly schemaVersion: string;
  readonly version: string;
  readonly history: string;
  readonly journal: string;
  readonly serial: string;
  readonly lock: string;

  constructor(readonly schema: string) {
    const q = (name: string): string => `"${schema}".${name}`;
    this.schemaVersion = q("assetctl_schema");
    this.version = q("assetctl_version");
    this.history = q("assetctl_history");
    this.journal = q("assetctl_journal");
    this.serial = q("assetctl_serial");
    this.lock = q("assetctl_lock");
  }

  q(name: string): string {
    return `"${this.schema}".${name}`;
  }
}

/**
 * Migration N takes schema version N-1 to N. Records and the journal are JSON text (`json`, not `jsonb`:
 * the exact bytes written, so digests recompute) and are protected by triggers: a version row's
 * immutable columns, history rows and journal rows can be neither updated nor deleted.
 */
const MIGRATIONS: ((t: Tables) => string)[] = [
  (t) => `
    CREATE TABLE ${t.version} (
      kind text NOT NULL,
      name text NOT NULL,
      version text NOT NULL,
      digest text NOT NULL,
      record json NOT NULL,
      record_digest text NOT NULL,
      created_serial bigint NOT NULL,
      mutable json NOT NULL,
      archived boolean NOT NULL DEFAULT false,
      updated_at text NOT NULL,
      updates integer NOT NULL DEFAULT 0,
      PRIMARY KEY (kind, name, version)
    );
    CREATE TABLE ${t.history} (
      kind text NOT NULL,
      name text NOT NULL,
      version text NOT NULL,
      seq integer NOT NULL,
      "update" json NOT NULL,
      update_digest text NOT NULL,
      serial bigint NOT NULL,
      PRIMARY KEY (kind, name, version, seq),
      FOREIGN KEY (kind, name, version) REFERENCES ${t.version}
    );
    CREATE TABLE ${t.journal} (
      serial bigint PRIMARY KEY,
      at text NOT NULL,
      entry json NOT NULL
    );
    CREATE TABLE ${t.serial} (
      one boolean PRIMARY KEY DEFAULT true CHECK (one),
      serial bigint NOT NULL
    );
    INSERT INTO ${t.serial} (one, serial) VALUES (true, 0);
    CREATE TABLE ${t.lock} (
      one boolean PRIMARY KEY DEFAULT true CHECK (one),
      id text NOT NULL,
      owner text NOT NULL,
      host text NOT NULL,
      pid integer NOT NULL,
      created_at text NOT NULL,
      expires_at text NOT NULL,
      operation text NOT NULL,
      backend_pid integer NOT NULL,
      released boolean NOT NULL
    );
    CREATE FUNCTION ${t.q("assetctl_refuse_change")}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'assetctl registry: % on % is refused; versions, their history and the journal never change', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
    END $$;
    CREATE TRIGGER assetctl_version_immutable BEFORE DELETE OR UPDATE OF kind, name, version, digest, record, record_digest, created_serial
      ON ${t.version} FOR EACH ROW EXECUTE FUNCTION ${t.q("assetctl_refuse_change")}();
    CREATE TRIGGER assetctl_history_immutable BEFORE DELETE OR UPDATE ON ${t.history} FOR EACH ROW EXECUTE FUNCTION ${t.q("assetctl_refuse_change")}();
    CREATE TRIGGER assetctl_journal_immutable BEFORE DELETE OR UPDATE ON ${t.journal} FOR EACH ROW EXECUTE FUNCTION ${t.q("assetctl_refuse_change")}();
  `,
];

/** Advisory lock keys: the first names assetctl, the second the registry's schema (and what for). */
export const ADVISORY_CLASS = 0x61637431; // "act1"

export function advisoryKey(schema: string, purpose: "apply" | "migrate"): number {
  let hash = purpose === "apply" ? 0x811c9dc5 : 0x01000193;
  for (const char of Buffer.from(schema, "utf8")) hash = Math.imul(hash ^ char, 0x01000193) >>> 0;
  return hash & 0x7fffffff;
}

/**
 * Brings the registry's tables to SCHEMA_VERSION, creating them when `create` is set. Returns quickly
 * (one query) on an up-to-date registry, which is all a read-only role ever needs.
 */
export async function migrate(pool: Pool, tables: Tables, url: string, create: boolean): Promise<void> {
  const current = await schemaVersion(pool, tables);
  if (current === SCHEMA_VERSION) return;
  if (current !== undefined && current > SCHEMA_VERSION) throw newerSchema(url, current);
  if (current === undefined && !create) throw notFound(url);
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1, $2)", [ADVISORY_CLASS, advisoryKey(tables.schema, "migrate")]);
    // Someone may have created or migrated it while we waited for the lock.
    let version = await schemaVersion(client, tables);
    if (version === undefined) {
      if (!create) throw notFound(url);
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${tables.schema}"`);
      await client.query(`CREATE TABLE ${tables.schemaVersion} (version integer NOT NULL, migrated_at timestamptz NOT NULL DEFAULT now(), tool_version text NOT NULL)`);
      await client.query(`INSERT INTO ${tables.schemaVersion} (version, tool_version) VALUES (0, $1)`, [TOOL_VERSION]);
      version = 0;
    }
    if (version > SCHEMA_VERSION) throw newerSchema(url, version);
    for (let next = version + 1; next <= SCHEMA_VERSION; next += 1) {
      const migration = MIGRATIONS[next - 1];
      if (migration === undefined) throw new Error(`internal: no migration to schema version ${next}`);
      await client.query(migration(tables));
      await client.query(`UPDATE ${tables.schemaVersion} SET version = $1, migrated_at = now(), tool_version = $2`, [next, TOOL_VERSION]);
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** The registry's schema version, or undefined when it has no tables (yet). */
async function schemaVersion(db: Pool | PoolClient, tables: Tables): Promise<number | undefined> {
  // A failed statement would abort the migration's transaction, so the table is looked up first there;
  // outside one, asking directly saves a round trip on every open.
  if ("release" in db) {
    const exists = await db.query<{ found: string | null }>("SELECT to_regclass($1) AS found", [tables.schemaVersion]);
    if (exists.rows[0]?.found == null) return undefined;
  }
  try {
    const result = await db.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${tables.schemaVersion}`);
    return result.rows[0]?.version ?? 0;
  } catch (error) {
    // 42P01 undefined_table, 3F000 invalid_schema_name: no registry here.
    const code = (error as { code?: string }).code;
    if (code === "42P01" || code === "3F000") return undefined;
    throw error;
  }
}

function notFound(url: string): RegistryError {
  return new RegistryError("not-found", `There is no registry at ${url}.`, "`assetctl apply` creates it");
}

function newerSchema(url: string, version: number): RegistryError {
  return new RegistryError(
    "format-newer",
    `The registry at ${url} has schema version ${version}; this assetctl (${TOOL_VERSION}) reads schema version ${SCHEMA_VERSION}.`,
    "upgrade assetctl to use this registry; schemas only move forward",
  );
}
