// The apply lock of a PostgreSQL registry: a session-level advisory lock held on a connection of its
// own, plus one owner row (`assetctl_lock`) saying who holds it, for messages and `force-unlock`. The
// server frees the advisory lock the moment the holder's session ends — a killed client, a dropped
// connection — so a dead holder's lock is recognized without any expiry. A live holder whose lock
// expired (or whose process is gone from this host) is taken over by ending its session, which is also
// what force-unlock does: pg_terminate_backend needs the same role or membership in pg_signal_backend.
import type { Client, Pool } from "pg";
import { setTimeout as sleep } from "node:timers/promises";
import { RegistryError, type LockHandle, type LockRequest } from "../../driver.js";
import { DEFAULT_LOCK_TTL_MS, lockStaleness, lostLockError, newLockInfo, type LockAttempt, type ProcessIdentity } from "../../lock-policy.js";
import type { LockInfo } from "../../types.js";
import { connectClient, type PostgresLocation } from "./connection.js";
import { registryErrorFrom } from "./errors.js";
import { ADVISORY_CLASS, advisoryKey, type Tables } from "./schema.js";

/** How long an attempt waits for a holder whose session is ending, or whose owner row is not committed yet. */
const SETTLE_MS = 3000;

/** The lock's owner row: the lock's fields (an id of null before the first lock), and the backend's state. */
interface OwnerRow extends Omit<LockInfo, "id"> {
  id: string | null;
  backend_pid: number | null;
  released: boolean | null;
  /** The backend that holds the advisory lock right now, whatever the row says. */
  holder: number | null;
}

/** The lock as seen now: who holds the advisory lock, and whether the owner row describes that holder. */
type Seen = { state: "free" } | { state: "held"; info: LockInfo; backend: number } | { state: "unknown"; backend: number };

export class PgLock {
  readonly #key: number;
  /** The lock this process took last, so that losing an older one does not count as losing this one. */
  #latest: { lost: boolean } | undefined;
  readonly #sessions = new Set<Client>();

  constructor(
    private readonly pool: Pool,
    private readonly tables: Tables,
    private readonly location: PostgresLocation,
    private readonly identity: ProcessIdentity,
    private readonly now: () => Date,
  ) {
    this.#key = advisoryKey(tables.schema, "apply");
  }

  /** Throws when the lock this process holds was lost (its session ended), so no write goes on unlocked. */
  checkNotLost(): void {
    if (this.#latest?.lost === true) {
      throw new RegistryError(
        "locked",
        `This process lost the apply lock of ${this.location.display}: its PostgreSQL session ended (terminated, or the connection dropped). Nothing more is written.`,
        "run apply again: it takes the lock anew and finishes the job",
      );
    }
  }

  /** One session for all attempts of one lock() call; it becomes the lock's session when one succeeds. */
  async session(): Promise<Client> {
    return connectClient(this.location, "assetctl lock");
  }

