// The one way assetctl writes a file of its own (a cache, a kept plan): to a temporary name, then renamed
// over the old one, so that a reader sees the old text or the new, never half of one.
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * Writes `text` to `file` atomically, creating its folder. Returns false, having written nothing, when it
 * cannot (a read-only checkout): what is written this way is only ever a cache.
 */
export async function writeFileAtomically(file: string, text: string): Promise<boolean> {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(temporary, text);
    await rename(temporary, file);
    return true;
  } catch {
    await rm(temporary, { force: true }).catch(() => undefined);
    return false;
  }
}
