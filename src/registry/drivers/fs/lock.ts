// The apply lock of an fs registry, as generations: `lock/<gen>.json` is taken with link() (exclusive,
// complete), `lock/<gen>.released` frees it. The highest generation is the lock. Taking over a stale
// lock means publishing the next generation, which only one contender can do — no compare-and-swap on
// a single `lock.json` (where a takeover and a release could remove each other's file) is needed.
import { readdirSync } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { RegistryError, type Fence, type LockHandle, type LockRequest } from "../../driver.js";
import { DEFAULT_LOCK_TTL_MS, fencedError, lockStaleness, lostLockError, newLockInfo, type LockAttempt, type ProcessIdentity } from "../../lock-policy.js";
import type { LockInfo } from "../../types.js";
import { publishOnce, removeIfPresent, removeQuietly, syncDirectory, writeDurable } from "./durable-file.js";
import { parseSerialName, type FsLayout } from "./layout.js";
import { readRegularTextSync } from "./read-file.js";
import path from "node:path";

interface Generation {
  generation: number;
  /** Undefined when the file is unreadable: treated as stale, never as held. */
  info: LockInfo | undefined;
  released: boolean;
}

export class FsLock {
  constructor(
    private readonly layout: FsLayout,
    private readonly identity: ProcessIdentity,
    private readonly now: () => Date,
  ) {}

  async attempt(request: LockRequest): Promise<LockAttempt> {
    for (;;) {
      const current = this.#latest();
      const holder = current === undefined ? undefined : this.#holder(current);
      if (holder !== undefined) return { holder };
      const generation = (current?.generation ?? 0) + 1;
      const info = newLockInfo(request, this.identity, this.now());
      const temp = this.layout.tempPath(this.identity, "lock");
      await writeDurable(temp, `${JSON.stringify({ generation, ...info })}\n`);
      let won: boolean;
      try {
        won = await publishOnce(temp, this.layout.lockPath(generation));
      } finally {
        removeIfPresent(temp);
      }
      if (!won) continue;
      // A contender that read an older state may publish a generation cleanup had removed; whoever
      // finds a higher generation than its own has lost and steps back.
      const latest = this.#latest();
      if (latest !== undefined && latest.generation > generation) {
        await this.#release(generation);
        continue;
      }
      await this.#removeBelow(generation);
      return { handle: this.#handle(generation, info, request.ttlMs ?? DEFAULT_LOCK_TTL_MS) };
    }
  }

  async held(): Promise<LockInfo | undefined> {
    const current = this.#latest();
    return current === undefined ? undefined : this.#holder(current);
  }

  /**
   * Refuses a write whose fence is not the current lock generation's id. Checked immediately before
   * the write is published (one link()), so a holder paused anywhere before it writes nothing once its
   * lock is forced open or taken over.
   */
  async checkFence(fence: Fence | undefined): Promise<void> {
    if (fence === undefined) return;
    const current = this.#latest();
    if (current === undefined || current.released || current.info?.id !== fence.lockId) throw fencedError(fence, this.layout.root);
  }

  async forceUnlock(id: string): Promise<void> {
    const current = this.#latest();
    if (current === undefined || current.released || current.info?.id !== id) {
      throw new RegistryError("lock-not-found", `No lock with id ${id} is held on this registry.`);
    }
    await this.#release(current.generation);
  }

  #holder(current: Generation): LockInfo | undefined {
    if (current.released || current.info === undefined) return undefined;
    return lockStaleness(current.info, this.now(), this.identity) === undefined ? current.info : undefined;
  }

  #handle(generation: number, info: LockInfo, ttlMs: number): LockHandle {
    // Renewing publishes the next generation with the same id and a later expiry: the lock moves up
    // a generation, and a contender that took the next one first has taken the lock over.
    let held = generation;
    return {
      info,
      release: () => this.#release(held),
      renew: async () => {
        const current = this.#latest();
        if (current === undefined || current.generation !== held || current.released || current.info?.id !== info.id) {
          throw lostLockError(info, this.layout.root);
        }
        const next = held + 1;
        const expiresAt = new Date(this.now().getTime() + ttlMs).toISOString();
        const temp = this.layout.tempPath(this.identity, "lock");
        await writeDurable(temp, `${JSON.stringify({ generation: next, ...info, expires_at: expiresAt })}\n`);
        let won: boolean;
        try {
          won = await publishOnce(temp, this.layout.lockPath(next));
        } finally {
          removeIfPresent(temp);
        }
        if (!won) throw lostLockError(info, this.layout.root);
        // A force-unlock of the generation renewed from, just before it was renewed, still wins.
        if (await exists(this.layout.lockReleasedPath(held))) {
          await this.#release(next);
          throw lostLockError(info, this.layout.root);
        }
        held = next;
        (info as { expires_at: string }).expires_at = expiresAt;
        await this.#removeBelow(next);
      },
    };
  }

  async #release(generation: number): Promise<void> {
    try {
      await writeDurable(this.layout.lockReleasedPath(generation), "");
      await syncDirectory(this.layout.lockDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }

  /** Read synchronously: checkFence reads it before every write (see durable-file.ts for why not through the pool). */
  #latest(): Generation | undefined {
    for (;;) {
      let names: string[];
      try {
        names = readdirSync(this.layout.lockDir);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
        throw error;
      }
      const generations = names.map((n) => parseSerialName(n, ".json")).filter((g): g is number => g !== undefined);
      if (generations.length === 0) return undefined;
      const generation = Math.max(...generations);
      let text: string;
      try {
        text = readRegularTextSync(this.layout.lockPath(generation));
      } catch (error) {
        // Removed by a newer holder's cleanup between the listing and the read: list again.
        if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw error;
      }
      const released = names.includes(path.basename(this.layout.lockReleasedPath(generation)));
      return { generation, info: parseLockInfo(text), released };
    }
  }


  /** Old generations only matter until a newer one exists; keeping the directory small keeps reads cheap. */
  async #removeBelow(generation: number): Promise<void> {
    const names = await readdir(this.layout.lockDir).catch(() => [] as string[]);
    for (const name of names) {
      const g = parseSerialName(name, ".json") ?? parseSerialName(name, ".released");
      if (g !== undefined && g < generation) removeQuietly(path.join(this.layout.lockDir, name));
    }
  }
}

function parseLockInfo(text: string): LockInfo | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockInfo> & { generation?: number };
    const { id, owner, host, pid, created_at, expires_at, operation } = value;
    if (
      typeof id !== "string" || typeof owner !== "string" || typeof host !== "string" || typeof pid !== "number" ||
      typeof created_at !== "string" || typeof expires_at !== "string" || typeof operation !== "string"
    ) {
      return undefined;
    }
    return { id, owner, host, pid, created_at, expires_at, operation };
  } catch {
    return undefined;
  }
}

async function exists(file: string): Promise<boolean> {
  return (await lstat(file).catch(() => undefined)) !== undefined;
}
