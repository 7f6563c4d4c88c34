// The registry's lineage as `dependents` reads it, compact: each version's address once, its flags and
// commit, the versions of each asset in creation order, and the dependents of each version as integer
// arrays (the reverse adjacency, precomputed). Kept as JSON in the cache, it parses in a few
// milliseconds on 10,000 versions, where the slim snapshot took a hundred. Pure; built by compact-build.ts
// (which loads the registry queries only when the cache is made).
import { UserError } from "../diagnostics.js";
import type { Address } from "../plan/address.js";

export const ARCHIVED = 1;
export const DELETED = 2;
export const LATEST = 4;

export interface CompactLineage {
  /** `kind:name:version` of every version, in the snapshot's order. */
  addresses: string[];
  /** Per version: ARCHIVED | DELETED | LATEST (the latest live, named version of its asset). */
  flags: number[];
  /** Per version: the commit it was applied from. */
  commits: (string | null)[];
  /** `kind:name` → its versions (indexes), oldest first, as `byCreation` orders them. */
  assets: Record<string, number[]>;
  /** Per version: the versions that name it as a dependency (indexes, each once). */
  dependents: number[][];
}

/** The version `address` names (no alias: resolve it first), as `findVersion` finds it, or its error. */
export function findIn(lineage: CompactLineage, address: Address): number {
  const versions = lineage.assets[`${address.kind}:${address.name}`] ?? [];
  const flag = (i: number, bit: number): boolean => ((lineage.flags[i] ?? 0) & bit) !== 0;
  const versionOf = (i: number): string => (lineage.addresses[i] ?? "").slice(address.kind.length + address.name.length + 2);
  const found =
    address.version === undefined || address.version === "latest"
      ? (versions.filter((i) => !flag(i, ARCHIVED) && !flag(i, DELETED)).at(-1) ?? versions.filter((i) => !flag(i, DELETED)).at(-1))
      : versions.find((i) => versionOf(i) === address.version);
  if (found === undefined) {
    const known = versions.map(versionOf).join(", ");
    throw new UserError("version-not-found", `The registry has no ${address.kind} ${address.name}${address.version && address.version !== "latest" ? ` version ${address.version}` : ""}.`, {
      hint: known ? `its versions are: ${known}` : "`assetctl list` shows what the registry has",
    });
  }
  return found;
}

export interface DependentRow {
  address: string;
  depth: number;
  latest: boolean;
  archived: boolean;
  commit: string | null;
}

/**
 * The versions that depend on version `start`, within `depth` hops (breadth first, so each at its
 * shortest distance), sorted by distance then address; `latestOnly` keeps those that are their asset's
 * latest version.
 */
export function dependentsIn(lineage: CompactLineage, start: number, depth: number, latestOnly: boolean): DependentRow[] {
  const distance = new Map<number, number>([[start, 0]]);
  let frontier = [start];
  for (let hop = 1; hop <= depth && frontier.length > 0; hop++) {
    const next: number[] = [];
    for (const at of frontier) {
      for (const n of lineage.dependents[at] ?? []) {
        if (distance.has(n)) continue;
        distance.set(n, hop);
        next.push(n);
      }
    }
    frontier = next;
  }
  const flags = (i: number): number => lineage.flags[i] ?? 0;
  return [...distance]
    .filter(([i, hops]) => hops > 0 && (!latestOnly || (flags(i) & LATEST) !== 0))
    .map(([i, hops]) => ({ address: lineage.addresses[i] ?? "", depth: hops, latest: (flags(i) & LATEST) !== 0, archived: (flags(i) & ARCHIVED) !== 0, commit: lineage.commits[i] ?? null }))
    .sort((a, b) => a.depth - b.depth || a.address.localeCompare(b.address));
}
