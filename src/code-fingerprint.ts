// What a cached result made by assetctl's code depends on: which code made it.
import { lstatSync, readdirSync, type Dirent } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sha256Hex } from "./digest.js";
import { TOOL_VERSION } from "./version.js";

let fingerprint: string | undefined;

/**
 * The code, as far as a cached result depends on it: the tool version and the size and mtime of every
 * module of assetctl — this module's folder and below, which is all of the library build (`dist/`) or
 * all of the CLI bundle (its chunks) — a few hundred lstat calls at most, so a rebuilt assetctl never
 * trusts results an older build made.
 */
export function codeFingerprint(): string {
  fingerprint ??= sha256Hex(fingerprintText(codeFolder()));
  return fingerprint;
}

/** The folder codeFingerprint covers. */
export function codeFolder(): string {
  return path.dirname(fileURLToPath(import.meta.url));
}

/** What codeFingerprint digests, for the modules in `folder` and below (the replay compares it as it is). */
export function fingerprintText(folder: string): string {
  let text = TOOL_VERSION;
  const walk = (dir: string, rel: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch {
      return;
    }
    for (const entry of entries) {
      const abs = `${dir}${path.sep}${entry.name}`;
      if (entry.isDirectory()) {
        walk(abs, `${rel}${entry.name}/`);
      } else if (/\.(?:js|mjs|cjs|ts)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
        const st = lstatSync(abs, { bigint: true, throwIfNoEntry: false });
        if (st) text += `${rel}${entry.name}\0${st.size}\0${st.mtimeNs}\n`;
      }
    }
  };
  walk(folder, "");
  return text;
}
