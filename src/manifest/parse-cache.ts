// Parsed YAML kept by content, so that re-validating unchanged files (watch mode, `validate` of one file
// after another in one process) parses each text once. Keyed by path and text, so never stale.
import { parseYaml, type YamlFile } from "./yaml.js";

/** Enough for a large repository's manifests; the oldest entries go first. */
const MAX_ENTRIES = 2048;
const MAX_TEXT_BYTES = 64 * 1024 * 1024;

const entries = new Map<string, YamlFile>();
let textBytes = 0;

export function parseYamlCached(text: string, file: string): YamlFile {
  const key = `${file}\0${text}`;
  const hit = entries.get(key);
  if (hit) {
    // Refreshed as most recently used; the value is copied because callers build specs from it.
    entries.delete(key);
    entries.set(key, hit);
    return { ...hit, value: structuredClone(hit.value), numbersAsText: hit.numbersAsText, diagnostics: [...hit.diagnostics] };
  }
  const parsed = parseYaml(text, file);
  entries.set(key, parsed);
  textBytes += text.length;
  while (entries.size > MAX_ENTRIES || textBytes > MAX_TEXT_BYTES) {
    const oldest = entries.keys().next();
    if (oldest.done) break;
    textBytes -= oldest.value.length - oldest.value.indexOf("\0") - 1;
    entries.delete(oldest.value);
  }
  return { ...parsed, value: structuredClone(parsed.value), diagnostics: [...parsed.diagnostics] };
}
