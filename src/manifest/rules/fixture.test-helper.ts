// Test fixtures for the rules: Manifests parsed from YAML text with real source positions (standing in
// for the loader), and throwaway repositories on disk with real symlinks and FIFOs.
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { isNode, LineCounter, parseDocument } from "yaml";
import type { Diagnostic } from "../../diagnostics.js";
import { WorkTree } from "../../source/tree.js";
import type { Manifest, ManifestKind } from "../types.js";

const SCHEMA_KINDS: [RegExp, ManifestKind][] = [
  [/\/model\.schema\.json$/i, "model"],
  [/\/data\.schema\.json$/i, "data"],
  [/\/environment\.schema\.json$/i, "environment"],
  [/commandComponent(\.schema)?\.json$/i, "command_component"],
  [/pipelineComponent(\.schema)?\.json$/i, "pipeline_component"],
  [/sparkComponent(\.schema)?\.json$/i, "spark_component"],
  [/pipelineJob(\.schema)?\.json$/i, "pipeline_job"],
  [/(azureBlob|azureFile|azureDataLakeGen1|azureDataLakeGen2)\.schema\.json$/i, "datastore"],
  [/DataImport\.json$/i, "data_import"],
];

export function kindFromSchema(schema: unknown): ManifestKind | undefined {
  if (typeof schema !== "string") return undefined;
  return SCHEMA_KINDS.find(([pattern]) => pattern.test(schema))?.[1];
}

export interface ManifestOptions {
  kind?: ManifestKind;
  anonymous?: boolean;
}

/** A Manifest from YAML text, as the loader would produce it (spec without `$schema`). */
export function manifestFromYaml(file: string, text: string, options: ManifestOptions = {}): Manifest {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const js = (doc.toJS() ?? {}) as Record<string, unknown>;
  const kind = options.kind ?? kindFromSchema(js["$schema"]);
  if (kind === undefined) throw new Error(`fixture: cannot tell the kind of ${file}`);
  const { $schema: _schema, ...spec } = js;
  const scalar = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
  return {
    file,
    kind,
    name: scalar(spec["name"]),
    version: scalar(spec["version"]),
    spec,
    anonymous: options.anonymous ?? false,
    locate(keyPath) {
      // The deepest node that exists on the path: a missing key is reported where its parent is.
      for (let n = keyPath.length; n >= 0; n--) {
        const node = n === 0 ? doc.contents : doc.getIn(keyPath.slice(0, n), true);
        if (isNode(node) && node.range) {
          const { line, col } = lineCounter.linePos(node.range[0]);
          return { line, column: col };
        }
      }
      return { line: 1, column: 1 };
    },
  };
}

export type RepoEntry = string | Buffer | { symlink: string } | { fifo: true } | { dir: true };

export interface TempRepo {
  root: string;
  tree: WorkTree;
  /** Writes more entries after creation. */
  add(entries: Record<string, RepoEntry>): Promise<void>;
  remove(): Promise<void>;
}

/** A repository in a fresh temp folder (no git needed: the rules read through WorkTree). */
export async function tempRepo(entries: Record<string, RepoEntry>): Promise<TempRepo> {
  const base = await mkdtemp(path.join(tmpdir(), "assetctl-rules-"));
  const root = path.join(base, "repo");
  await mkdir(root);
  const add = async (more: Record<string, RepoEntry>): Promise<void> => {
    for (const [rel, entry] of Object.entries(more)) {
      const abs = path.join(root, ...rel.split("/"));
      await mkdir(path.dirname(abs), { recursive: true });
      if (typeof entry === "string" || Buffer.isBuffer(entry)) await writeFile(abs, entry);
      else if ("symlink" in entry) await symlink(entry.symlink, abs);
      else if ("fifo" in entry) execFileSync("mkfifo", [abs]);
      else await mkdir(abs, { recursive: true });
    }
  };
  await add(entries);
  return { root, tree: new WorkTree(root), add, remove: () => rm(base, { recursive: true, force: true }) };
}

/** Manifests for every repository-relative YAML file given, kinds from `$schema`. */
export function manifestsFrom(files: Record<string, string>, options: Record<string, ManifestOptions> = {}): Manifest[] {
  return Object.entries(files).map(([file, text]) => manifestFromYaml(file, text, options[file] ?? {}));
}

/** Diagnostics as a person reads them, one per line with the hint indented: for inline snapshots. */
export function render(diagnostics: readonly Diagnostic[]): string {
  return [...diagnostics]
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.code.localeCompare(b.code) || a.message.localeCompare(b.message))
    .map((d) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code}: ${d.message}${d.hint ? `\n    hint: ${d.hint}` : ""}`)
    .join("\n");
}

/**
 * Runs a rule over manifests written into a fresh repository alongside `files`, and renders what it
 * reports. The repository is removed afterwards.
 */
export async function runRule(
  rule: (ctx: { manifests: Manifest[]; tree: WorkTree }) => Diagnostic[] | Promise<Diagnostic[]>,
  manifests: Record<string, string>,
  files: Record<string, RepoEntry> = {},
  options: Record<string, ManifestOptions> = {},
): Promise<string> {
  const repo = await tempRepo({ ...files, ...manifests });
  try {
    return render(await rule({ manifests: manifestsFrom(manifests, options), tree: repo.tree }));
  } finally {
    await repo.remove();
  }
}
