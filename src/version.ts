// The tool's own version, recorded in every version's provenance.
import { readFileSync } from "node:fs";

/** Set by the CLI bundle (scripts/bundle.mjs), which is not where package.json is relative to this module. */
declare const __ASSETCTL_VERSION__: string | undefined;

export const TOOL_VERSION: string =
  typeof __ASSETCTL_VERSION__ === "string"
    ? __ASSETCTL_VERSION__
    : (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
