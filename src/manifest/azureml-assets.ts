// The azureml-assets layout (Azure/azureml-assets): an `asset.yaml` declares one asset whose manifest is the
// `spec` file it names, a template the publisher fills in (`{{asset.name}}`, `{{asset.version}}`,
// `{{image.*}}`, `{{asset.repo.*}}`) from the asset.yaml and its `extra_config` (environment.yaml,
// model.yaml, storage.yaml). This module reads those files and turns the spec into what the publisher would
// register, with two differences that keep versions content-addressed:
// - placeholders whose value is not content (`{{asset.version}}` when auto-versioned, `{{asset.repo.url}}`,
//   `{{asset.repo.commit_hash}}`) are left as written, so a render differing only by them is not a change;
// - an environment's build context is the local `context` folder (hashed), not the repository URL at a commit.
// Publisher references: scripts/azureml-assets/azureml/assets/config.py (AssetConfig, EnvironmentConfig,
// ModelConfig, DataConfig), update_spec.py (create_template_data, update), util/template.py (render).
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Diagnostic } from "../diagnostics.js";
import { TreeReadError, type SourceTree } from "../source/tree.js";
import { writeFileAtomically } from "../atomic-write.js";
import { codeFingerprint } from "../code-fingerprint.js";
import { isJsonExact } from "./cache.js";
import { diagnostic } from "./diagnostic.js";
import { decodeText } from "./decode.js";
import type { Manifest, ManifestKind, SourcePosition } from "./types.js";
import { MAX_FILE_BYTES, parseYaml, type YamlFile } from "./yaml.js";

export const ASSET_FILE = "asset.yaml";

/** config.py AssetType: the standard types are Azure ML assets; the generic ones are not managed here. */
const STANDARD_TYPES: Readonly<Record<string, ManifestKind>> = {
  component: "command_component",
  data: "data",
  environment: "environment",
  model: "model",
};
const GENERIC_TYPES = new Set(["evaluationresult", "prompt", "agentblueprint", "evaluator", "benchmarkspec", "agentmanifest", "apptemplate"]);

/** Keys of asset.yaml the publisher reads (config.py AssetConfig). */
const ASSET_KEYS = new Set(["name", "version", "type", "spec", "extra_config", "description_file", "release_paths", "categories", "test", "pytest"]);

/** config.py VERSION_AUTO. */
const VERSION_AUTO = "auto";

/** Placeholders left unrendered: their value is not content (a version chosen later, the repository's URL and commit). */
export const DEFERRED_PLACEHOLDERS: ReadonlySet<string> = new Set(["asset.version", "asset.repo.url", "asset.repo.commit_hash"]);

/** What an asset.yaml declares, paths made repository-relative. */
export interface AssetDeclaration {
  file: string;
  type: string;
  kind: ManifestKind;
  name: string | undefined;
  /** A pinned version; undefined when `auto` or absent (then the spec's own version, if literal). */
  version: string | undefined;
  auto: boolean;
  spec: string;
  extraConfig: string | undefined;
  descriptionFile: string | undefined;
  releasePaths: string[];
  categories: string[];
}

/** The model's weights as model.yaml declares them (config.py ModelConfig / AssetPath). */
export interface WeightsSource {
  type: "azureblob" | "git" | "local";
  uri: string;
  /** A pinned revision (git commit/branch) or etag, when model.yaml gives one. */
  revision?: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `a/b` joined with a relative path from the folder of `file`, normalized; undefined when it leaves the repository. */
export function besideFile(file: string, relative: string): string | undefined {
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(file), relative.replaceAll("\\", "/")));
  return joined === ".." || joined.startsWith("../") || path.posix.isAbsolute(joined) ? undefined : joined.replace(/\/$/, "");
}

/** Whether a file of the tree is an asset.yaml of this layout (by name; its content decides the rest). */
export function isAssetFile(file: string): boolean {
  return file === ASSET_FILE || file.endsWith(`/${ASSET_FILE}`);
}

const PARSED_FILE = "azureml-assets.json";

/**
 * What the small YAML files of the layout (asset.yaml, environment.yaml, model.yaml) parse to, kept by the
 * digest of their text in `.assetctl/cache/azureml-assets.json`: a repository has hundreds, and the YAML
 * parser costs about a millisecond each. Only clean parses are kept; positions are found by parsing again
 * when a diagnostic needs one. Tied to the build of assetctl like the other caches.
 */
