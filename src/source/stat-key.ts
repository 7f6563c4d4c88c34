// How a file's stats are known by the caches and stamps: what moves when the file is written or replaced.
import type { BigIntStats } from "node:fs";

export function statKey(st: BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}
