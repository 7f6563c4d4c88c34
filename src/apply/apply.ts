// Executes a plan on a registry whose lock the caller holds: objects first (each once), then version
// records in plan order (dependencies first), then mutable updates and archives, then alias moves (after
// the versions they point at), journaling each step.
// A crash at any instant leaves only whole versions; re-planning and applying again finishes the job.
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { forEachConcurrent } from "../concurrency.js";
import { sha256 } from "../digest.js";
import { UserError } from "../diagnostics.js";
import type { AliasChange, Change, Plan } from "../plan/types.js";
import { ProgressMeter, type OnProgress } from "../progress.js";
import { RegistryError, type Fence, type RegistryDriver } from "../registry/driver.js";
import type { AppliedBy, Digest, Provenance, VersionRecord } from "../registry/types.js";
import type { SourceTree } from "../source/tree.js";
import { TOOL_VERSION } from "../version.js";
import { artifactFilePath, objectSource } from "./objects.js";

/**
 * Registry writes in flight at once, few enough to bound open files (one or two each). The embedded
 * registry makes the writes waiting at one moment durable with one sync of the filesystem, so the more
 * wait together, the fewer syncs: 1,000 versions took 1.6 s at 16 or 32, 1.35 s at 64 and at 128. A team
 * registry's pool of connections bounds its own (PostgreSQL: 8).
 */
const WRITE_CONCURRENCY = 64;

export interface ApplyEvents {
  /** Called once per object actually stored (not for objects the registry had). */
  onObject?(digest: Digest, size: number): void;
  onChange?(change: Change): void;
  onAlias?(change: AliasChange): void;
}

export interface ApplyOptions {
  tree: SourceTree;
  now?: () => Date;
  events?: ApplyEvents;
  /** Told of the bytes stored, as the driver stores them. */
  onProgress?: OnProgress;
  /**
   * Aborted when the lock this apply holds is lost (see keepLock): nothing more is written after that,
   * and the apply fails with the signal's reason.
   */
  signal?: AbortSignal;
  /** The lock this apply holds: every record and journal write carries it, and the registry refuses it once that lock is lost. */
  fence?: Fence;
  /** Who made the commit and who runs the apply, recorded in the provenance of everything written. */
  identity?: Identity;
}

/** The people behind a version: the commit's author (`Name <email>`, null without a commit) and who applied it. */
export interface Identity {
  author: string | null;
  appliedBy: AppliedBy;
}

export interface ApplyResult {
  created: number;
  updated: number;
  archived: number;
  unarchived: number;
  /** Versions made elsewhere recorded as managed; absent when none. */
  adopted?: number;
  /** Aliases set, moved or removed. */
  aliasesMoved: number;
  objectsStored: number;
  bytesStored: number;
}

export async function executePlan(plan: Plan, registry: RegistryDriver, options: ApplyOptions): Promise<ApplyResult> {
  if (plan.errors.length > 0) {
    throw new UserError("plan-has-errors", `The plan has ${plan.errors.length} error(s); nothing was applied.`);
  }
  const conflicts = plan.changes.filter((c) => c.action === "conflict");
  if (conflicts.length > 0) {
    throw new UserError(
      "plan-has-conflicts",
      `The plan has ${conflicts.length} conflict(s) (${conflicts.map((c) => c.address).join(", ")}); nothing was applied.`,
      { hint: "a pinned version cannot change: bump its version, or remove `version` to auto-version" },
    );
  }
  const now = options.now ?? (() => new Date());
  const result: ApplyResult = { created: 0, updated: 0, archived: 0, unarchived: 0, aliasesMoved: 0, objectsStored: 0, bytesStored: 0 };
  // The plan's id in the journal: the digest of its JSON as held (a saved plan read back gives the same
  // text). Not the canonical form, whose key sorting costs more than the rest of a small apply's planning.
  const planId = sha256(JSON.stringify(plan));
  options.signal?.throwIfAborted();
  await registry.appendJournal({ op: "apply-begin", plan: planId }, options.fence);

  await storeObjects(plan, registry, options, result);

  // Versions in waves: a version is created only after every version it depends on in this plan.
  for (const wave of creationWaves(plan.changes)) {
    await forEachConcurrent(wave, WRITE_CONCURRENCY, async (change) => {
      options.signal?.throwIfAborted();
      await createVersion(registry, versionRecord(change, provenanceOf(plan, change, options.identity), now()), options.fence);
      result.created += 1;
      options.events?.onChange?.(change);
    });
  }
  const updates = plan.changes.filter((c) => (c.action === "update" && c.mutable) || c.action === "archive" || c.action === "unarchive");
  await forEachConcurrent(updates, WRITE_CONCURRENCY, async (change) => {
    options.signal?.throwIfAborted();
    const provenance = provenanceOf(plan, change, options.identity);
    const at = now().toISOString();
    if (change.action === "archive") {
      await registry.updateVersion({ kind: change.kind, name: change.name, version: change.version, archived: true, provenance, updated_at: at }, options.fence);
      result.archived += 1;
    } else if (change.action === "unarchive") {
      const mutable = change.mutable ? { mutable: change.mutable } : {};
      await registry.updateVersion({ kind: change.kind, name: change.name, version: change.version, archived: false, ...mutable, provenance, updated_at: at }, options.fence);
      result.unarchived += 1;
    } else if (change.mutable) {
      await registry.updateVersion({ kind: change.kind, name: change.name, version: change.version, mutable: change.mutable, provenance, updated_at: at }, options.fence);
      result.updated += 1;
    }
    options.events?.onChange?.(change);
  });
  // Adoptions: versions made elsewhere with the manifests' content become managed (see RegistryDriver.adoptVersion).
  await forEachConcurrent(
    plan.changes.filter((c) => c.adopt === true),
    WRITE_CONCURRENCY,
    async (change) => {
      options.signal?.throwIfAborted();
      if (registry.adoptVersion === undefined) throw new Error(`internal: ${registry.url} cannot adopt ${change.address}`);
      await registry.adoptVersion(versionRecord(change, provenanceOf(plan, change, options.identity), now()), options.fence);
      result.adopted = (result.adopted ?? 0) + 1;
      options.events?.onChange?.(change);
    },
  );
  // Aliases last: a move names a version that exists by now. A crash before a move leaves it for the next plan.
  for (const move of plan.aliases ?? []) {
    if (move.action !== "new" && move.action !== "move" && move.action !== "remove") continue;
    options.signal?.throwIfAborted();
    const { commit, author, message } = move.declared_in;
    await registry.moveAlias({ kind: move.kind, name: move.name, alias: move.alias, from: move.from, to: move.to, commit, author, message, at: now().toISOString() }, options.fence);
    result.aliasesMoved += 1;
    options.events?.onAlias?.(move);
  }
  options.signal?.throwIfAborted();
  await registry.appendJournal({ op: "apply-end", plan: planId }, options.fence);
  return result;
}

