// The desired state: every asset the manifests declare, its immutable spec with each local path replaced
// by the digest of what it names, its mutable fields, its artifacts and its references to other assets.
//
// Two decisions shape the digests:
// - A local path's TEXT never reaches the spec, only its content digest: moving or renaming a file or folder
//   whose content is unchanged changes nothing (no new version). Names inside a folder are content.
// - A component file referenced by a local path from a pipeline component is ANONYMOUS, as in Azure ML: it
//   is emitted once as its own asset (`anonymous: true`, its manifest's name, else one derived from the file
//   name; `version` undefined because the planner names it by digest). In the pipeline's spec the local path
//   is replaced, like any local path, by a digest: the anonymous asset's `contentDigest`. The pipeline's
//   reference entry carries that digest as its `version`, which the planner resolves to the anonymous
//   asset's digest-based version. So a pipeline's digest changes exactly when a component it uses changes.
//   Such a file is never also registered under its own name:version — Azure ML examples reuse one
//   name:version with different bodies in many pipelines.
// - Manifest files are never folder content (`path: .` next to its model.yml, `code: .` shared by several
//   component files): editing a manifest's description must update it in place, not make new versions.
// Inline environments stay inline in their component's spec; their build context and conda file are
// artifacts of the component.
import { tagText } from "../manifest/schema/common.js";
import path from "node:path";
import type { Diagnostic } from "../diagnostics.js";
import { mapConcurrent } from "../concurrency.js";
import { jsonDigest } from "../digest.js";
import { ASSET_KINDS, assetKindOf, type AssetKind, type Manifest } from "../manifest/types.js";
import type { OnProgress } from "../progress.js";
import type { Artifact, Digest, JsonObject, JsonValue, MutableFields } from "../registry/types.js";
import { GitTree } from "./git-tree.js";
import { ArtifactError, ArtifactHasher, type HashedArtifact } from "./hash.js";
import { readPathStatus, type GitPathStatus } from "./provenance.js";
import { specFields, type KeyPath, type SpecFields } from "./spec-fields.js";
import { folderOf } from "./spec-sites.js";
import type { StatCache } from "./stat-cache.js";
import { resolveInTree, WorkTree, type SourceTree } from "./tree.js";
import type { AssetReference, DesiredAsset, DesiredState, SourceInfo } from "./types.js";

export interface BuildOptions {
  /** Provenance of the tree (readSourceInfo); `dirty` is raised when a manifest file is not tracked. */
  source: SourceInfo;
  /** Digests of unchanged files on disk (working tree only). */
  cache?: StatCache;
  /** How git sees files; by default asked of git for a working tree, "tracked" for a commit. */
  pathStatus?: (paths: readonly string[]) => Promise<Map<string, GitPathStatus>>;
  /** Warn (`apply-unsupported`) about data import manifests, which are validated but never applied. */
  reportUnsupported?: boolean;
  /** Hashing threads besides the main one; default one per further core. */
  workers?: number;
  /** Told of the bytes read to hash artifacts. */
  onProgress?: OnProgress;
}

/**
 * Top-level keys that are not content: identity, the informational `$schema`, the mutable fields, and
 * `isArchived` (registry state the azureml-assets publisher sets: it plans an archive, never a new version).
 */
const NOT_CONTENT: ReadonlySet<string> = new Set(["$schema", "name", "version", "description", "tags", "isArchived"]);
const COMPONENT_NOT_CONTENT: ReadonlySet<string> = new Set([...NOT_CONTENT, "display_name"]);

/** A component name (`^[a-z][a-z0-9_]*$`) from a file name, for anonymous component files without `name`. */
export function nameFromFile(file: string): string {
  const stem = path.posix.basename(file).replace(/\.ya?ml$/i, "");
  const name = stem.toLowerCase().replace(/[^a-z0-9_]+/g, "_").replace(/^_+|_+$/g, "");
  return /^[a-z]/.test(name) ? name : `c_${name}`;
}

