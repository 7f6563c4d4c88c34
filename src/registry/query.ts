// Questions asked of a registry snapshot by the read commands and the web UI: an asset's versions, the
// version an address names, the latest versions, the dependency graph, the difference of two versions.
// Pure: the snapshot is an argument, nothing is fetched.
import type { Operation } from "fast-json-patch";
import { UserError } from "../diagnostics.js";
import type { AssetKind } from "../manifest/types.js";
import type { Address } from "../plan/address.js";
import { diffDocuments } from "../plan/patch.js";
import { compareVersions } from "../plan/plan.js";
import { addressOf, type JsonObject, type RegistrySnapshot, type StoredVersion } from "./types.js";

/** Oldest first: by creation time, then by version. */
export function byCreation(a: StoredVersion, b: StoredVersion): number {
  return a.record.created_at.localeCompare(b.record.created_at) || compareVersions(a.record.version, b.record.version);
}

export function versionsOf(snapshot: RegistrySnapshot, kind: AssetKind, name: string): StoredVersion[] {
  return snapshot.versions.filter((v) => v.record.kind === kind && v.record.name === name).sort(byCreation);
}

/** Finds the version an address names; `KIND:NAME` and `@latest` mean the most recently created one. */
export function findVersion(snapshot: RegistrySnapshot, address: Address): StoredVersion {
  const versions = versionsOf(snapshot, address.kind, address.name);
  const found =
    address.version === undefined || address.version === "latest"
      ? versions.filter((v) => !v.archived).at(-1) ?? versions.at(-1)
      : versions.find((v) => v.record.version === address.version);
  if (!found) {
    const known = versions.map((v) => v.record.version).join(", ");
    throw new UserError("version-not-found", `The registry has no ${address.kind} ${address.name}${address.version && address.version !== "latest" ? ` version ${address.version}` : ""}.`, {
      hint: known ? `its versions are: ${known}` : "`assetctl list` shows what the registry has",
    });
  }
  return found;
}

/** The latest live version of every named (not anonymous) asset. */
export function latestVersions(versions: readonly StoredVersion[]): StoredVersion[] {
  const latest = new Map<string, StoredVersion>();
  for (const v of versions) {
    if (v.archived || v.record.anonymous) continue;
    const key = `${v.record.kind}:${v.record.name}`;
    const current = latest.get(key);
    if (!current || current.record.created_at <= v.record.created_at) latest.set(key, v);
  }
  return [...latest.values()];
}

export interface DependencyGraph {
  /** Addresses, sorted; a dependency the registry does not hold is a node too. */
  nodes: string[];
  /** [from, to]: `from` depends on `to`. */
  edges: [string, string][];
}

export interface GraphOptions {
  /** How far from the start to go; unlimited when undefined. */
  hops?: number;
  /** Also follow the versions that depend on what is reached (what uses it), not only its dependencies. */
  dependents?: boolean;
}

/** The versions reachable from `start` through their dependencies (and dependents, when asked). */
export function dependencyGraph(snapshot: RegistrySnapshot, start: readonly StoredVersion[], options: GraphOptions = {}): DependencyGraph {
  const byAddress = new Map(snapshot.versions.map((v) => [addressOf(v.record), v]));
  const dependents = new Map<string, string[]>();
  if (options.dependents) {
    for (const v of snapshot.versions) {
      for (const dep of v.record.dependencies) dependents.set(dep, [...(dependents.get(dep) ?? []), addressOf(v.record)]);
    }
  }
  const maxHops = options.hops ?? Number.POSITIVE_INFINITY;
  const nodes = new Set<string>();
  const edges = new Map<string, [string, string]>();
  // Breadth first, so that a node's distance is its shortest one and `hops` bounds the picture.
  let frontier = start.map((v) => addressOf(v.record));
  frontier.forEach((a) => nodes.add(a));
  for (let hop = 0; frontier.length > 0 && hop < maxHops; hop++) {
    const next: string[] = [];
    const reach = (address: string): void => {
      if (nodes.has(address)) return;
      nodes.add(address);
      next.push(address);
    };
    for (const address of frontier) {
      for (const dep of byAddress.get(address)?.record.dependencies ?? []) {
        edges.set(`${address}\n${dep}`, [address, dep]);
        reach(dep);
      }
      for (const user of dependents.get(address) ?? []) {
        edges.set(`${user}\n${address}`, [user, address]);
        reach(user);
      }
    }
    frontier = next;
  }
  // Edges between two nodes both reached at the last hop are part of the picture too.
  const kept = [...edges.values()].filter(([a, b]) => nodes.has(a) && nodes.has(b));
  return { nodes: [...nodes].sort(), edges: kept };
}

/** The document two versions are compared by: spec, dependencies and the mutable fields. */
export function versionDocument(v: StoredVersion): JsonObject {
  return { spec: v.record.spec, dependencies: v.record.dependencies, ...(v.mutable as JsonObject) };
}

/** What differs between two versions, as a JSON patch from the first to the second. */
export function versionPatch(from: StoredVersion, to: StoredVersion): Operation[] {
  return diffDocuments(versionDocument(from), versionDocument(to));
}
