// The test servers a team registry's tests run against (started by test/servers.global-setup.ts), and
// a fresh, private registry on them per test: a PostgreSQL schema of its own, an OCI namespace of its own.
import { randomBytes } from "node:crypto";

export const postgresUrl = process.env["ASSETCTL_TEST_POSTGRES"];
export const ociUrl = process.env["ASSETCTL_TEST_OCI"];

/** Why the server-backed tests cannot run here, or undefined when they can. */
export function serversMissing(needs: { postgres?: boolean; oci?: boolean } = { postgres: true, oci: true }): string | undefined {
  const missing = [needs.postgres && !postgresUrl ? "PostgreSQL (ASSETCTL_TEST_POSTGRES)" : "", needs.oci && !ociUrl ? "an OCI registry (ASSETCTL_TEST_OCI)" : ""].filter(Boolean);
  if (missing.length === 0) return undefined;
  const reason = `skipped: no test server for ${missing.join(" and ")}; see scripts/test-servers.mjs`;
  console.warn(reason);
  return reason;
}

function unique(prefix: string): string {
  return `${prefix}${randomBytes(6).toString("hex")}`;
}

/** A PostgreSQL registry URL in a schema nobody has used, and a way to drop it. */
export function freshPostgres(): { url: string; schema: string; cleanup(): Promise<void> } {
  if (postgresUrl === undefined) throw new Error("no test PostgreSQL server");
  const schema = unique("t_");
  const url = `${postgresUrl}${postgresUrl.includes("?") ? "&" : "?"}schema=${schema}`;
  return {
    url,
    schema,
    cleanup: async () => {
      await withPostgres(async (client) => {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      });
    },
  };
}

/** An OCI objects URL under a namespace nobody has used. */
export function freshOci(): string {
  if (ociUrl === undefined) throw new Error("no test OCI registry");
  return `${ociUrl}/${unique("r")}`;
}

type Queryable = { query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> };

/** Runs `fn` on a superuser connection to the test server. */
export async function withPostgres<T>(fn: (client: Queryable) => Promise<T>, url = postgresUrl): Promise<T> {
  const pg = ((await import("pg")) as unknown as { default: typeof import("pg") }).default;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, query_timeout: 30_000 });
  client.on("error", () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}
