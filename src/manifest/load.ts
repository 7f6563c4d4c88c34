// Files → validated manifests, in one pass: discovery, parsing under limits, the schema of each kind, and
// the anonymity of component files that pipelines refer to by path. Never throws for user input. With a
// manifest cache, unchanged files are neither read nor parsed nor checked: the YAML parser and the
// schemas are loaded only when some file needs them.
import path from "node:path";
import { mapConcurrent } from "../concurrency.js";
import { canonicalJson } from "../digest.js";
import { sortDiagnostics, type Diagnostic } from "../diagnostics.js";
import type { SourceTree } from "../source/tree.js";
import { componentFileReferences } from "./anonymous.js";
import { isAssetFile, type DeclaredAsset } from "./azureml-assets.js";
import type { DocumentShape, ManifestCache } from "./cache.js";
import { compileConfig, loadConfig, type KindMapping } from "./config.js";
import { diagnostic } from "./diagnostic.js";
import { classify, isYamlFile, readText, unknownSchemaWarning, type Classification } from "./discover.js";
import { parseYamlCached } from "./parse-cache.js";
import type { DatastoreType } from "./schema/datastore.js";
import { didYouMean } from "./suggest.js";
import { assetKindOf, type LoadResult, type Manifest, type ManifestKind } from "./types.js";
import type { YamlFile } from "./yaml.js";

export interface LoadOptions {
  /**
   * Validate only these repository-relative files or folders (`assetctl validate a.yml models/`). Other
   * files are still read where needed: the pipelines that decide whether a component is anonymous.
   */
  paths?: readonly string[];
  /** What earlier runs found in files unchanged since (working tree only); used when the whole tree is loaded. */
  cache?: ManifestCache;
}

/** Files read at once: enough to keep the disk busy, few enough for any file-handle limit. */
const READ_CONCURRENCY = 32;

interface Candidate {
  file: string;
  /** What `$schema`, the kinds mapping, a pipeline's reference or an asset.yaml says; components are refined by `type`. */
  declared: ManifestKind;
  source: "schema" | "mapping" | "reference" | "layout";
  datastoreType?: DatastoreType | undefined;
  /** The asset.yaml of the azureml-assets layout that declares this spec, and renders it. */
  layout?: DeclaredAsset;
}

const COMPONENT_KINDS: Readonly<Record<string, ManifestKind>> = {
  command: "command_component",
  pipeline: "pipeline_component",
  spark: "spark_component",
  parallel: "parallel_component",
  automl: "automl_component",
};

