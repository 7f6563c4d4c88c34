// A value computed from one file (assetctl.yaml), kept in the cache folder and reused while the file's
// stats are unchanged and the code is the same.
import { lstatSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomically } from "./atomic-write.js";
import { codeFingerprint } from "./code-fingerprint.js";
import { isRacy, statKey } from "./source/stat-cache.js";

const FORMAT = 1;
const STORE_NAME = "config.json";

/**
 * `compute()`, or what it gave last time for `file` with the same stats. A missing or non-regular file
 * is computed every time (that is cheap: nothing to parse); a file written too recently for its
 * timestamps to tell a later change is computed and not kept.
 */
export async function cachedByStats<T>(file: string, cacheDir: string, compute: () => Promise<T>, now: () => bigint = () => BigInt(Date.now()) * 1_000_000n): Promise<T> {
  const st = lstatSync(file, { bigint: true, throwIfNoEntry: false });
  if (!st?.isFile()) return compute();
  const store = path.join(cacheDir, STORE_NAME);
  const key = statKey(st);
  try {
    const stored = JSON.parse(await readFile(store, "utf8")) as { format?: number; code?: string; key?: string; value?: T };
    if (stored.format === FORMAT && stored.code === codeFingerprint() && stored.key === key && stored.value !== undefined) return stored.value;
  } catch {
    // none yet, or unreadable: compute
  }
  const value = await compute();
  if (!isRacy(st, now())) await writeFileAtomically(store, JSON.stringify({ format: FORMAT, code: codeFingerprint(), key, value }));
  return value;
}
