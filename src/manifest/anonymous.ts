// Component files a pipeline refers to by local path (`component: ./train.yml`, `file:./train.yml`,
// `trial:`). Azure ML loads those anonymously: their name and version are ignored and the service
// versions them by content, so their name need not follow the component naming rule. Found by the one
// spec walk, so the loader marks anonymous exactly the files the desired-state builder builds as such.
import { folderOf, specSites } from "../source/spec-sites.js";
import { resolveInTree } from "../source/tree.js";

export interface ComponentFileReference {
  /** Repository path of the referenced file; undefined when the reference leaves the repository. */
  target: string | undefined;
  raw: string;
  at: (string | number)[];
}

/**
 * The local component files named by a pipeline: by its nodes (`jobs.<node>.component`, `.trial`, also
 * inside an inline component's own `jobs`), and by a pipeline job that runs a pipeline component
 * (`component:` at the top), which Azure ML also loads anonymously.
 */
export function componentFileReferences(file: string, document: unknown): ComponentFileReference[] {
  if (typeof document !== "object" || document === null || Array.isArray(document)) return [];
  // A pipeline job and a pipeline component name their component files in the same places.
  return specSites("pipeline_job", document as Record<string, unknown>).flatMap((site) =>
    site.role === "component" && site.local !== undefined ? [{ target: resolveInTree(folderOf(file), site.local), raw: site.value, at: site.path }] : [],
  );
}