export function jsonPointer(at: readonly (string | number)[]): string {
  return at.map((k) => `/${String(k).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

/**
 * The spec's content: the spec without the keys that are not content. Copy-on-write: subtrees that no
 * digest replaces are shared with the manifest's spec, so both are read-only from here on.
 */
function contentOf(spec: Record<string, unknown>, skip: ReadonlySet<string>): JsonObject {
  const out: JsonObject = {};
  for (const key in spec) {
    const value = spec[key];
    if (value !== undefined && !skip.has(key)) out[key] = value as JsonValue;
  }
  return out;
}

/** Sets `value` at `at` inside `target` (a fresh top-level object), copying each container on the way. */
function setAt(target: JsonObject, at: KeyPath, value: string): void {
  let node: Record<string | number, unknown> = target;
  for (const key of at.slice(0, -1)) {
    const child = node[key];
    if (typeof child !== "object" || child === null) return;
    const copy = Array.isArray(child) ? [...(child as unknown[])] : { ...(child as object) };
    node[key] = copy;
    node = copy as Record<string | number, unknown>;
  }
  const last = at[at.length - 1];
  if (last !== undefined) node[last] = value;
}

function positionOf(manifest: Manifest, at: KeyPath): { line: number; column: number } {
  try {
    return manifest.locate(at);
  } catch {
    return { line: 0, column: 0 };
  }
}

/** The line of the document's first key (where a mapping document starts): where a person looks for the asset. */
function firstLine(manifest: Manifest): number {
  return positionOf(manifest, []).line;
}

function mutableOf(manifest: Manifest, kind: AssetKind): MutableFields {
  const mutable: MutableFields = {};
  const spec = manifest.spec;
  if (typeof spec["description"] === "string") mutable.description = spec["description"];
  if (kind === "component" && typeof spec["display_name"] === "string") mutable.display_name = spec["display_name"];
  const tags = spec["tags"];
  if (typeof tags === "object" && tags !== null && !Array.isArray(tags)) {
    const text: Record<string, string> = {};
    for (const key of Object.keys(tags)) {
      const v = (tags as Record<string, unknown>)[key];
      const value = tagText(v);
      // As Object.fromEntries would: a tag named __proto__ is a tag, not the object's prototype.
      if (key === "__proto__") Object.defineProperty(text, key, { value, enumerable: true, writable: true, configurable: true });
      else text[key] = value;
    }
    mutable.tags = text;
  }
  return mutable;
}

interface PendingArtifact {
  artifact: Artifact;
  hashed: HashedArtifact;
}

interface Built {
  asset: DesiredAsset;
  pending: PendingArtifact[];
}

class DesiredStateBuilder {
  readonly diagnostics: Diagnostic[] = [];
  private readonly byFile = new Map<string, Manifest>();
  /** Component files some pipeline names by a local path: anonymous, never registered by name. */
  readonly localComponents = new Set<string>();
  readonly anonymous = new Map<string, Promise<Built | undefined>>();
  /** Component files that (indirectly) use themselves: reported, never built, so no build waits on itself. */
  private readonly cyclic: Set<string>;
  private readonly fields = new Map<Manifest, SpecFields>();

  constructor(
    manifests: readonly Manifest[],
    private readonly hasher: ArtifactHasher,
  ) {
    for (const m of manifests) if (!this.byFile.has(m.file)) this.byFile.set(m.file, m);
    const uses = new Map<string, string[]>();
    for (const m of manifests) {
      const targets: string[] = [];
      const fields = specFields(m.kind, m.spec);
      this.fields.set(m, fields);
      for (const site of fields.componentFiles) {
        const target = resolveInTree(folderOf(m.file), site.local);
        if (target === undefined) continue;
        targets.push(target);
        this.localComponents.add(target);
      }
      if (targets.length > 0) uses.set(m.file, targets);
    }
    this.cyclic = filesOnCycles(uses);
  }

  error(manifest: Manifest, at: KeyPath, code: string, message: string, hint?: string): void {
    const { line, column } = positionOf(manifest, at);
    const d: Diagnostic = { code, severity: "error", message, file: manifest.file, line, column, path: [...at] };
    if (hint !== undefined) d.hint = hint;
    this.diagnostics.push(d);
  }

  /** The anonymous asset for a component file, built once however many pipelines use it. */
  private anonymousFor(file: string): Promise<Built | undefined> {
    let pending = this.anonymous.get(file);
    if (!pending) {
      const manifest = this.byFile.get(file) as Manifest;
      pending = this.build(manifest, true);
      this.anonymous.set(file, pending);
    }
    return pending;
  }

  async build(manifest: Manifest, anonymous: boolean): Promise<Built | undefined> {
    const kind = assetKindOf(manifest.kind);
    if (kind === undefined) return undefined;
    const name = manifest.name ?? (anonymous ? nameFromFile(manifest.file) : undefined);
    if (name === undefined) {
      this.error(manifest, [], "asset-name-missing", `${manifest.file} declares a ${manifest.kind} without a name`);
      return undefined;
    }
    const fields = this.fields.get(manifest) ?? specFields(manifest.kind, manifest.spec);
    const base = folderOf(manifest.file);
    let failed = false;
    const spec = contentOf(manifest.spec, kind === "component" ? COMPONENT_NOT_CONTENT : NOT_CONTENT);

    // Artifacts the stat cache answers at once need no promise; the others are awaited together.
    const artifacts: (PendingArtifact | undefined)[] = [];
    const hashing: Promise<void>[] = [];
    fields.paths.forEach((site, i) => {
      const source = resolveInTree(base, site.local);
      if (source === undefined || path.posix.isAbsolute(site.local)) {
        this.error(manifest, site.at, "path-escapes-repo", `${site.raw} is outside the repository`);
        artifacts[i] = undefined;
        return;
      }
      const pending = (hashed: HashedArtifact): PendingArtifact => ({
        artifact: {
          pointer: jsonPointer(site.at),
          source,
          type: hashed.type,
          digest: hashed.digest,
          size: hashed.size,
          files: hashed.files,
          git: "unknown",
        },
        hashed,
      });
      const known = this.hasher.hashAtOnce(source, { ignoreFiles: site.ignoreFiles });
      if (known) {
        artifacts[i] = pending(known);
        return;
      }
      hashing.push(
        this.hasher.hash(source, { ignoreFiles: site.ignoreFiles }).then(
          (hashed) => void (artifacts[i] = pending(hashed)),
          (error: unknown) => {
            if (!(error instanceof ArtifactError)) throw error;
            this.error(manifest, site.at, error.code, error.message);
            artifacts[i] = undefined;
          },
        ),
      );
    });
    if (hashing.length > 0) await Promise.all(hashing);

    const references: AssetReference[] = fields.references.map((r) => ({
      kind: r.kind,
      name: r.name,
      version: r.version,
      pointer: jsonPointer(r.at),
      raw: r.raw,
      ...positionOf(manifest, r.at),
    }));

    for (const site of fields.componentFiles) {
      const file = resolveInTree(base, site.local);
      if (file === undefined) {
        this.error(manifest, site.at, "path-escapes-repo", `${site.raw} is outside the repository`);
        failed = true;
        continue;
      }
      if (this.cyclic.has(file)) {
        this.error(manifest, site.at, "component-cycle", `${file} uses itself through local component files`);
        failed = true;
        continue;
      }
      const target = this.byFile.get(file);
      if (!target || assetKindOf(target.kind) !== "component") {
        this.error(
          manifest,
          site.at,
          "component-file-not-manifest",
          `${site.raw} is not a component manifest`,
          "A pipeline step's local `component:` must be a component YAML file with a component `$schema`.",
        );
        failed = true;
        continue;
      }
      const built = await this.anonymousFor(file);
      if (!built) {
        failed = true; // the component file's own diagnostics say why
        continue;
      }
      const { asset } = built;
      setAt(spec, site.at, asset.contentDigest);
      references.push({
        kind: "component",
        name: asset.name,
        version: asset.contentDigest, // resolved by the planner to the anonymous asset's version
        pointer: jsonPointer(site.at),
        raw: site.raw,
        ...positionOf(manifest, site.at),
      });
    }

    if (failed || artifacts.some((a) => a === undefined)) return undefined;
    const pending = artifacts as PendingArtifact[];
    fields.paths.forEach((site, i) => setAt(spec, site.at, (pending[i] as PendingArtifact).artifact.digest));

    const contentDigest = jsonDigest({ kind, name, spec });
    const asset: DesiredAsset = {
      kind,
      name,
      version: anonymous ? undefined : manifest.version,
      spec,
      mutable: mutableOf(manifest, kind),
      artifacts: pending.map((p) => p.artifact),
      contentDigest,
      references,
      anonymous,
      manifest: { file: manifest.file, line: firstLine(manifest) },
      ...(manifest.spec["isArchived"] === true ? { archived: true } : {}),
    };
    return { asset, pending };
  }
}

/**
 * Assets built at once. Enough to keep hashing threads and the disk busy; few enough that each build's
 * intermediate objects die young instead of 10,000 half-built assets surviving garbage collections.
 */
const BUILD_CONCURRENCY = 64;

/** Files that reach themselves through `uses` (file → component files it names). */
function filesOnCycles(uses: ReadonlyMap<string, readonly string[]>): Set<string> {
  const cyclic = new Set<string>();
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    stack.push(file);
    for (const next of uses.get(file) ?? []) {
      const s = state.get(next);
      if (s === "open") for (const f of stack.slice(stack.indexOf(next))) cyclic.add(f);
      else if (s === undefined) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of uses.keys()) if (!state.has(file)) visit(file);
  return cyclic;
}

function defaultPathStatus(tree: SourceTree): (paths: readonly string[]) => Promise<Map<string, GitPathStatus>> {
  if (tree instanceof GitTree) {
    return async (paths) => new Map(paths.map((p) => [p, "tracked" as const]));
  }
  if (tree instanceof WorkTree) {
    return (paths) => readPathStatus(tree.root, paths);
  }
  return async (paths) => new Map(paths.map((p) => [p, "unknown" as const]));
}

/** One status for an artifact from its files': the least reproducible wins. */
function artifactStatus(statuses: readonly GitPathStatus[]): GitPathStatus {
  if (statuses.length === 0) return "unknown";
  for (const s of ["unknown", "ignored", "untracked"] as const) if (statuses.includes(s)) return s;
  return "tracked";
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A stable order for output and digests over the state, independent of hashing completion order. */
function assetOrder(a: DesiredAsset, b: DesiredAsset): number {
  return (
    ASSET_KINDS.indexOf(a.kind) - ASSET_KINDS.indexOf(b.kind) ||
    compareText(a.name, b.name) ||
    compareText(a.version ?? "", b.version ?? "") ||
    compareText(a.manifest.file, b.manifest.file)
  );
}

/**
 * Builds the desired state of `manifests` read from `tree`: hashes every artifact (in parallel, through
 * the stat cache when given), emits anonymous components, and records how git sees each artifact.
 */
export async function buildDesiredState(
  manifests: readonly Manifest[],
  tree: SourceTree,
  options: BuildOptions,
): Promise<DesiredState> {
  const hasher = new ArtifactHasher(tree, {
    skip: new Set(manifests.map((m) => m.file)),
    ...(options.cache ? { cache: options.cache } : {}),
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  const builder = new DesiredStateBuilder(manifests, hasher);
  try {
    const named = await mapConcurrent(manifests, BUILD_CONCURRENCY, async (m) => {
        if (m.kind === "data_import" && options.reportUnsupported) {
          builder.diagnostics.push({
            code: "apply-unsupported",
            severity: "warning",
            message: `${m.file} is a data import: it is validated but never applied`,
            file: m.file,
            line: firstLine(m),
            column: 1,
          });
        }
        // Pipeline jobs are runs, not assets; anonymous component files are built where a pipeline uses them.
        if (assetKindOf(m.kind) === undefined || m.anonymous || (builder.localComponents.has(m.file) && m.layout === undefined)) return undefined;
        return builder.build(m, false);
    });
    // Every anonymous component some pipeline uses was built (and awaited) while building that pipeline.
    const anonymous = await Promise.all(builder.anonymous.values());

    // Identical anonymous components written in two files are one asset (their digests cover the name).
    const seen = new Set<Digest>();
    const built: Built[] = [];
    for (const b of [...named, ...anonymous]) {
      if (!b) continue;
      if (b.asset.anonymous) {
        if (seen.has(b.asset.contentDigest)) continue;
        seen.add(b.asset.contentDigest);
      }
      built.push(b);
    }

    const pathStatus = options.pathStatus ?? defaultPathStatus(tree);
    const artifactPaths = built.flatMap((b) => b.pending.flatMap((p) => p.hashed.realPaths));
    const manifestFiles = manifests.map((m) => m.file);
    const statuses = await pathStatus([...new Set([...artifactPaths, ...manifestFiles])]).catch(
      () => new Map<string, GitPathStatus>(),
    );
    for (const b of built) {
      for (const p of b.pending) p.artifact.git = artifactStatus(p.hashed.realPaths.map((r) => statuses.get(r) ?? "unknown"));
    }
    const untrackedManifest = manifestFiles.some((f) => {
      const s = statuses.get(f);
      return s === "untracked" || s === "ignored";
    });

    return {
      assets: built.map((b) => b.asset).sort(assetOrder),
      source: { ...options.source, dirty: options.source.dirty || untrackedManifest },
      diagnostics: builder.diagnostics,
    };
  } finally {
    await hasher.close();
  }
}