/** Every object the plan's new versions need, stored once, before any record that refers to it. */
async function storeObjects(plan: Plan, registry: RegistryDriver, options: ApplyOptions, result: ApplyResult): Promise<void> {
  const wanted = new Map<Digest, { path: string; size: number }>();
  for (const change of plan.changes) {
    if (change.action !== "create" || !change.record) continue;
    for (const artifact of change.record.artifacts) {
      for (const file of artifact.files) {
        if (!wanted.has(file.digest)) wanted.set(file.digest, { path: artifactFilePath(artifact, file), size: file.size });
      }
    }
  }
  const meter = new ProgressMeter("storing", options.onProgress);
  meter.expect([...wanted.values()].reduce((bytes, file) => bytes + file.size, 0));
  // In digest order: on a registry that files objects under their digest's first digits, the objects
  // written at once share a folder, and so share the sync that makes their names durable.
  const ordered = [...wanted].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  await forEachConcurrent(ordered, WRITE_CONCURRENCY, async ([digest, file]) => {
    options.signal?.throwIfAborted();
    if (await registry.hasObject(digest)) {
      meter.expect(-file.size);
      return;
    }
    const source = await objectSource(options.tree, file.path, file.size);
    // Progress moves as the driver stores bytes; what it did not tell (it had the object after all, or
    // stores it in one step) counts once the object is stored.
    const progress = meter.item(file.size);
    try {
      await registry.putObject(digest, source, { onBytes: progress.advance, ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      if (error instanceof RegistryError && error.code === "object-digest-mismatch") {
        throw new UserError("artifact-changed", `${file.path} changed while it was being applied: its content no longer matches the plan.`, {
          hint: "run plan again once the file is settled",
        });
      }
      // Removed or made unreadable after it was hashed: the user's doing, not a registry failure.
      if (!(error instanceof RegistryError) && source.kind === "file" && !(await readable(source.path))) {
        throw new UserError("artifact-changed", `${file.path} was removed or became unreadable while it was being applied.`, {
          hint: "run plan again once the file is settled",
        });
      }
      throw error;
    }
    result.objectsStored += 1;
    result.bytesStored += file.size;
    progress.complete();
    options.events?.onObject?.(digest, file.size);
  }).finally(() => meter.end());
}

async function readable(file: string): Promise<boolean> {
  return access(file, constants.R_OK).then(
    () => true,
    () => false,
  );
}

/** Groups the plan's creates so that each group depends only on earlier groups (or the registry). */
export function creationWaves(changes: readonly Change[]): Change[][] {
  const creates = changes.filter((c) => c.action === "create" && c.record);
  const level = new Map<string, number>();
  const waves: Change[][] = [];
  // Plan order is already dependency order, so every dependency's level is known when it is needed.
  for (const change of creates) {
    const deps = change.record?.dependencies ?? [];
    const l = Math.max(-1, ...deps.map((d) => level.get(d) ?? -1)) + 1;
    level.set(change.address, l);
    (waves[l] ??= []).push(change);
  }
  return waves;
}

async function createVersion(registry: RegistryDriver, record: VersionRecord, fence: Fence | undefined): Promise<void> {
  try {
    await registry.createVersion(record, fence);
  } catch (error) {
    // A version written by an earlier apply that crashed before journaling its end is already whole.
    if (error instanceof RegistryError && error.code === "version-exists") {
      const existing = (await registry.snapshot()).versions.find(
        (v) => v.record.kind === record.kind && v.record.name === record.name && v.record.version === record.version,
      );
      if (existing?.record.digest === record.digest) return;
    }
    throw error;
  }
}

function versionRecord(change: Change, provenance: Provenance, at: Date): VersionRecord {
  if (!change.record || !change.digest) throw new Error(`internal: create ${change.address} carries no record`);
  return {
    kind: change.kind,
    name: change.name,
    version: change.version,
    digest: change.digest,
    spec: change.record.spec,
    mutable: change.record.mutable,
    artifacts: change.record.artifacts,
    dependencies: change.record.dependencies,
    anonymous: change.record.anonymous,
    provenance,
    created_at: at.toISOString(),
  };
}

function provenanceOf(plan: Plan, change: Change, identity: Identity | undefined): Provenance {
  return {
    commit: plan.source.commit,
    dirty: plan.source.dirty,
    branch: plan.source.branch,
    remote: plan.source.remote,
    ref: plan.source.ref,
    manifest: change.manifest?.file ?? "",
    tool_version: TOOL_VERSION,
    ...(identity ? { author: identity.author, applied_by: identity.appliedBy } : {}),
  };
}
