// How a file's stats are known by the caches and stamps: what moves when the file is written or replaced.
import { lstatSync, type BigIntStats } from "node:fs";

export function statKey(st: BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/** The newer of mtime and ctime, ns since the epoch: what decides whether a file is racy. */
export function newestNs(st: BigIntStats): bigint {
  return st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs;
}

/**
 * The stats of `files` (their mode and statKey; "none" for one absent or out of sight), as a text equal
 * while none of them changes, and the newest timestamp among them: what git's stamp and the registry's
 * witness files are made of.
 */
export function statsText(files: readonly string[]): { text: string; newestNs: bigint } {
  let text = "";
  let newest = 0n;
  for (const file of files) {
    let st: BigIntStats | undefined;
    try {
      st = lstatSync(file, { bigint: true, throwIfNoEntry: false });
    } catch {
      st = undefined;
    }
    text += `${file}\0${st ? `${st.mode}:${statKey(st)}` : "none"}\n`;
    if (st && newestNs(st) > newest) newest = newestNs(st);
  }
  return { text, newestNs: newest };
}
