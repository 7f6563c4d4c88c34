// The tree survey in C (src/native/survey.c), where it was built for this platform: the digest
// WorkTree.survey would give, at a fraction of the cost. Undefined where it is not built, or fails:
// the caller surveys in JavaScript.
import { existsSync } from "node:fs";
import { constants } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Survey } from "./tree.js";

interface Addon {
  /** The survey's digest (see src/native/survey.c); undefined when the walk failed. */
  survey(root: string): string | undefined;
  /** The digest, a space, and the newest mtime or ctime of a file (decimal ns); undefined when the walk failed. */
  surveyNewest(root: string): string | undefined;
  /** The SHA-256 (hex) of the text's UTF-8. */
  sha256(text: string): string | undefined;
}

/**
 * The addon's file, in `dist/native/`: beside the folder of this module in the library build
 * (`dist/source/`) and the replay (`dist/cli/`), two folders up from the CLI's chunks (`dist/cli/chunks/`).
 */
function addonFile(): string | undefined {
  const here = typeof __dirname === "string" ? __dirname : path.dirname(fileURLToPath(import.meta.url));
  const name = `survey-${process.platform}-${process.arch}.node`;
  return [path.join(here, "..", "native", name), path.join(here, "..", "..", "native", name)].find((file) => existsSync(file));
}

let addon: Addon | null | undefined;

function load(): Addon | null {
  if (addon !== undefined) return addon;
  const module = { exports: {} as Partial<Addon> };
  const file = addonFile();
  if (file === undefined) return (addon = null); // not built for this platform
  try {
    process.dlopen(module, file, constants.dlopen.RTLD_NOW);
    addon = typeof module.exports.survey === "function" && typeof module.exports.surveyNewest === "function" &&
      typeof module.exports.sha256 === "function" ? (module.exports as Addon) : null;
  } catch {
    addon = null; // not built for this platform, or not loadable here (another C library)
  }
  return addon;
}

/** The survey's digest of the tree at `root`, as WorkTree.survey gives it; undefined without the addon. */
export function nativeSurvey(root: string): string | undefined {
  return load()?.survey(root);
}

/** The survey of the tree at `root` as WorkTree.survey gives it (digest and newest timestamp); undefined without the addon. */
export function nativeSurveyWithNewest(root: string): Survey | undefined {
  const line = load()?.surveyNewest(root);
  if (line === undefined) return undefined;
  const space = line.indexOf(" ");
  return { digest: line.slice(0, space), newestNs: BigInt(line.slice(space + 1)) };
}

/** The SHA-256 (hex) of `text`, as node:crypto gives it, without loading node:crypto; undefined without the addon. */
export function nativeSha256(text: string): string | undefined {
  return load()?.sha256(text);
}
