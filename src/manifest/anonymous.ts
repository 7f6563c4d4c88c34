// Component files a pipeline refers to by local path (`component: ./train.yml`, `file:./train.yml`,
// `trial:`). Azure ML loads those anonymously: their name and version are ignored and the service
// versions them by content, so their name need not follow the component naming rule.
import path from "node:path";
import { resolveInTree } from "../source/tree.js";

export interface ComponentFileReference {
  /** Repository path of the referenced file; undefined when the reference leaves the repository. */
  target: string | undefined;
  raw: string;
  at: (string | number)[];
}

/** `scheme:` of a URI or reference (`azureml:`, `https:`, `git+https:`); a Windows drive letter is not one. */
const SCHEME = /^[a-z][a-z0-9+.-]+:/i;

export function localComponentPath(value: string): string | undefined {
  if (value.startsWith("file:")) return value.slice("file:".length) || undefined;
  if (value === "" || value.includes("${{") || SCHEME.test(value)) return undefined;
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The local component files named by a pipeline: by its nodes (`jobs.<node>.component`, `.trial`), and by
 * a pipeline job that runs a pipeline component (`component:` at the top), which Azure ML also loads
 * anonymously.
 */
export function componentFileReferences(file: string, document: unknown): ComponentFileReference[] {
  const out: ComponentFileReference[] = [];
  if (!isObject(document)) return out;
  const dir = path.posix.dirname(file);
  const add = (raw: unknown, at: (string | number)[]): void => {
    if (typeof raw !== "string") return;
    const local = localComponentPath(raw.trim());
    if (local !== undefined) out.push({ target: resolveInTree(dir === "." ? "" : dir, local), raw, at });
  };
  add(document["component"], ["component"]);
  const jobs = document["jobs"];
  if (!isObject(jobs)) return out;
  for (const [name, node] of Object.entries(jobs)) {
    if (!isObject(node)) continue;
    add(node["component"], ["jobs", name, "component"]);
    add(node["trial"], ["jobs", name, "trial"]);
  }
  return out;
}
