// Listing a folder of the embedded registry: a folder not made yet (or a file where one is expected,
// left by a torn write) lists as empty; names come in byte order, whatever order the filesystem keeps.
import { readdirSync } from "node:fs";
import { readdir } from "node:fs/promises";

function absent(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR";
}

export function listDirSync(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (error) {
    if (absent(error)) return [];
    throw error;
  }
}

export async function listDir(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (error) {
    if (absent(error)) return [];
    throw error;
  }
}
