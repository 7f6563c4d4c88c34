// What the desired-state builder takes from a manifest's spec, read off the one walk (spec-sites.ts): the
// local files and folders it hashes as artifacts, the references to other assets the planner resolves, and
// the local component files it builds as anonymous components. Pure: reads the spec, touches no file.
import type { AssetKind, ManifestKind } from "../manifest/types.js";
import { assetReferenceOf, honoursIgnoreFiles, localPathIn, sitesOf, type KeyPath } from "./spec-sites.js";

export type { KeyPath } from "./spec-sites.js";

export interface PathSite {
  at: KeyPath;
  raw: string;
  /** The path as written, without a `file:` prefix; relative to the manifest's folder. */
  local: string;
  /** Component code: honour `.amlignore` / `.gitignore` inside the folder. */
  ignoreFiles: boolean;
}

export interface ReferenceSite {
  at: KeyPath;
  raw: string;
  kind: AssetKind;
  name: string;
  /** A version, a label, or "latest" when none is written. */
  version: string;
}

export interface ComponentFileSite {
  at: KeyPath;
  raw: string;
  local: string;
}

export interface SpecFields {
  paths: PathSite[];
  references: ReferenceSite[];
  componentFiles: ComponentFileSite[];
}

/** The local path a model's or data's `path` names, or undefined for URIs, references and `${{…}}` bindings. */
export function localPathOf(value: string): string | undefined {
  return localPathIn("data", value);
}

export function specFields(kind: ManifestKind, spec: Record<string, unknown>): SpecFields {
  const fields: SpecFields = { paths: [], references: [], componentFiles: [] };
  for (const site of sitesOf({ kind, spec })) {
    const { path: at, value: raw, local } = site;
    if (local !== undefined) {
      if (site.role === "component") fields.componentFiles.push({ at, raw, local });
      else fields.paths.push({ at, raw, local, ignoreFiles: honoursIgnoreFiles(site) });
      continue;
    }
    const reference = assetReferenceOf(site);
    if (reference !== undefined) fields.references.push({ at, raw, ...reference });
  }
  return fields;
}
