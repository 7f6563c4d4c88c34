// How PostgreSQL's refusals and lost connections read to a user: one RegistryError each, naming the
// registry (never its password), what was being done, and what to do about it — never a stack trace.
import { RegistryError } from "../../driver.js";

interface PgFailure {
  code?: string;
  message?: string;
  detail?: string;
}

/** SQLSTATE classes and node error codes that mean "the server went away or cannot be reached". */
const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "EPIPE"]);

export function isUniqueViolation(error: unknown): boolean {
  return (error as PgFailure | null)?.code === "23505";
}

/** Turns anything the pg client threw into a RegistryError; RegistryErrors pass through unchanged. */
export function registryErrorFrom(error: unknown, url: string, doing: string): RegistryError {
  if (error instanceof RegistryError) return error;
  const failure = (error ?? {}) as PgFailure;
  const code = failure.code ?? "";
  const said = (failure.message ?? String(error)).replace(/\s+$/, "");
  if (code === "42501") {
    return new RegistryError(
      "unavailable",
      `The PostgreSQL role may not ${doing} in ${url}: ${said}.`,
      "plan and the read commands work with a read-only role; apply needs a role that may write the assetctl_ tables (see docs/team-registry.md)",
    );
  }
  if (code === "25006") {
    return new RegistryError("unavailable", `${url} is read-only (a standby server, or default_transaction_read_only), so assetctl cannot ${doing}.`, "point apply at the primary server");
  }
  if (code === "28P01" || code === "28000") {
    return new RegistryError("unavailable", `PostgreSQL at ${url} refused the login: ${said}.`, "set PGPASSWORD or a ~/.pgpass entry for this host and user; never put the password in assetctl.yaml");
  }
  if (code === "3D000") {
    return new RegistryError("unavailable", `${said} (${url}).`, "create the database first, e.g. `createdb assetctl`, and grant the team's role access to it");
  }
  if (code.startsWith("57P") || code.startsWith("08") || CONNECTION_CODES.has(code) || /Connection terminated|connection timeout|Query read timeout|Client has encountered a connection error|not queryable/i.test(said)) {
    return new RegistryError(
      "unavailable",
      `Lost the connection to PostgreSQL at ${url} while trying to ${doing}: ${said}. A write that was interrupted either committed whole or not at all.`,
      "check that the server is up and reachable, then run the command again: apply finishes what an interrupted apply left",
    );
  }
  const sqlstate = code === "" ? "" : ` (SQLSTATE ${code})`;
  return new RegistryError("unavailable", `PostgreSQL at ${url} refused to ${doing}: ${said}${sqlstate}.`);
}
