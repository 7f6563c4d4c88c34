// Builds the compact lineage (compact.ts) from a registry snapshot: only when the cache is made.
import { byCreation, latestVersions } from "../registry/query.js";
import { addressOf, type RegistrySnapshot } from "../registry/types.js";
import { ARCHIVED, DELETED, LATEST, type CompactLineage } from "./compact.js";

export function compactLineage(snapshot: RegistrySnapshot): CompactLineage {
  const versions = snapshot.versions;
  const index = new Map(versions.map((v, i) => [addressOf(v.record), i]));
  const latest = new Set(latestVersions(versions));
  const dependents: number[][] = versions.map(() => []);
  versions.forEach((v, i) => {
    for (const dep of new Set(v.record.dependencies)) {
      const at = index.get(dep);
      if (at !== undefined) dependents[at]?.push(i);
    }
  });
  const assets: Record<string, number[]> = {};
  const order = versions.map((_, i) => i).sort((a, b) => byCreation(versions[a] as (typeof versions)[number], versions[b] as (typeof versions)[number]));
  for (const i of order) {
    const r = (versions[i] as (typeof versions)[number]).record;
    (assets[`${r.kind}:${r.name}`] ??= []).push(i);
  }
  return {
    addresses: versions.map((v) => addressOf(v.record)),
    flags: versions.map((v) => (v.archived ? ARCHIVED : 0) | (v.deleted === true ? DELETED : 0) | (latest.has(v) ? LATEST : 0)),
    commits: versions.map((v) => v.record.provenance.commit),
    assets,
    dependents,
  };
}
