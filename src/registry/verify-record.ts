// The last `verify` of a registry, kept in the repository's cache folder so that the web UI's health page
// can show it without re-hashing every object. A record that cannot be read is no record.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { VerifyProblem } from "./types.js";

export interface VerifyRecord {
  registry: string;
  at: string;
  ok: boolean;
  problems: VerifyProblem[];
}

function recordFile(root: string): string {
  return path.join(root, ".assetctl", "cache", "verify.json");
}

export async function saveVerifyRecord(root: string, record: VerifyRecord): Promise<void> {
  const file = recordFile(root);
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(record, null, 2)}\n`);
  await rename(temporary, file);
}

/** The last verify of `registry` (named as its driver names it), or undefined. */
export async function loadVerifyRecord(root: string, registry: string): Promise<VerifyRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(recordFile(root), "utf8")) as Partial<VerifyRecord>;
    if (record.registry !== registry || typeof record.at !== "string" || typeof record.ok !== "boolean" || !Array.isArray(record.problems)) return undefined;
    return record as VerifyRecord;
  } catch {
    return undefined;
  }
}
