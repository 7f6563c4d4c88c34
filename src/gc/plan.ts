// The garbage collector's plan, pure: which versions gc may delete and which objects it may sweep, each
// kept one with its reasons. A version is deleted only when no rule keeps it; objects are judged from
// every record of the registry (never from one repository's refs), after the deletions.
import type { RetentionPolicy } from "../manifest/config.js";
import type { AssetKind } from "../manifest/types.js";
import type { StoredObject } from "../registry/driver.js";
import { versionsAliasedSince } from "../registry/alias-state.js";
import { byCreation } from "../registry/query.js";
import { addressOf, type AliasRecord, type Digest, type RegistrySnapshot, type StoredVersion } from "../registry/types.js";
import { objectDigestsOf } from "../registry/validate.js";

export const GC_FORMAT_VERSION = 1;

/** Why a version stays; the first of them is the one shown in text. */
export type KeepReason =
  | { rule: "latest" }
  | { rule: "declared"; ref: string }
  | { rule: "aliased"; aliases: string[] }
  | { rule: "dependency"; of: string }
  | { rule: "keep_last"; n: number }
  | { rule: "keep_within"; since: string };

export interface VersionVerdict {
  address: string;
  kind: AssetKind;
  name: string;
  version: string;
  created_at: string;
  action: "delete" | "keep";
  /** Empty for a deletion. */
  reasons: KeepReason[];
}

export interface ObjectVerdict {
  digest: Digest;
  size: number;
  stored_at: string;
  action: "sweep" | "keep";
  /** For a kept unused object: why it is not swept yet. */
  reason?: "grace";
}

export interface GcPlan {
  format_version: typeof GC_FORMAT_VERSION;
  at: string;
  /** The ref whose manifests were read for the `declared` rule. */
  ref: string;
  registry: { url: string; serial: number };
  /** Live versions (those gc deleted earlier are counted in the summary only). */
  versions: VersionVerdict[];
  /**
   * Objects no live record uses, swept or within the grace period; null when this registry's objects are
   * freed by another system (an OCI registry's own garbage collection).
   */
  objects: ObjectVerdict[] | null;
  /** Said in every format when objects is null. */
  objects_note?: string;
  summary: {
    versions_delete: number;
    versions_keep: number;
    versions_deleted_before: number;
    objects_sweep: number;
    bytes_sweep: number;
    objects_in_grace: number;
    objects_used: number;
  };
}

export interface GcInput {
  snapshot: RegistrySnapshot;
  registryUrl: string;
  aliasHistory: readonly AliasRecord[];
  /** Addresses (`kind:name:version`) the manifests of `ref` declare. */
  declared: ReadonlySet<string>;
  ref: string;
  retention: RetentionPolicy;
  now: Date;
  /** Every stored object, or undefined when the registry cannot sweep its own. */
  objects: readonly StoredObject[] | undefined;
  objectsNote?: string;
}

