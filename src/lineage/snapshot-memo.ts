// The registry as the lineage queries read it: every version without its spec, artifacts and mutable fields (what makes a
// snapshot large), kept in `.assetctl/cache/` while the registry's state token stays the same. `dependents`,
// `why` and `graph` need addresses, dependencies, times and flags only: on 10,000 versions this reads a
// third of the bytes of a whole snapshot, and nothing of the registry but its token.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomically } from "../atomic-write.js";
import { codeFingerprint } from "../code-fingerprint.js";
import type { RegistryDriver } from "../registry/driver.js";
import type { RegistrySnapshot, StoredVersion } from "../registry/types.js";

const FORMAT = 1;
const FILE_NAME = "lineage.json";

interface MemoFile {
  format: number;
  code: string;
  url: string;
  token: string;
  snapshot: RegistrySnapshot;
}

/** A version without what lineage never reads: its spec, its artifacts and its mutable fields. */
function slim(v: StoredVersion): StoredVersion {
  return { ...v, mutable: {}, record: { ...v.record, spec: {}, artifacts: [], mutable: {} } };
}

/**
 * The registry's snapshot for lineage queries (specs and artifacts left out), from the cache when the
 * registry's state token is the one it was kept under. Without a token, or a cache folder, it is read whole.
 */
export async function lineageSnapshot(registry: RegistryDriver, cacheDir: string | undefined): Promise<RegistrySnapshot> {
  const token = cacheDir === undefined ? undefined : await registry.stateToken?.();
  if (cacheDir === undefined || token === undefined) return registry.snapshot();
  const file = path.join(cacheDir, FILE_NAME);
  const kept = await readFile(file, "utf8")
    .then((text) => JSON.parse(text) as MemoFile)
    .catch(() => undefined);
  if (kept?.format === FORMAT && kept.code === codeFingerprint() && kept.url === registry.url && kept.token === token) return kept.snapshot;
  const whole = await registry.snapshot();
  const snapshot: RegistrySnapshot = { ...whole, versions: whole.versions.map(slim) };
  // Only a snapshot the token still describes is kept: a write during the read moves the token.
  if ((await registry.stateToken?.()) === token) {
    const memo: MemoFile = { format: FORMAT, code: codeFingerprint(), url: registry.url, token, snapshot };
    await writeFileAtomically(file, JSON.stringify(memo));
  }
  return snapshot;
}
