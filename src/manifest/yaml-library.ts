// The `yaml` package, loaded on first use: a run whose manifests all come from the manifest cache parses
// no YAML and should not pay for loading the parser. Loaded synchronously (Node runs the package's
// CommonJS build either way), because a lazy `locate` needs it inside synchronous code.
import { createRequire } from "node:module";
import type * as Yaml from "yaml";

let library: typeof Yaml | undefined;

export function yamlLibrary(): typeof Yaml {
  library ??= createRequire(import.meta.url)("yaml") as typeof Yaml;
  return library;
}