export function planGc(input: GcInput): GcPlan {
  const { snapshot, retention, now } = input;
  const live = snapshot.versions.filter((v) => v.deleted !== true);
  // Each version's address, made once: 10,000 versions are walked by several rules.
  const addresses = new Map<StoredVersion, string>(live.map((v) => [v, addressOf(v.record)]));
  const at = (v: StoredVersion): string => addresses.get(v) as string;
  const reasons = new Map<string, KeepReason[]>(live.map((v) => [at(v), []]));
  const keep = (address: string, reason: KeepReason) => reasons.get(address)?.push(reason);

  const byAsset = new Map<string, StoredVersion[]>();
  for (const v of live) {
    const key = `${v.record.kind}:${v.record.name}`;
    const list = byAsset.get(key);
    if (list) list.push(v);
    else byAsset.set(key, [v]);
  }
  for (const versions of byAsset.values()) {
    versions.sort(byCreation);
    const newest = versions.at(-1);
    if (newest) keep(at(newest), { rule: "latest" });
    // `@latest` skips archived versions: the one it names stays too.
    const latestLive = versions.findLast((v) => !v.archived);
    if (latestLive && latestLive !== newest) keep(at(latestLive), { rule: "latest" });
    const rule = retention.kinds[versions[0]?.record.kind as AssetKind] ?? retention;
    const last: KeepReason = { rule: "keep_last", n: rule.keepLast };
    for (const v of versions.slice(-rule.keepLast)) keep(at(v), { ...last });
    const since = new Date(now.getTime() - rule.keepWithinMs).toISOString();
    for (const v of versions) if (v.record.created_at >= since) keep(at(v), { rule: "keep_within", since });
  }
  for (const address of input.declared) keep(address, { rule: "declared", ref: input.ref });

  const aliasSince = new Date(now.getTime() - retention.aliasHistoryMs).toISOString();
  const aliased = new Map<string, string[]>();
  for (const move of input.aliasHistory) {
    if (move.to === null) continue;
    const address = addressOf({ kind: move.kind, name: move.name, version: move.to });
    const names = aliased.get(address) ?? [];
    if (!names.includes(`@${move.alias}`)) aliased.set(address, [...names, `@${move.alias}`]);
  }
  for (const address of versionsAliasedSince(input.aliasHistory, aliasSince)) keep(address, { rule: "aliased", aliases: aliased.get(address) ?? [] });

  // What a kept version depends on stays, transitively: walked from every version kept so far.
  const byAddress = new Map(live.map((v) => [at(v), v]));
  const queue = [...reasons].filter(([, r]) => r.length > 0).map(([a]) => a);
  while (queue.length > 0) {
    const address = queue.pop() as string;
    for (const dependency of byAddress.get(address)?.record.dependencies ?? []) {
      const theirs = reasons.get(dependency);
      if (theirs === undefined) continue;
      const first = theirs.length === 0;
      if (!theirs.some((r) => r.rule === "dependency" && r.of === address)) theirs.push({ rule: "dependency", of: address });
      if (first) queue.push(dependency);
    }
  }

  const versions: VersionVerdict[] = [];
  const remaining: StoredVersion[] = [];
  let deleting = 0;
  for (const v of live) {
    const address = at(v);
    const kept = reasons.get(address) ?? [];
    const { kind, name, version, created_at } = v.record;
    versions.push({ address, kind, name, version, created_at, action: kept.length > 0 ? "keep" : "delete", reasons: kept });
    if (kept.length > 0) remaining.push(v);
    else deleting++;
  }
  const judged = input.objects === undefined ? null : judgeObjects(input.objects, remaining, retention, now);
  return {
    format_version: GC_FORMAT_VERSION,
    at: now.toISOString(),
    ref: input.ref,
    registry: { url: input.registryUrl, serial: snapshot.serial },
    versions,
    objects: judged?.listed ?? null,
    ...(judged === null && input.objectsNote !== undefined ? { objects_note: input.objectsNote } : {}),
    summary: {
      versions_delete: deleting,
      versions_keep: versions.length - deleting,
      versions_deleted_before: snapshot.versions.length - live.length,
      objects_sweep: judged?.sweep ?? 0,
      bytes_sweep: judged?.bytesSweep ?? 0,
      objects_in_grace: judged?.grace ?? 0,
      objects_used: judged?.used ?? 0,
    },
  };
}

/**
 * Phase 2: an object is swept when no live record (after this plan's deletions) uses it and it is older
 * than the grace period. Only the unused objects are listed (swept, or kept for the grace period); the
 * used ones are counted.
 */
function judgeObjects(
  objects: readonly StoredObject[],
  remaining: readonly StoredVersion[],
  retention: RetentionPolicy,
  now: Date,
): { listed: ObjectVerdict[]; sweep: number; bytesSweep: number; grace: number; used: number } {
  const inUse = new Set<Digest>();
  for (const v of remaining) for (const digest of objectDigestsOf(v.record)) inUse.add(digest);
  const graceSince = new Date(now.getTime() - retention.graceMs).toISOString();
  const listed: ObjectVerdict[] = [];
  let used = 0;
  let sweep = 0;
  let bytesSweep = 0;
  for (const o of objects) {
    if (inUse.has(o.digest)) used++;
    else if (o.stored_at > graceSince) listed.push({ digest: o.digest, size: o.size, stored_at: o.stored_at, action: "keep", reason: "grace" });
    else {
      listed.push({ digest: o.digest, size: o.size, stored_at: o.stored_at, action: "sweep" });
      sweep++;
      bytesSweep += o.size;
    }
  }
  return { listed, sweep, bytesSweep, grace: listed.length - sweep, used };
}

/** Whether applying the plan would change anything (what `--detailed-exitcode` exits 2 for). */
export function gcHasWork(plan: GcPlan): boolean {
  return plan.summary.versions_delete > 0 || plan.summary.objects_sweep > 0;
}

/** The reason text people read: "latest", "declared on main", "@production", "dependency of …", … */
export function reasonText(reason: KeepReason): string {
  switch (reason.rule) {
    case "latest":
      return "latest";
    case "declared":
      return `declared on ${reason.ref}`;
    case "aliased":
      return reason.aliases.length > 0 ? `aliased ${reason.aliases.join(", ")}` : "aliased";
    case "dependency":
      return `dependency of ${reason.of}`;
    case "keep_last":
      return `keep_last ${reason.n}`;
    case "keep_within":
      return `created since ${reason.since.slice(0, 10)} (keep_within)`;
  }
}
