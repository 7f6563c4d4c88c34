// The tree survey in C (src/native/survey.c), where it was built for this platform: the digest
// WorkTree.survey would give, at a fraction of the cost. Undefined where it is not built, or fails:
// the caller surveys in JavaScript.
import { constants } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface Addon {
  /** The survey's digest (see src/native/survey.c); undefined when the walk failed. */
  survey(root: string): string | undefined;
  /** The SHA-256 (hex) of the text's UTF-8. */
  sha256(text: string): string | undefined;
}

/** The addon's file: `dist/native/`, beside the folder of this module in the library build and in the CLI's. */
function addonFile(): string {
  const here = typeof __dirname === "string" ? __dirname : path.dirname(fileURLToPath(import.meta.url));
  return path.join(here, "..", "native", `survey-${process.platform}-${process.arch}.node`);
}

let addon: Addon | null | undefined;

function load(): Addon | null {
  if (addon !== undefined) return addon;
  const module = { exports: {} as Partial<Addon> };
  try {
    process.dlopen(module, addonFile(), constants.dlopen.RTLD_NOW);
    addon = typeof module.exports.survey === "function" && typeof module.exports.sha256 === "function" ? (module.exports as Addon) : null;
  } catch {
    addon = null; // not built for this platform, or not loadable here (another C library)
  }
  return addon;
}

/** The survey's digest of the tree at `root`, as WorkTree.survey gives it; undefined without the addon. */
export function nativeSurvey(root: string): string | undefined {
  return load()?.survey(root);
}

/** The SHA-256 (hex) of `text`, as node:crypto gives it, without loading node:crypto; undefined without the addon. */
export function nativeSha256(text: string): string | undefined {
  return load()?.sha256(text);
}