export class ParsedTexts {
  private readonly used = new Map<string, { value: unknown; numbersAsText: YamlFile["numbersAsText"] }>();
  private changed = false;

  private constructor(
    private readonly file: string | undefined,
    private readonly known: ReadonlyMap<string, { value: unknown; numbersAsText: YamlFile["numbersAsText"] }>,
  ) {}

  static async load(dir: string | undefined): Promise<ParsedTexts> {
    if (dir === undefined) return new ParsedTexts(undefined, new Map());
    const file = path.join(dir, PARSED_FILE);
    try {
      const stored = JSON.parse(await readFile(file, "utf8")) as { code?: string; entries?: Record<string, { value: unknown; numbersAsText: YamlFile["numbersAsText"] }> };
      if (stored.code === codeFingerprint() && stored.entries) return new ParsedTexts(file, new Map(Object.entries(stored.entries)));
    } catch {
      // none yet, or unreadable: an empty cache
    }
    return new ParsedTexts(file, new Map());
  }

  parse(text: string, file: string): YamlFile {
    const key = createHash("sha256").update(text).digest("hex");
    const hit = this.used.get(key) ?? this.known.get(key);
    if (hit) {
      this.used.set(key, hit);
      let full: YamlFile | undefined;
      const parsed = () => (full ??= parseYaml(text, file));
      return {
        file,
        text,
        value: structuredClone(hit.value),
        locate: (p) => parsed().locate(p),
        locateKey: (p) => parsed().locateKey(p),
        placeholders: new Set(),
        numbersAsText: hit.numbersAsText,
        diagnostics: [],
      };
    }
    const yaml = parseYaml(text, file);
    if (yaml.diagnostics.length === 0 && isJsonExact(yaml.value)) {
      this.used.set(key, { value: structuredClone(yaml.value), numbersAsText: yaml.numbersAsText });
      this.changed = true;
    }
    return yaml;
  }

  /** Keeps what this load used (and only that), when it differs from what was loaded. */
  async save(): Promise<void> {
    if (this.file === undefined || (!this.changed && this.used.size === this.known.size)) return;
    await writeFileAtomically(this.file, JSON.stringify({ code: codeFingerprint(), entries: Object.fromEntries(this.used) }));
  }
}

export async function readYaml(tree: SourceTree, file: string, parsed?: ParsedTexts): Promise<{ yaml: YamlFile } | { missing: true } | { diagnostic: Diagnostic }> {
  let bytes: Buffer;
  try {
    bytes = await tree.readFile(file, MAX_FILE_BYTES);
  } catch (error) {
    if (error instanceof TreeReadError && error.reason === "missing") return { missing: true };
    return { diagnostic: diagnostic({ code: "file-unreadable", message: `${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`, file }) };
  }
  const decoded = decodeText(bytes, file);
  if ("diagnostic" in decoded) return decoded;
  return { yaml: parsed ? parsed.parse(decoded.text, file) : parseYaml(decoded.text, file) };
}

/**
 * Reads one asset.yaml. Undefined (and no diagnostic) when the file is not of this layout: a YAML file
 * that happens to be called asset.yaml without `spec` and `type`.
 */
