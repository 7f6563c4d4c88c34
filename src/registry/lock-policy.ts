// What every driver agrees on about the apply lock: who is asking, when a held lock is stale (expired,
// or its process is gone on this very host), how long to wait between attempts, and how a refusal reads.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { RegistryError, type Fence, type LockHandle, type LockRequest } from "./driver.js";
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

/** What renewing a lock that is no longer this process's says. */
export function lostLockError(info: LockInfo, where: string): RegistryError {
  return new RegistryError(
    "locked",
    `This process no longer holds the apply lock ${info.id} of ${where} (released, force-unlocked, or taken over after it expired). Nothing more is written.`,
    "run apply again: it takes the lock anew and finishes the job",
  );
}

/** What every write made under `handle` carries. */
export function fenceOf(handle: LockHandle): Fence {
  return { lockId: handle.info.id };
}

/** What a write under a lock that is no longer current says. */
export function fencedError(fence: Fence, where: string): RegistryError {
  return new RegistryError(
    "locked",
    `This write was made under the apply lock ${fence.lockId} of ${where}, which is no longer held (released, force-unlocked, or taken over); nothing was written.`,
    "run apply again: it takes the lock anew and finishes the job",
  );
}

/** A lock kept alive while work goes on under it (see keepLock). */
export interface KeptLock {
  /** Aborted, with the reason, when a renewal fails: the lock may be someone else's now. */
  readonly signal: AbortSignal;
  /** Stops renewing (before release). */
  stop(): void;
}

/**
 * Renews `handle` every third of its time-to-live while work goes on, so that a long apply (a large
 * upload) never outlives its lock. The timer does not keep the process alive. When a renewal fails, the
 * signal is aborted and the work must stop writing.
 */
export function keepLock(handle: LockHandle, ttlMs: number = DEFAULT_LOCK_TTL_MS): KeptLock {
  const controller = new AbortController();
  let renewing = false;
  const timer = setInterval(() => {
    if (renewing || controller.signal.aborted) return;
    renewing = true;
    handle
      .renew()
      .catch((error: unknown) => controller.abort(error))
      .finally(() => {
        renewing = false;
      });
  }, Math.max(1, Math.floor(ttlMs / 3)));
  timer.unref();
  return { signal: controller.signal, stop: () => clearInterval(timer) };
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
