// assetctl's addon (src/native/survey.c), where scripts/native.mjs built it for this platform: the tree
// survey and SHA-256 without Node's own costs, and syncfs(2). Null where it is not built or cannot be
// loaded: every caller has a JavaScript way to do the same, only slower.
import { existsSync } from "node:fs";
import { constants } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface NativeAddon {
  /** The survey's digest (see src/native/survey.c); undefined when the walk failed. */
  survey(root: string): string | undefined;
  /** The digest, a space, and the newest mtime or ctime of a file (decimal ns); undefined when the walk failed. */
  surveyNewest(root: string): string | undefined;
  /** The SHA-256 (hex) of the text's UTF-8. */
  sha256(text: string): string | undefined;
  /**
   * syncfs(2) of the filesystem holding `dir`, on libuv's thread pool: true once everything written there
   * before the call is durable; false (nothing done) where the filesystem is not known to be local or
   * the platform has no syncfs; rejects with `errno` set when the sync fails.
   */
  syncFilesystem(dir: string): Promise<boolean> | undefined;
}

/**
 * The addon's file, in `dist/native/`: beside this module in the library build (`dist/`), one folder up
 * from the replay (`dist/cli/`), two from the CLI's chunks (`dist/cli/chunks/`); from the sources (the
 * tests), the one built into `dist/`.
 */
function addonFile(): string | undefined {
  const here = typeof __dirname === "string" ? __dirname : path.dirname(fileURLToPath(import.meta.url));
  const name = `survey-${process.platform}-${process.arch}.node`;
  return [["native"], ["..", "native"], ["..", "..", "native"], ["..", "dist", "native"]]
    .map((up) => path.join(here, ...up, name))
    .find((file) => existsSync(file));
}

let addon: NativeAddon | null | undefined;

export function nativeAddon(): NativeAddon | null {
  if (addon !== undefined) return addon;
  const file = addonFile();
  if (file === undefined) return (addon = null); // not built for this platform
  const module = { exports: {} as Partial<NativeAddon> };
  try {
    process.dlopen(module, file, constants.dlopen.RTLD_NOW);
    const e = module.exports;
    const whole = [e.survey, e.surveyNewest, e.sha256, e.syncFilesystem].every((f) => typeof f === "function");
    addon = whole ? (module.exports as NativeAddon) : null;
  } catch {
    addon = null; // not loadable here (another C library)
  }
  return addon;
}