function isComponentKind(kind: ManifestKind): boolean {
  return assetKindOf(kind) === "component";
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function normalizeRequest(p: string): string {
  const posix = p.replaceAll("\\", "/").replace(/^(\.\/)+/, "").replace(/\/+$/, "");
  const normal = path.posix.normalize(posix === "" ? "." : posix);
  return normal === "." ? "" : normal;
}

/** What one load has read so far: every file is listed, read, classified and parsed at most once. */
class Files {
  private listing: Promise<string[]> | undefined;
  /** Texts read this run; a file the cache answered for has none unless it had to be read after all. */
  readonly texts = new Map<string, string>();
  /** Files that could be read, this run or (with the same stats) an earlier one. */
  readonly readable = new Set<string>();
  readonly classifications = new Map<string, Classification>();
  readonly candidates = new Map<string, Candidate>();
  private readonly parsed = new Map<string, YamlFile>();
  private readonly attempted = new Set<string>();

  constructor(
    private readonly tree: SourceTree,
    private readonly mappedKind: (file: string) => KindMapping | undefined,
    private readonly report: (file: string, d: Diagnostic) => void,
    private readonly cache: ManifestCache | undefined,
  ) {}

  list(): Promise<string[]> {
    this.listing ??= this.tree.listFiles();
    return this.listing;
  }

  /** Reads and classifies files not read yet; `named` files are the ones whose problems are errors. */
  async read(files: readonly string[], named: (file: string) => boolean): Promise<void> {
    const fresh = files.filter((f) => !this.attempted.has(f));
    for (const f of fresh) this.attempted.add(f);
    const cache = this.cache;
    const unread = cache
      ? fresh.filter((file) => {
          const hit = cache.lookup(file);
          if (hit) this.found(file, hit.cls);
          return hit === undefined;
        })
      : fresh;
    await mapConcurrent(unread, READ_CONCURRENCY, async (file) => {
      const mapped = this.mappedKind(file);
      const result = await readText(this.tree, file, named(file) || mapped !== undefined ? "error" : "warning");
      if (!("text" in result)) {
        if (result.diagnostic) this.report(file, result.diagnostic);
        return;
      }
      this.texts.set(file, result.text);
      // Stats could not vouch for it, but the text may still be the one cached.
      const known = cache?.lookupText(file, result.text);
      if (known) {
        this.found(file, known.cls);
        return;
      }
      const cls = classify(result.text, mapped);
      cache?.fill(file, result.text, cls, noteOf(file, result.text, cls));
      this.found(file, cls);
    });
  }

  private found(file: string, cls: Classification): void {
    this.readable.add(file);
    this.classifications.set(file, cls);
    if (cls.manifest) this.candidates.set(file, { file, declared: cls.kind, source: cls.source, datastoreType: cls.datastoreType });
  }

  async parse(file: string): Promise<YamlFile> {
    let yaml = this.parsed.get(file);
    if (!yaml) this.parsed.set(file, (yaml = parseYamlCached(this.texts.get(file) ?? (await this.readAgain(file)), file)));
    return yaml;
  }

  /** What the file says beyond its classification, for deciding anonymity: cached, or from its parse. */
  async shape(file: string): Promise<DocumentShape> {
    const entry = this.cache?.entry(file);
    if (entry?.shape) return entry.shape;
    const shape = shapeOf(file, (await this.parse(file)).value);
    if (entry) entry.shape = shape;
    return shape;
  }

  /** The warning for a file whose `$schema` names no schema assetctl knows. */
  note(file: string, declaration: NonNullable<Extract<Classification, { manifest: false }>["declaration"]>, name: string): Diagnostic {
    const text = this.texts.get(file);
    return (text === undefined ? this.cache?.entry(file)?.note : undefined) ?? unknownSchemaWarning(file, text ?? "", declaration, name);
  }

  /** A candidate checked against its kind's schema, as the pipelines make it (anonymous or not). */
  async check(candidate: Candidate, anonymous: boolean): Promise<{ diagnostics: Diagnostic[]; manifest: Manifest | undefined; unchecked?: Manifest }> {
    // A rendered spec stands for its asset.yaml and extra config too: their fingerprint is part of the key.
    const key = `${candidate.declared}|${candidate.source}|${candidate.datastoreType ?? ""}|${anonymous}${candidate.layout ? `|${candidate.layout.fingerprint}` : ""}`;
    const entry = this.cache?.entry(candidate.file);
    const cached = entry?.checked(key);
    if (entry && cached) return { diagnostics: cached.diagnostics, manifest: entry.manifest(cached) };

    const yaml = candidate.layout ? await candidate.layout.render() : await this.parse(candidate.file);
    const diagnostics: Diagnostic[] = [...yaml.diagnostics];
    let manifest: Manifest | undefined;
    let unchecked: Manifest | undefined;
    const kind = yaml.value === undefined ? undefined : refinedKind(candidate, yaml.value, diagnostics, yaml);
    if (kind !== undefined) {
      // The schemas (zod) load with the first file that needs checking.
      const { checkManifest } = await import("./check.js");
      const result = checkManifest({
        file: candidate.file,
        kind,
        yaml,
        anonymous: anonymous && isComponentKind(kind),
        declaredDatastoreType: candidate.datastoreType,
      });
      diagnostics.push(...result.diagnostics);
      if (result.manifest && !yaml.diagnostics.some((d) => d.severity === "error")) manifest = result.manifest;
      else unchecked = result.unchecked ?? (result.manifest && { ...result.manifest });
    }
    // A file with errors is checked again each run (it is the one being fixed): its unchecked form is not kept.
    if (!entry || unchecked) return { diagnostics, manifest, ...(unchecked ? { unchecked } : {}) };
    entry.keepChecked(key, diagnostics, manifest);
    return { diagnostics, manifest: manifest && { ...manifest, locate: entry.recording(manifest.locate) } };
  }

  /** The text of a file the cache answered for, when it must be parsed after all (its anonymity changed). */
  private async readAgain(file: string): Promise<string> {
    const result = await readText(this.tree, file, "warning");
    const text = "text" in result ? result.text : "";
    // Changed since it was looked up: what is cached of it no longer describes it.
    if (!("text" in result) || !this.cache?.describes(file, text)) this.cache?.forget(file);
    this.texts.set(file, text);
    return text;
  }
}

function noteOf(file: string, text: string, cls: Classification): Diagnostic | undefined {
  return !cls.manifest && cls.schema?.class === "unknown" && cls.declaration ? unknownSchemaWarning(file, text, cls.declaration, cls.schema.name) : undefined;
}

function shapeOf(file: string, value: unknown): DocumentShape {
  if (!isObject(value)) return { mapping: false, typed: false, components: [] };
  const type = value["type"];
  return {
    mapping: true,
    typed: type !== undefined,
    ...(typeof type === "string" ? { type } : {}),
    components: componentFileReferences(file, value).map((r) => r.target ?? null),
  };
}

export async function loadManifests(tree: SourceTree, options: LoadOptions = {}): Promise<LoadResult> {
  const diagnostics: Diagnostic[] = [];
  const { config, diagnostics: configDiagnostics } = await loadConfig(tree, options.cache?.dir === undefined ? {} : { cacheDir: options.cache.dir });
  diagnostics.push(...configDiagnostics);
  const { isExcluded, mappedKind, inLayout } = compileConfig(config);

  const requests = options.paths?.map(normalizeRequest);
  const cache = requests === undefined ? options.cache : undefined;
  cache?.useConfig(canonicalJson({ exclude: config.exclude, kinds: config.kinds, layouts: config.azuremlAssets }));
  cache?.useLocator((text, file, keyPath) => parseYamlCached(text, file).locate(keyPath));
  const inScope = (file: string) => requests === undefined || requests.some((r) => r === "" || file === r || file.startsWith(`${r}/`));
  const namedExactly = (file: string) => requests?.includes(file) ?? false;
  const files = new Files(
    tree,
    mappedKind,
    (file, d) => {
      if (inScope(file)) diagnostics.push(d);
    },
    cache,
  );
  const eligible = (list: readonly string[]) => list.filter((f) => isYamlFile(f) && !isExcluded(f));

  // The files to validate. Named files need no listing of the tree; folders and the whole tree do.
  let scope: string[];
  if (requests === undefined || requests.some((r) => r === "")) {
    scope = eligible(await files.list());
  } else {
    const resolved = await resolveRequests(tree, requests, isExcluded, () => files.list());
    diagnostics.push(...resolved.diagnostics);
    scope = eligible(resolved.files);
  }
  await files.read(scope, namedExactly);

  // Pipelines name component files by path, and those are anonymous: when a component (or a file that
  // may be one) is validated, the pipelines of the tree must be read to know. Only those that mention
  // the name of a file in scope are parsed.
  const mayBeComponent = async (file: string): Promise<boolean> => {
    const candidate = files.candidates.get(file);
    if (candidate) return isComponentKind(candidate.declared);
    const cls = files.classifications.get(file);
    if (!cls || cls.manifest || cls.schema !== undefined) return false;
    const value = (await files.parse(file)).value;
    return isObject(value) && (value["type"] === undefined || (typeof value["type"] === "string" && value["type"].toLowerCase() !== "pipeline"));
  };
  let scanAll = requests === undefined;
  for (let i = 0; !scanAll && i < scope.length; i++) scanAll = await mayBeComponent(scope[i] as string);
  if (scanAll) await files.read(eligible(await files.list()), namedExactly);
  const anonymous = scanAll ? await findAnonymous(files, requests === undefined ? undefined : scope) : new Set<string>();

  const scoped = new Set(scope);
  // The azureml-assets layout: each asset.yaml makes its spec a manifest, rendered from what it declares.
  const assetFiles = scope.filter((f) => isAssetFile(f) && inLayout(f));
  if (assetFiles.length > 0) {
    const listed = new Set(await files.list());
    const { declareAsset, ParsedTexts } = await import("./azureml-assets.js");
    const parsed = await ParsedTexts.load(cache?.dir);
    const declared = await mapConcurrent(assetFiles, READ_CONCURRENCY, (file) => declareAsset(tree, file, (f) => listed.has(f) && !isExcluded(f), parsed));
    await parsed.save();
    for (const result of declared) {
      diagnostics.push(...result.diagnostics);
      const asset = result.asset;
      if (!asset) continue;
      const spec = asset.declaration.spec;
      files.candidates.set(spec, { file: spec, declared: asset.declaration.kind, source: "layout", layout: asset });
      scoped.add(spec);
    }
  }

  const manifests: Manifest[] = [];
  const unchecked: Manifest[] = [];
  for (const candidate of [...files.candidates.values()].sort((a, b) => (a.file < b.file ? -1 : 1))) {
    if (!scoped.has(candidate.file)) continue;
    // An asset.yaml declares a named asset, even when a pipeline also names its spec by path.
    const result = await files.check(candidate, candidate.source !== "layout" && anonymous.has(candidate.file));
    diagnostics.push(...result.diagnostics);
    if (result.manifest) manifests.push(candidate.layout ? await candidate.layout.finish(result.manifest) : result.manifest);
    else if (result.unchecked && !candidate.layout) unchecked.push(result.unchecked);
  }

  for (const file of scope) {
    const cls = files.classifications.get(file);
    if (!cls || cls.manifest || files.candidates.has(file)) continue;
    if (cls.schema?.class === "unknown" && cls.declaration) {
      diagnostics.push(files.note(file, cls.declaration, cls.schema.name));
    } else if (namedExactly(file)) {
      diagnostics.push(diagnostic({ code: "not-a-manifest", severity: "warning", message: `${file} is not read as a manifest: ${cls.reason}`, file }));
    }
  }
  return { manifests, diagnostics: sortDiagnostics(diagnostics), ...(unchecked.length > 0 ? { unchecked } : {}) };
}

/**
 * Component files that pipelines refer to by path (anonymous), adding those without `$schema` as
 * component candidates. With `scope`, only pipelines that mention a scoped file's name are parsed.
 */
async function findAnonymous(files: Files, scope: readonly string[] | undefined): Promise<Set<string>> {
  const names = scope ? [...new Set(scope.map((f) => path.posix.basename(f)))] : [];
  const inScope = scope ? new Set(scope) : undefined;
  const relevant = (file: string) => !inScope || inScope.has(file) || names.some((n) => files.texts.get(file)?.includes(n));
  const anonymous = new Set<string>();
  const queue = [...files.candidates.values()].filter((c) => (c.declared === "pipeline_job" || isComponentKind(c.declared)) && relevant(c.file));
  const scanned = new Set<string>();
  while (queue.length > 0) {
    const candidate = queue.shift() as Candidate;
    if (scanned.has(candidate.file)) continue;
    scanned.add(candidate.file);
    // Only a pipeline names component files, and a component file is one only when it says `pipeline`
    // somewhere: the others need no parse here (most of a large repository's components).
    const text = files.texts.get(candidate.file);
    if (candidate.declared !== "pipeline_job" && candidate.declared !== "pipeline_component" && text !== undefined && !/pipeline/i.test(text)) continue;
    const shape = await files.shape(candidate.file);
    const kind = refinedKindOf(candidate, shape);
    if (kind !== "pipeline_job" && kind !== "pipeline_component") continue;
    for (const target of shape.components) {
      if (target === null || !files.readable.has(target)) continue;
      anonymous.add(target);
      if (!relevant(target)) continue;
      const known = files.candidates.get(target);
      if (known) {
        queue.push(known);
        continue;
      }
      // A component file without $schema is still a component when a pipeline loads it as one.
      const cls = files.classifications.get(target);
      if (cls && !cls.manifest && cls.schema !== undefined) continue;
      const document = await files.shape(target);
      if (!document.mapping) continue;
      const declared = !document.typed ? "command_component" : document.type !== undefined ? COMPONENT_KINDS[document.type.toLowerCase()] : undefined;
      if (declared === undefined) continue;
      const inferred: Candidate = { file: target, declared, source: "reference" };
      files.candidates.set(target, inferred);
      queue.push(inferred);
    }
  }
  return anonymous;
}

/** As refinedKind, from the document's shape: what anonymity needs, without parsing a cached file. */
function refinedKindOf(candidate: Candidate, shape: DocumentShape): ManifestKind | undefined {
  const declared = candidate.declared;
  if (!isComponentKind(declared) || !shape.mapping || shape.type === undefined) return declared;
  return COMPONENT_KINDS[shape.type.toLowerCase()];
}

/**
 * Azure ML picks a component's schema by its `type`, not by `$schema`: a file declared a command
 * component that says `type: pipeline` is a pipeline component. Without `type`, the declaration stands.
 */
function refinedKind(candidate: Candidate, value: unknown, out: Diagnostic[], yaml: YamlFile): ManifestKind | undefined {
  const declared = candidate.declared;
  if (!isComponentKind(declared) || !isObject(value)) return declared;
  const type = value["type"];
  if (typeof type !== "string") return declared;
  const kind = COMPONENT_KINDS[type.toLowerCase()];
  if (kind === undefined) {
    out.push(
      diagnostic({
        code: "schema-enum",
        message: `"type" must be one of ${Object.keys(COMPONENT_KINDS).join(", ")}, not "${type}": assetctl manages no ${type} components`,
        file: candidate.file,
        at: yaml.locate(["type"]),
        hint: didYouMean(type.toLowerCase(), Object.keys(COMPONENT_KINDS)),
        path: ["type"],
      }),
    );
    return undefined;
  }
  if (kind !== declared && candidate.source === "schema") {
    out.push(
      diagnostic({
        code: "schema-kind-mismatch",
        severity: "warning",
        message: `$schema names the ${declared.replace("_", " ")} schema, but type is ${type}: read as a ${kind.replace("_", " ")}, as Azure ML does`,
        file: candidate.file,
        at: yaml.locate(["type"]),
        path: ["type"],
      }),
    );
  }
  return kind;
}

/** Requested paths → files: a file as it is, a folder by listing; missing, excluded or non-YAML ones said. */
async function resolveRequests(
  tree: SourceTree,
  requests: readonly string[],
  isExcluded: (file: string) => boolean,
  list: () => Promise<string[]>,
): Promise<{ files: string[]; diagnostics: Diagnostic[] }> {
  const files: string[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const request of requests) {
    const entry = await tree.stat(request);
    if (entry === undefined) {
      diagnostics.push(diagnostic({ code: "path-not-found", message: `${request} does not exist in the repository`, file: request }));
    } else if (entry.type === "dir") {
      files.push(...(await list()).filter((f) => f.startsWith(`${request}/`)));
    } else if (!isYamlFile(request)) {
      diagnostics.push(diagnostic({ code: "not-a-manifest", severity: "warning", message: `${request} is not a .yml or .yaml file`, file: request }));
    } else if (isExcluded(request)) {
      diagnostics.push(diagnostic({ code: "not-a-manifest", severity: "warning", message: `${request} is excluded by assetctl.yaml`, file: request }));
    } else {
      files.push(request);
    }
  }
  return { files: [...new Set(files)], diagnostics };
}
