// Carrying out a gc plan on a registry, under its apply lock: phase 1 marks versions deleted (each a
// fenced, journaled `gc-delete`; the record stays), phase 2 re-reads the registry and moves objects no
// live record uses into the trash, then purges what the trash kept long enough. A crash at any instant
// loses nothing in use: a deletion is one journaled update, each object moves whole by one rename, and
// objects are judged only from the records as they are after every deletion, under the same lock.
import os from "node:os";
import type { GcPlan } from "../gc/plan.js";
import type { RegistryDriver, StoredObject } from "../registry/driver.js";
import { fenceOf, keepLock } from "../registry/lock-policy.js";
import { addressOf, type AliasRecord, type Digest, type Provenance, type RegistrySnapshot } from "../registry/types.js";
import { objectDigestsOf } from "../registry/validate.js";
import { TOOL_VERSION } from "../version.js";

/** What a gc plan is made from, read from the registry. */
export interface GcState {
  snapshot: RegistrySnapshot;
  aliasHistory: AliasRecord[];
  /** Undefined when the registry cannot sweep its own objects. */
  objects: StoredObject[] | undefined;
}

export interface GcReadOptions {
  /** List the stored objects too (default true); phase 1 of an apply decides on versions only. */
  objects?: boolean;
  /** How the alias journal is read (default: the driver's aliasHistory()); the CLI reads it through its cache. */
  aliasHistory?: () => Promise<AliasRecord[]>;
  /** A snapshot already read at the registry's current state (the CLI plans the declared ref from it). */
  snapshot?: RegistrySnapshot;
}

export async function readGcState(registry: RegistryDriver, options: GcReadOptions = {}): Promise<GcState> {
  const [snapshot, aliasHistory, objects] = await Promise.all([
    options.snapshot ?? registry.snapshot(),
    options.aliasHistory?.() ?? registry.aliasHistory?.() ?? [],
    options.objects === false ? undefined : registry.sweep?.listObjects(),
  ]);
  return { snapshot, aliasHistory, objects };
}

export interface GcApplyOptions {
  /** Makes the plan from the registry's state; called again under the lock, and after phase 1. */
  plan: (state: GcState) => GcPlan;
  /** How the alias journal is read (see GcReadOptions). */
  aliasHistory?: () => Promise<AliasRecord[]>;
  trashDays: number;
  lockTimeoutMs?: number;
  now?: () => Date;
  /** Called after each step that wrote (tests use it to crash at chosen instants). */
  onStep?: (step: string) => void;
}

export interface GcOutcome {
  /** The plan carried out (made under the lock). */
  plan: GcPlan;
  deleted: { address: string; serial: number | null }[];
  swept: Digest[];
  bytes_swept: number;
  purged: Digest[];
}

const GC_PROVENANCE: Provenance = { commit: null, dirty: false, branch: null, remote: null, ref: null, manifest: "", tool_version: TOOL_VERSION };

function owner(): string {
  return `${os.userInfo().username}@${os.hostname()}`;
}

export async function applyGc(registry: RegistryDriver, options: GcApplyOptions): Promise<GcOutcome> {
  const now = options.now ?? (() => new Date());
  const handle = await registry.lock({ owner: owner(), operation: "gc", timeoutMs: options.lockTimeoutMs ?? 0 });
  const kept = keepLock(handle);
  const fence = fenceOf(handle);
  try {
    const read = (objects: boolean): Promise<GcState> => readGcState(registry, { objects, ...(options.aliasHistory ? { aliasHistory: options.aliasHistory } : {}) });
    // Phase 1 decides on versions only: the objects are listed once, for phase 2, after the deletions.
    const sweep = registry.sweep;
    let plan = options.plan(await read(false));
    const toDelete = plan.versions.filter((v) => v.action === "delete");
    for (const v of toDelete) {
      kept.signal.throwIfAborted();
      await registry.updateVersion({ kind: v.kind, name: v.name, version: v.version, deleted: true, provenance: GC_PROVENANCE, updated_at: now().toISOString() }, fence);
      options.onStep?.(`deleted ${v.address}`);
    }

    let swept: Digest[] = [];
    let bytes = 0;
    let purged: Digest[] = [];
    if (sweep !== undefined) {
      // Judged again from every record as it is now, deletions included, still under the lock.
      const after = options.plan(await read(true));
      plan = withObjectsOf(plan, after);
      const sweeping = (after.objects ?? []).filter((o) => o.action === "sweep");
      kept.signal.throwIfAborted();
      swept = await sweep.trashObjects(
        sweeping.map((o) => o.digest),
        now(),
        fence,
      );
      const moved = new Set(swept);
      bytes = sweeping.filter((o) => moved.has(o.digest)).reduce((sum, o) => sum + o.size, 0);
      options.onStep?.("swept");
      kept.signal.throwIfAborted();
      purged = await sweep.purgeTrash(new Date(now().getTime() - options.trashDays * 86_400_000), fence);
      options.onStep?.("purged");
    }
    const serials = new Map<string, number>();
    if (toDelete.length > 0) {
      for (const { serial, entry } of await registry.journal()) if (entry.op === "gc-delete") serials.set(entry.address, serial);
    }
    return { plan, deleted: toDelete.map((v) => ({ address: v.address, serial: serials.get(v.address) ?? null })), swept, bytes_swept: bytes, purged };
  } finally {
    kept.stop();
    await handle.release();
  }
}

/** Phase 1's plan of versions with phase 2's verdicts on objects: the plan an apply carried out. */
function withObjectsOf(versions: GcPlan, objects: GcPlan): GcPlan {
  const { objects_sweep, bytes_sweep, objects_in_grace, objects_used } = objects.summary;
  const { objects_note: _note, ...rest } = versions;
  return { ...rest, objects: objects.objects, summary: { ...versions.summary, objects_sweep, bytes_sweep, objects_in_grace, objects_used } };
}

export interface GcRestoreOutcome {
  objects: Digest[];
  /** Versions gc had deleted whose objects are all back: live again (journaled `gc-restore`). */
  versions: string[];
}

/**
 * `gc --restore`: every object still in the trash goes back, and every version gc deleted whose objects
 * are all present again is live again. What the trash no longer holds stays deleted.
 */
export async function restoreGc(registry: RegistryDriver, options: { lockTimeoutMs?: number; now?: () => Date } = {}): Promise<GcRestoreOutcome> {
  const now = options.now ?? (() => new Date());
  const handle = await registry.lock({ owner: owner(), operation: "gc --restore", timeoutMs: options.lockTimeoutMs ?? 0 });
  const fence = fenceOf(handle);
  try {
    const objects = (await registry.sweep?.restoreObjects(undefined, fence)) ?? [];
    const versions: string[] = [];
    for (const v of (await registry.snapshot()).versions) {
      if (v.deleted !== true) continue;
      const whole = await Promise.all(objectDigestsOf(v.record).map((d) => registry.hasObject(d)));
      if (!whole.every(Boolean)) continue;
      const { kind, name, version } = v.record;
      await registry.updateVersion({ kind, name, version, deleted: false, provenance: GC_PROVENANCE, updated_at: now().toISOString() }, fence);
      versions.push(addressOf(v.record));
    }
    return { objects, versions };
  } finally {
    await handle.release();
  }
}
