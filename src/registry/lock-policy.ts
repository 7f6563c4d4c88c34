// What every driver agrees on about the apply lock: who is asking, when a held lock is stale (expired,
// or its process is gone on this very host), how long to wait between attempts, and how a refusal reads.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { RegistryError, type LockHandle, type LockRequest } from "./driver.js";
import type { LockInfo } from "./types.js";

/** One hour: long enough for a large upload, short enough that a crash on another host heals itself. */
export const DEFAULT_LOCK_TTL_MS = 60 * 60 * 1000;

/** The process a driver acts for. Tests pass another identity to act as a second (or dead) process. */
export interface ProcessIdentity {
  host: string;
  pid: number;
}

export function currentProcess(): ProcessIdentity {
  return { host: hostname(), pid: process.pid };
}

export function newLockInfo(request: LockRequest, identity: ProcessIdentity, now: Date): LockInfo {
  return {
    id: randomUUID(),
    owner: request.owner,
    host: identity.host,
    pid: identity.pid,
    created_at: now.toISOString(),
    expires_at: new Date(now.getTime() + (request.ttlMs ?? DEFAULT_LOCK_TTL_MS)).toISOString(),
    operation: request.operation,
  };
}

/**
 * A process on another host cannot be probed, so only expiry frees its lock. On this host, signal 0
 * asks the kernel whether the pid exists without touching it; EPERM means it exists under another user.
 */
export function isProcessGone(holder: ProcessIdentity, here: ProcessIdentity): boolean {
  if (!Number.isInteger(holder.pid) || holder.pid <= 0) return true;
  if (holder.host !== here.host) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

export type LockStaleness = "expired" | "holder-gone";

export function lockStaleness(info: LockInfo, now: Date, here: ProcessIdentity): LockStaleness | undefined {
  const expires = Date.parse(info.expires_at);
  if (!Number.isFinite(expires) || expires <= now.getTime()) return "expired";
  if (isProcessGone(info, here)) return "holder-gone";
  return undefined;
}

export function lockedError(holder: LockInfo): RegistryError {
  return new RegistryError(
    "locked",
    `The registry is locked by ${holder.owner} on ${holder.host} (pid ${holder.pid}) since ${holder.created_at} ` +
      `for "${holder.operation}"; the lock expires at ${holder.expires_at}.`,
    `wait for that operation to finish or allow a lock timeout; if that process is gone, force-unlock lock ${holder.id}`,
  );
}

/** One attempt either takes the lock or names who holds it. */
export type LockAttempt = { handle: LockHandle } | { holder: LockInfo };

/**
 * Retries `attempt` with a small growing backoff until it succeeds or `timeoutMs` has passed, then
 * fails naming the last holder. A timeout of 0 makes exactly one attempt.
 */
export async function acquireWithin(timeoutMs: number, attempt: () => Promise<LockAttempt>): Promise<LockHandle> {
  const deadline = Date.now() + Math.max(0, timeoutMs);
  let delay = 10;
  for (;;) {
    const result = await attempt();
    if ("handle" in result) return result.handle;
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw lockedError(result.holder);
    await sleep(Math.min(delay, remaining));
    delay = Math.min(delay * 2, 250);
  }
}