  async attempt(client: Client, request: LockRequest): Promise<LockAttempt> {
    const deadline = Date.now() + SETTLE_MS;
    for (;;) {
      const info = newLockInfo(request, this.identity, this.now());
      // Taking the advisory lock and writing the owner row in one statement: they commit together.
      const taken = await client.query(
        `WITH got AS (SELECT pg_try_advisory_lock($1, $2) AS ok)
         INSERT INTO ${this.tables.lock} AS l (one, id, owner, host, pid, created_at, expires_at, operation, backend_pid, released)
         SELECT true, $3, $4, $5, $6, $7, $8, $9, pg_backend_pid(), false FROM got WHERE ok
         ON CONFLICT (one) DO UPDATE SET id = EXCLUDED.id, owner = EXCLUDED.owner, host = EXCLUDED.host, pid = EXCLUDED.pid,
           created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at, operation = EXCLUDED.operation,
           backend_pid = EXCLUDED.backend_pid, released = false
         RETURNING id`,
        [ADVISORY_CLASS, this.#key, info.id, info.owner, info.host, info.pid, info.created_at, info.expires_at, info.operation],
      );
      if (taken.rowCount === 1) return { handle: this.#handle(client, info, request.ttlMs ?? DEFAULT_LOCK_TTL_MS) };
      const seen = await this.#seen();
      if (seen.state === "held") {
        if (lockStaleness(seen.info, this.now(), this.identity) === undefined) return { holder: seen.info };
        await this.#endSession(seen.backend);
      }
      // Free (released meanwhile), ending, or held by a session whose row is not committed yet: look again shortly.
      if (Date.now() > deadline && seen.state !== "free") return { holder: seen.state === "held" ? seen.info : this.#unnamed(seen.backend) };
      await sleep(20);
    }
  }

  /** A holder whose owner row does not describe it (force-unlocked, but its session could not be ended). */
  #unnamed(backend: number): LockInfo {
    const now = this.now().toISOString();
    return { id: `session-${backend}`, owner: `PostgreSQL session ${backend}`, host: "an unknown host", pid: backend, created_at: now, expires_at: now, operation: "unknown" };
  }

  /** Ends the sessions of the locks this process still holds: closing the registry frees its lock. */
  async endSessions(): Promise<void> {
    await Promise.all([...this.#sessions].map((client) => client.end().catch(() => {})));
    this.#sessions.clear();
  }

  async current(): Promise<LockInfo | undefined> {
    const seen = await this.#seen();
    if (seen.state !== "held") return undefined;
    return lockStaleness(seen.info, this.now(), this.identity) === undefined ? seen.info : undefined;
  }

  async forceUnlock(id: string): Promise<void> {
    const seen = await this.#seen();
    if (seen.state !== "held" || seen.info.id !== id) {
      throw new RegistryError("lock-not-found", `No lock with id ${id} is held on ${this.location.display}.`);
    }
    await this.pool.query(`UPDATE ${this.tables.lock} SET released = true WHERE id = $1`, [id]);
    await this.#endSession(seen.backend);
  }

  async #seen(): Promise<Seen> {
    const result = await this.pool.query<OwnerRow>(
      `SELECT l.id, l.owner, l.host, l.pid, l.created_at, l.expires_at, l.operation, l.backend_pid, l.released,
         (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND classid = $1::bigint::oid AND objid = $2::bigint::oid AND objsubid = 2 LIMIT 1) AS holder
       FROM (SELECT 1) AS one LEFT JOIN ${this.tables.lock} l ON true`,
      [ADVISORY_CLASS, this.#key],
    );
    const row = result.rows[0];
    if (row === undefined || row.holder === null) return { state: "free" };
    if (row.id === null || row.released !== false || row.backend_pid !== row.holder) return { state: "unknown", backend: row.holder };
    const { id, owner, host, pid, created_at, expires_at, operation } = row;
    return { state: "held", info: { id, owner, host, pid, created_at, expires_at, operation }, backend: row.holder };
  }

  /** Ends a holder's session and waits (briefly) until the server has let go of its advisory lock. */
  async #endSession(backend: number): Promise<void> {
    const ended = await this.pool.query<{ ok: boolean }>("SELECT pg_terminate_backend($1) AS ok", [backend]).catch((error: unknown) => {
      throw registryErrorFrom(error, this.location.display, "end the session holding the apply lock");
    });
    if (ended.rows[0]?.ok !== true) {
      throw new RegistryError(
        "locked",
        `The apply lock of ${this.location.display} is held by PostgreSQL session ${backend}, which this role may not end.`,
        "ask an administrator to run SELECT pg_terminate_backend(…) for that session, or grant the team's role pg_signal_backend",
      );
    }
    const deadline = Date.now() + SETTLE_MS;
    while (Date.now() < deadline) {
      const seen = await this.#seen();
      if (seen.state === "free" || seen.backend !== backend) return;
      await sleep(10);
    }
  }

  #handle(client: Client, info: LockInfo, ttlMs: number): LockHandle {
    const state = { lost: false, released: false };
    this.#latest = state;
    const lost = (): void => {
      if (!state.released) state.lost = true;
    };
    client.on("end", lost);
    client.on("error", lost);
    this.#sessions.add(client);
    return {
      info,
      release: async () => {
        if (state.released) return;
        state.released = true;
        try {
          // Guarded by id: a lock taken over since is someone else's and stays as it is.
          await client.query(`UPDATE ${this.tables.lock} SET released = true WHERE id = $1`, [info.id]);
          await client.query("SELECT pg_advisory_unlock($1, $2)", [ADVISORY_CLASS, this.#key]);
        } catch {
          // The session is gone already, and the server freed the advisory lock with it.
        } finally {
          this.#sessions.delete(client);
          await client.end().catch(() => {});
        }
      },
      // On the lock's own session, and only while the owner row still says it holds the lock.
      renew: async () => {
        const expiresAt = new Date(this.now().getTime() + ttlMs).toISOString();
        const renewed =
          state.lost || state.released
            ? undefined
            : await client
                .query(`UPDATE ${this.tables.lock} SET expires_at = $2 WHERE id = $1 AND released = false AND backend_pid = pg_backend_pid()`, [info.id, expiresAt])
                .catch(() => undefined);
        if (renewed?.rowCount !== 1) throw lostLockError(info, this.location.display);
        (info as { expires_at: string }).expires_at = expiresAt;
      },
    };
  }
}
