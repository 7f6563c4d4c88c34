// What the lineage queries and gc read of the registry, kept in `.assetctl/cache/` while the registry's
// state token stays the same: the snapshot without specs, artifacts and mutable fields (`graph`, `why`),
// the compact lineage `dependents` reads (compact.ts), and the alias journal gc reads (on the fs
// registry, one file per journal entry: 10,000 reads for 10,000 versions).
import { readFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomically } from "../atomic-write.js";
import { codeFingerprint } from "../code-fingerprint.js";
import type { RegistryDriver } from "../registry/driver.js";
import type { AliasRecord, RegistrySnapshot, StoredVersion } from "../registry/types.js";
import type { CompactLineage } from "./compact.js";

const FORMAT = 2;

interface MemoFile<T> {
  format: number;
  code: string;
  url: string;
  token: string;
  value: T;
}

/**
 * `read()`'s value, from `cacheDir/fileName` when the registry's state token is the one it was kept under,
 * else read and kept. Without a token or a cache folder it is read every time. Only a value the token
 * still describes after the read is kept: a write during the read moves the token.
 */
export async function keptWhileToken<T>(registry: RegistryDriver, cacheDir: string | undefined, fileName: string, read: () => Promise<T>): Promise<T> {
  const token = cacheDir === undefined ? undefined : await registry.stateToken?.();
  if (cacheDir === undefined || token === undefined) return read();
  const file = path.join(cacheDir, fileName);
  const kept = await readFile(file, "utf8")
    .then((text) => JSON.parse(text) as MemoFile<T>)
    .catch(() => undefined);
  if (kept?.format === FORMAT && kept.code === codeFingerprint() && kept.url === registry.url && kept.token === token) return kept.value;
  const value = await read();
  if ((await registry.stateToken?.()) === token) {
    const memo: MemoFile<T> = { format: FORMAT, code: codeFingerprint(), url: registry.url, token, value };
    await writeFileAtomically(file, JSON.stringify(memo));
  }
  return value;
}

/** A version without what lineage never reads: its spec, its artifacts and its mutable fields. */
function slim(v: StoredVersion): StoredVersion {
  return { ...v, mutable: {}, record: { ...v.record, spec: {}, artifacts: [], mutable: {} } };
}

/** The registry's snapshot for lineage queries (specs and artifacts left out), kept while the token stays. */
export async function lineageSnapshot(registry: RegistryDriver, cacheDir: string | undefined): Promise<RegistrySnapshot> {
  return keptWhileToken(registry, cacheDir, "lineage.json", async () => {
    const whole = await registry.snapshot();
    return { ...whole, versions: whole.versions.map(slim) };
  });
}

/** The registry's lineage as `dependents` reads it (compact.ts), kept while the token stays. */
export async function compactLineageKept(registry: RegistryDriver, cacheDir: string | undefined): Promise<CompactLineage> {
  return keptWhileToken(registry, cacheDir, "lineage-compact.json", async () => {
    const { compactLineage } = await import("./compact-build.js");
    return compactLineage(await registry.snapshot());
  });
}

/** The alias journal (empty for a registry without aliases), kept while the token stays. */
export async function aliasHistoryKept(registry: RegistryDriver, cacheDir: string | undefined): Promise<AliasRecord[]> {
  if (typeof registry.aliasHistory !== "function") return [];
  return keptWhileToken(registry, cacheDir, "aliases.json", () => registry.aliasHistory());
}
