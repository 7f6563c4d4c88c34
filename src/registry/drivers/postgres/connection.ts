// Where a PostgreSQL registry lives, from its URL: the connection string handed to `pg` (which also
// reads PGPASSWORD, PGSSLMODE, ~/.pgpass and the other libpq variables), the schema holding the
// registry's tables, and the name shown to people, without the password. The `pg` module itself is
// imported here, on first use, so commands that never touch PostgreSQL never load it.
import type { Client, ClientConfig, Pool } from "pg";
import { redact } from "../../../redact.js";
import { RegistryError } from "../../driver.js";

export interface PostgresLocation {
  /** The connection string for `pg`, with assetctl's own parameters removed. */
  connectionString: string;
  /** The schema of the registry's tables (`?schema=`, default `public`). */
  schema: string;
  /** The URL without its password, for plans and messages. */
  display: string;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_$]{0,62}$/;

export function parsePostgresUrl(spec: string): PostgresLocation {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new RegistryError("invalid", `${redact(spec)} is not a valid PostgreSQL URL.`, "write postgres://USER@HOST:PORT/DATABASE");
  }
  const schema = url.searchParams.get("schema") ?? "public";
  if (!SCHEMA_NAME.test(schema)) {
    throw new RegistryError("invalid", `schema=${JSON.stringify(schema)} is not a plain PostgreSQL schema name (lower-case letters, digits, _).`);
  }
  url.searchParams.delete("schema");
  return { connectionString: url.toString(), schema, display: redact(spec) };
}


type PgModule = Pick<typeof import("pg"), "Pool" | "Client">;
let pgModule: Promise<PgModule> | undefined;

async function loadPg(): Promise<PgModule> {
  // pg is CommonJS: its classes are on the default export.
  pgModule ??= import("pg").then((m) => ((m as unknown as { default?: PgModule }).default ?? m));
  return pgModule;
}

/** Bounded waits everywhere: a registry that does not answer fails the command instead of hanging it. */
function clientConfig(location: PostgresLocation, applicationName: string): ClientConfig {
  return {
    connectionString: location.connectionString,
    application_name: applicationName,
    connectionTimeoutMillis: 15_000,
    query_timeout: 120_000,
    keepAlive: true,
  };
}

export async function createPool(location: PostgresLocation, max = 8): Promise<Pool> {
  const pg = await loadPg();
  const pool = new pg.Pool({ ...clientConfig(location, "assetctl"), max, idleTimeoutMillis: 10_000 });
  // An idle client whose session was ended (server restart, pg_terminate_backend) emits this; the
  // pool drops it, and the next query opens a new connection.
  pool.on("error", () => {});
  return pool;
}

/** A connection of its own, outside the pool: the apply lock lives as long as this session. */
export async function connectClient(location: PostgresLocation, applicationName: string): Promise<Client> {
  const pg = await loadPg();
  const client = new pg.Client(clientConfig(location, applicationName));
  client.on("error", () => {});
  await client.connect();
  return client;
}