export function declarationOf(file: string, yaml: YamlFile, out: Diagnostic[]): AssetDeclaration | undefined {
  const value = yaml.value;
  if (!isObject(value) || !("spec" in value) || !("type" in value)) return undefined;
  out.push(...yaml.diagnostics.filter((d) => d.code !== "template-placeholder"));
  const bad = (key: string, message: string, hint?: string) =>
    out.push(diagnostic({ code: "asset-config-invalid", message, file, at: yaml.locate([key]), path: [key], hint }));
  const type = value["type"];
  const spec = value["spec"];
  if (typeof type !== "string") return void bad("type", `"type" must be text: one of ${Object.keys(STANDARD_TYPES).join(", ")}`);
  if (GENERIC_TYPES.has(type)) {
    out.push(
      diagnostic({
        code: "asset-type-unmanaged",
        severity: "warning",
        message: `${file} declares a ${type} asset, a generic azureml-assets type that is not an Azure ML asset assetctl manages, so it is not read`,
        file,
        at: yaml.locate(["type"]),
        path: ["type"],
      }),
    );
    return undefined;
  }
  const kind = STANDARD_TYPES[type];
  if (kind === undefined) return void bad("type", `"type" must be one of ${Object.keys(STANDARD_TYPES).join(", ")}, not "${type}"`);
  if (typeof spec !== "string" || spec === "") return void bad("spec", `"spec" must name the asset's spec file`);
  for (const key of Object.keys(value)) {
    if (!ASSET_KEYS.has(key)) {
      out.push(
        diagnostic({
          code: "asset-config-unknown-key",
          severity: "warning",
          message: `"${key}" is not a key the azureml-assets publisher reads; it is ignored`,
          file,
          at: yaml.locateKey([key]),
          path: [key],
        }),
      );
    }
  }
  const local = (key: string): string | undefined => {
    const v = value[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string" || v === "") return void bad(key, `"${key}" must be a path relative to ${ASSET_FILE}`);
    const resolved = besideFile(file, v);
    if (resolved === undefined) bad(key, `"${key}": ${v} leaves the repository`);
    return resolved;
  };
  const specPath = local("spec");
  if (specPath === undefined) return undefined;
  const rawVersion = value["version"];
  let version: string | undefined;
  if (rawVersion !== undefined && rawVersion !== null && rawVersion !== VERSION_AUTO) {
    if (typeof rawVersion === "number") version = yaml.numbersAsText.find((n) => n.path.length === 1 && n.path[0] === "version")?.text ?? String(rawVersion);
    else if (typeof rawVersion === "string" && /^[A-Za-z0-9._-]+$/.test(rawVersion)) version = rawVersion;
    else bad("version", `"version" must be a version (such as 1 or 0.0.3) or "auto"`);
  }
  const name = value["name"];
  if (name !== undefined && typeof name !== "string") bad("name", `"name" must be text`);
  const list = (key: string): string[] => {
    const v = value[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
      bad(key, `"${key}" must be a list of text`);
      return [];
    }
    return v as string[];
  };
  return {
    file,
    type,
    kind,
    name: typeof name === "string" ? name : undefined,
    version,
    auto: rawVersion === VERSION_AUTO,
    spec: specPath,
    extraConfig: local("extra_config"),
    descriptionFile: local("description_file"),
    releasePaths: list("release_paths"),
    categories: list("categories"),
  };
}

/** environment.yaml (config.py EnvironmentConfig): the image and its build context. */
export interface EnvironmentConfig {
  imageName: string | undefined;
  /** Repository-relative build context folder; undefined when the image is not built. */
  contextDir: string | undefined;
  dockerfile: string;
  templateFiles: string[];
  publishHostname: string | undefined;
}

/** config.py PUBLISH_LOCATION_HOSTNAMES. */
const PUBLISH_HOSTNAMES: Readonly<Record<string, string>> = { mcr: "mcr.microsoft.com" };

export function environmentConfigOf(file: string, yaml: YamlFile, out: Diagnostic[]): EnvironmentConfig {
  const image = isObject(yaml.value) ? yaml.value["image"] : undefined;
  const img = isObject(image) ? image : {};
  if (!isObject(image)) out.push(diagnostic({ code: "asset-extra-config-invalid", message: `${file} has no "image" mapping`, file, at: yaml.locate(["image"]) }));
  const context = isObject(img["context"]) ? img["context"] : undefined;
  const dir = context && typeof context["dir"] === "string" ? besideFile(file, context["dir"]) : undefined;
  const publish = isObject(img["publish"]) ? img["publish"] : undefined;
  const location = publish && typeof publish["location"] === "string" ? publish["location"] : undefined;
  const templateFiles = context && Array.isArray(context["template_files"]) ? context["template_files"].filter((f): f is string => typeof f === "string") : ["Dockerfile"];
  return {
    imageName: typeof img["name"] === "string" ? img["name"] : undefined,
    contextDir: dir,
    dockerfile: context && typeof context["dockerfile"] === "string" ? context["dockerfile"] : "Dockerfile",
    templateFiles,
    publishHostname: location ? PUBLISH_HOSTNAMES[location] : undefined,
  };
}

/**
 * model.yaml / storage.yaml `path` (config.py AssetPath, AzureBlobstoreAssetPath, GitAssetPath,
 * LocalAssetPath): where the weights or data live. A remote source is recorded by URI, never downloaded.
 */
export function weightsSourceOf(file: string, yaml: YamlFile, out: Diagnostic[]): WeightsSource | undefined {
  const p = isObject(yaml.value) ? yaml.value["path"] : undefined;
  const bad = (message: string) => out.push(diagnostic({ code: "asset-extra-config-invalid", message, file, at: yaml.locate(["path"]), path: ["path"] }));
  if (!isObject(p)) return void bad(`${file} has no "path" mapping naming where the files live`);
  const str = (k: string) => (typeof p[k] === "string" ? (p[k] as string) : undefined);
  switch (p["type"]) {
    case "azureblob": {
      const storage = str("storage_name");
      const container = str("container_name");
      const folder = str("container_path");
      if (!storage || !container) return void bad(`an azureblob path needs storage_name and container_name`);
      const uri = `https://${storage}.blob.core.windows.net/${container}${folder ? `/${folder.replace(/^\/+/, "")}` : ""}`;
      const etag = str("etag");
      return etag ? { type: "azureblob", uri, revision: etag } : { type: "azureblob", uri };
    }
    case "git": {
      const uri = str("uri");
      if (!uri) return void bad(`a git path needs a uri`);
      const revision = str("commit") ?? str("commit_hash") ?? str("branch");
      return revision ? { type: "git", uri, revision } : { type: "git", uri };
    }
    case "local": {
      const uri = str("uri");
      const local = uri ? besideFile(file, uri) : undefined;
      if (!local) return void bad(`a local path needs a uri inside the repository`);
      return { type: "local", uri: local };
    }
    default:
      return void bad(`path.type must be azureblob, git or local (the publisher's supported sources)`);
  }
}

/** `{{ key }}` (util/template.py renders these; `${{…}}` is an Azure ML expression and is left alone). */
const PLACEHOLDER = /(?<!\$)\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;

/**
 * The spec text with the placeholders that have values replaced. Each replacement keeps the line it is
 * on, so positions of diagnostics stay on the author's lines.
 */
export function renderTemplate(text: string, values: ReadonlyMap<string, string>): string {
  // update_spec.py: the build context at the repository's URL and commit is, locally, the context folder.
  const local = values.get("asset.repo.build_context.path");
  let out = local === undefined ? text : text.replace(/\{\{\s*asset\.repo\.url\s*\}\}#\{\{\s*asset\.repo\.commit_hash\s*\}\}:\{\{\s*asset\.repo\.build_context\.path\s*\}\}/g, local);
  out = out.replace(PLACEHOLDER, (whole, key: string) => values.get(key) ?? whole);
  return out;
}

/** The placeholders of a text (not `${{…}}` expressions), with their positions. */
export function placeholdersIn(text: string): { placeholder: string; key: string; at: SourcePosition }[] {
  const found: { placeholder: string; key: string; at: SourcePosition }[] = [];
  let line = 1;
  let lineStart = 0;
  let scanned = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    for (let i = text.indexOf("\n", scanned); i !== -1 && i < match.index; i = text.indexOf("\n", i + 1)) {
      line++;
      lineStart = i + 1;
    }
    scanned = match.index;
    found.push({ placeholder: match[0], key: match[1] ?? "", at: { line, column: match.index - lineStart + 1 } });
  }
  return found;
}

/**
 * One asset of the layout: what its asset.yaml and extra config say. The spec is rendered from it only when
 * needed (`render`); `fingerprint` names every input of that rendering besides the spec file itself, so that
 * a checked spec can be kept while neither changes.
 */
export interface DeclaredAsset {
  declaration: AssetDeclaration;
  fingerprint: string;
  weights: WeightsSource | undefined;
  /** The rendered spec, parsed, its value completed (version, name, where the weights are). */
  render(): Promise<YamlFile>;
  /** Description and tags from files, as update_spec.py does after rendering. */
  finish(manifest: Manifest): Promise<Manifest>;
}

/** Network-resolved pins the publisher fills into template files (environment/pin_versions.py). */
const NETWORK_PINS = /\{\{\s*(latest-image-tag|latest-pypi-version)\s*\}\}/g;

/** The folder of `to` relative to the folder of `file`, `.` for the same folder. */
function relativeTo(file: string, to: string): string {
  return path.posix.relative(path.posix.dirname(file), to) || ".";
}

/**
 * Reads an asset.yaml and the extra config its spec is rendered from. Undefined when the file is not of
 * this layout; diagnostics are located in the asset.yaml, the extra config or its template files.
 */
export async function declareAsset(
  tree: SourceTree,
  file: string,
  exists: (file: string) => boolean,
  parsed?: ParsedTexts,
): Promise<{ asset?: DeclaredAsset; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const read = await readYaml(tree, file, parsed);
  if (!("yaml" in read)) return { diagnostics: "diagnostic" in read ? [read.diagnostic] : [] };
  const assetYaml = read.yaml;
  const declaration = declarationOf(file, assetYaml, diagnostics);
  if (!declaration) return { diagnostics };
  const missing = (key: string, target: string) =>
    diagnostics.push(
      diagnostic({ code: "asset-file-missing", message: `"${key}" names ${target}, which does not exist`, file, at: assetYaml.locate([key]), path: [key], hint: `paths in ${ASSET_FILE} are relative to its folder` }),
    );
  if (!exists(declaration.spec)) {
    missing("spec", declaration.spec);
    return { diagnostics };
  }
  const specFile = declaration.spec;
  const values = new Map<string, string>();
  if (declaration.name !== undefined) values.set("asset.name", declaration.name);
  if (declaration.version !== undefined) values.set("asset.version", declaration.version);

  let weights: WeightsSource | undefined;
  let modelDescription: string | undefined;
  let extraText = "";
  if (declaration.extraConfig !== undefined) {
    if (!exists(declaration.extraConfig)) {
      missing("extra_config", declaration.extraConfig);
      return { diagnostics };
    }
    const extra = await readYaml(tree, declaration.extraConfig, parsed);
    if (!("yaml" in extra)) return { diagnostics: [...diagnostics, ...("diagnostic" in extra ? [extra.diagnostic] : [])] };
    extraText = extra.yaml.text;
    diagnostics.push(...extra.yaml.diagnostics.filter((d) => d.code !== "template-placeholder"));
    if (declaration.type === "environment") {
      const environment = environmentConfigOf(declaration.extraConfig, extra.yaml, diagnostics);
      if (environment.imageName !== undefined) values.set("image.name", environment.imageName);
      if (environment.contextDir !== undefined) {
        if (!exists(`${environment.contextDir}/${environment.dockerfile}`)) {
          diagnostics.push(
            diagnostic({
              code: "asset-file-missing",
              message: `the build context ${environment.contextDir} has no ${environment.dockerfile}`,
              file: declaration.extraConfig,
              at: extra.yaml.locate(["image", "context"]),
              path: ["image", "context"],
            }),
          );
        }
        const context = relativeTo(specFile, environment.contextDir);
        values.set("image.context.path", context);
        values.set("image.dockerfile.path", environment.dockerfile);
        values.set("asset.repo.build_context.path", context);
        diagnostics.push(...(await networkPins(tree, environment, declaration.extraConfig, exists)));
      }
      if (environment.publishHostname !== undefined) values.set("image.publish.hostname", environment.publishHostname);
    } else if (declaration.type === "model" || declaration.type === "data") {
      weights = weightsSourceOf(declaration.extraConfig, extra.yaml, diagnostics);
      const publish = isObject(extra.yaml.value) ? extra.yaml.value["publish"] : undefined;
      const description = isObject(publish) && typeof publish["description"] === "string" ? besideFile(declaration.extraConfig, publish["description"]) : undefined;
      if (description !== undefined && exists(description)) modelDescription = description;
    }
  } else if (declaration.type === "environment") {
    diagnostics.push(diagnostic({ code: "asset-config-invalid", message: `an environment's ${ASSET_FILE} needs "extra_config" (its environment.yaml)`, file, at: assetYaml.locate([]) }));
  }

  const descriptionFile = declaration.descriptionFile ?? modelDescription;
  const fingerprint = createHash("sha256").update(`${assetYaml.text}\0${extraText}`).digest("hex").slice(0, 32);
  const render = async (): Promise<YamlFile> => {
    const text = (await readText(tree, specFile)) ?? "";
    const yaml = parseYaml(renderTemplate(text, values), specFile, { deferred: DEFERRED_PLACEHOLDERS });
    if (isObject(yaml.value)) complete(declaration, yaml.value, weights, specFile);
    return yaml;
  };
  const finish = (manifest: Manifest) => fromFiles(tree, declaration, descriptionFile, manifest, exists);
  return { asset: { declaration, fingerprint, weights, render, finish }, diagnostics };
}

async function readText(tree: SourceTree, file: string): Promise<string | undefined> {
  try {
    const decoded = decodeText(await tree.readFile(file, MAX_FILE_BYTES), file);
    return "text" in decoded ? decoded.text : undefined;
  } catch {
    return undefined;
  }
}

/** What update_spec.py does with the rendered spec: the version chosen, the name, where the weights are. */
function complete(declaration: AssetDeclaration, value: Record<string, unknown>, weights: WeightsSource | undefined, specFile: string): void {
  const version = value["version"];
  // `version: auto` with a templated version is assetctl's auto-versioning; the version is chosen by the plan.
  if (typeof version === "string" && version.includes("{{")) delete value["version"];
  else if (version === undefined && declaration.version !== undefined) value["version"] = declaration.version;
  if (value["name"] === undefined && declaration.name !== undefined) value["name"] = declaration.name;
  if (weights && (declaration.type === "model" || declaration.type === "data")) {
    // The weights live where model.yaml says; the spec's `path` (often `./`, the metadata folder) is not them.
    // A data asset's storage.yaml is the same declaration: the publisher registers the data from that
    // storage (`model/registry_utils.py` prepare_data), never from the spec's local sample folder.
    value["path"] = weights.type === "local" ? relativeTo(specFile, weights.uri) : weights.uri;
    if (weights.revision !== undefined) {
      const properties = isObject(value["properties"]) ? value["properties"] : {};
      properties["azureml-assets.source-revision"] = weights.revision;
      value["properties"] = properties;
    }
  }
}

/**
 * update_spec.py's last step: the description from `description_file`, and each tag whose value names a
 * file beside the asset.yaml replaced by the file's content. Read on every load (they are small), so a
 * kept check of the spec never hides an edit of them.
 */
async function fromFiles(tree: SourceTree, declaration: AssetDeclaration, descriptionFile: string | undefined, manifest: Manifest, exists: (file: string) => boolean): Promise<Manifest> {
  let spec = manifest.spec;
  if (descriptionFile !== undefined) {
    const text = await readText(tree, descriptionFile);
    if (text !== undefined) spec = { ...spec, description: text };
  }
  const tags = spec["tags"];
  if (isObject(tags)) {
    let changed: Record<string, unknown> | undefined;
    for (const [key, tag] of Object.entries(tags)) {
      if (typeof tag !== "string" || tag === "" || tag.includes("\n")) continue;
      const target = besideFile(declaration.file, tag);
      if (target === undefined || !exists(target)) continue;
      const text = await readText(tree, target);
      if (text !== undefined) (changed ??= { ...tags })[key] = text;
    }
    if (changed) spec = { ...spec, tags: changed };
  }
  return spec === manifest.spec ? { ...manifest, layout: "azureml-assets" } : { ...manifest, spec, layout: "azureml-assets" };
}

/** Warnings for `{{latest-image-tag}}`/`{{latest-pypi-version}}` in template files: hashed as written. */
async function networkPins(tree: SourceTree, environment: EnvironmentConfig, configFile: string, exists: (file: string) => boolean): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const name of environment.templateFiles) {
    const file = `${environment.contextDir}/${name}`;
    if (!exists(file)) continue;
    const text = await readText(tree, file);
    if (text === undefined) continue;
    const found = [...text.matchAll(NETWORK_PINS)];
    const first = found[0];
    if (first === undefined) continue;
    const pins = [...new Set(found.map((m) => m[0]))].join(", ");
    const at = placeholdersIn(text.slice(0, first.index + first[0].length)).at(-1)?.at;
    out.push(
      diagnostic({
        code: "environment-pin-unresolved",
        severity: "warning",
        message: `${file} has ${found.length} pin${found.length === 1 ? "" : "s"} (${pins}) the publisher resolves from the network at release; assetctl hashes the file as written, so the digest changes only when the template does`,
        file,
        at,
        hint: `the image these resolve to is chosen at build time, not by ${configFile}`,
      }),
    );
  }
  return out;
}
