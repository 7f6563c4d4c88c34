// Files → validated manifests, in one pass: discovery, parsing under limits, the schema of each kind, and
// the anonymity of component files that pipelines refer to by path. Never throws for user input.
import path from "node:path";
import { sortDiagnostics, type Diagnostic } from "../diagnostics.js";
import type { SourceTree } from "../source/tree.js";
import { componentFileReferences } from "./anonymous.js";
import { checkManifest } from "./check.js";
import { compileConfig, loadConfig } from "./config.js";
import { diagnostic } from "./diagnostic.js";
import { classify, isYamlFile, mapLimited, readText, unknownSchemaWarning, type Classification } from "./discover.js";
import type { DatastoreType } from "./schema/datastore.js";
import { didYouMean } from "./suggest.js";
import type { LoadResult, Manifest, ManifestKind } from "./types.js";
import { parseYamlCached } from "./parse-cache.js";
import type { YamlFile } from "./yaml.js";

export interface LoadOptions {
  /**
   * Validate only these repository-relative files or folders (`assetctl validate a.yml models/`). Other
   * files are still read where needed, e.g. the pipelines that decide whether a component is anonymous.
   */
  paths?: readonly string[];
}

/** Files read at once: enough to keep the disk busy, few enough for any file-handle limit. */
const READ_CONCURRENCY = 32;

interface Candidate {
  file: string;
  /** What `$schema`, the kinds mapping or a pipeline's reference says; components are refined by `type`. */
  declared: ManifestKind;
  source: "schema" | "mapping" | "reference";
  datastoreType?: DatastoreType | undefined;
}

const COMPONENT_KINDS: Readonly<Record<string, ManifestKind>> = {
  command: "command_component",
  pipeline: "pipeline_component",
  spark: "spark_component",
};

function isComponentKind(kind: ManifestKind): boolean {
  return kind === "command_component" || kind === "pipeline_component" || kind === "spark_component";
}

function normalizeRequest(p: string): string {
  const posix = p.replaceAll("\\", "/").replace(/^(\.\/)+/, "").replace(/\/+$/, "");
  const normal = path.posix.normalize(posix === "" ? "." : posix);
  return normal === "." ? "" : normal;
}

export async function loadManifests(tree: SourceTree, options: LoadOptions = {}): Promise<LoadResult> {
  const diagnostics: Diagnostic[] = [];
  const { config, diagnostics: configDiagnostics } = await loadConfig(tree);
  diagnostics.push(...configDiagnostics);
  const { isExcluded, mappedKind } = compileConfig(config);

  const requests = options.paths?.map(normalizeRequest);
  const isRequested = (file: string) => requests === undefined || requests.some((r) => r === "" || file === r || file.startsWith(`${r}/`));
  const namedExactly = (file: string) => requests?.includes(file) ?? false;

  const listed = await tree.listFiles();
  const yamlFiles = listed.filter(isYamlFile);
  const eligible = yamlFiles.filter((f) => !isExcluded(f));
  if (requests) diagnostics.push(...(await unmatchedRequests(tree, requests, listed, isExcluded)));

  // Every eligible YAML file is read once: its $schema line decides whether it is a manifest, and its
  // text is kept for parsing.
  const texts = new Map<string, string>();
  await mapLimited(eligible, READ_CONCURRENCY, async (file) => {
    const mapped = mappedKind(file) !== undefined;
    const result = await readText(tree, file, namedExactly(file) || mapped ? "error" : "warning");
    if ("text" in result) texts.set(file, result.text);
    else if (result.diagnostic && isRequested(file)) diagnostics.push(result.diagnostic);
  });

  const candidates = new Map<string, Candidate>();
  const classifications = new Map<string, Classification>();
  for (const [file, text] of texts) {
    const cls = classify(text, mappedKind(file));
    classifications.set(file, cls);
    if (cls.manifest) candidates.set(file, { file, declared: cls.kind, source: cls.source, datastoreType: cls.datastoreType });
  }

  const parsed = new Map<string, YamlFile>();
  const parse = (file: string): YamlFile => {
    let yaml = parsed.get(file);
    if (!yaml) parsed.set(file, (yaml = parseYamlCached(texts.get(file) ?? "", file)));
    return yaml;
  };

  // Pipelines name component files by path; those are anonymous. When only some files are validated,
  // only the pipelines that mention one of their names need reading.
  const basenames = requests ? [...new Set(eligible.filter(isRequested).map((f) => path.posix.basename(f)))] : [];
  const relevant = (file: string) => !requests || isRequested(file) || basenames.some((b) => texts.get(file)?.includes(b));
  const anonymous = new Set<string>();
  const queue = [...candidates.values()].filter((c) => (c.declared === "pipeline_job" || isComponentKind(c.declared)) && relevant(c.file));
  const scanned = new Set<string>();
  while (queue.length > 0) {
    const candidate = queue.shift() as Candidate;
    if (scanned.has(candidate.file)) continue;
    scanned.add(candidate.file);
    const kind = refinedKind(candidate, parse(candidate.file).value);
    if (kind !== "pipeline_job" && kind !== "pipeline_component") continue;
    for (const reference of componentFileReferences(candidate.file, parse(candidate.file).value)) {
      const target = reference.target;
      if (target === undefined || !texts.has(target)) continue;
      anonymous.add(target);
      if (candidates.has(target) || !relevant(target)) {
        const known = candidates.get(target);
        if (known && relevant(target)) queue.push(known);
        continue;
      }
      // A component file without $schema is still a component when a pipeline loads it as one.
      const cls = classifications.get(target);
      if (cls && !cls.manifest && cls.schema !== undefined) continue;
      const value = parse(target).value;
      const type = isObject(value) ? value["type"] : undefined;
      const declared = type === undefined ? "command_component" : typeof type === "string" ? COMPONENT_KINDS[type.toLowerCase()] : undefined;
      if (declared === undefined) continue;
      const inferred: Candidate = { file: target, declared, source: "reference" };
      candidates.set(target, inferred);
      queue.push(inferred);
    }
  }

  const manifests: Manifest[] = [];
  for (const candidate of [...candidates.values()].sort((a, b) => (a.file < b.file ? -1 : 1))) {
    if (!isRequested(candidate.file)) continue;
    const yaml = parse(candidate.file);
    diagnostics.push(...yaml.diagnostics);
    if (yaml.value === undefined) continue;
    const kind = refinedKind(candidate, yaml.value, diagnostics, yaml);
    if (kind === undefined) continue;
    const result = checkManifest({
      file: candidate.file,
      kind,
      yaml,
      anonymous: anonymous.has(candidate.file) && isComponentKind(kind),
      declaredDatastoreType: candidate.datastoreType,
    });
    diagnostics.push(...result.diagnostics);
    if (result.manifest && !yaml.diagnostics.some((d) => d.severity === "error")) manifests.push(result.manifest);
  }

  for (const [file, cls] of classifications) {
    if (cls.manifest || candidates.has(file) || !isRequested(file)) continue;
    const text = texts.get(file) ?? "";
    if (cls.schema?.class === "unknown" && cls.declaration) {
      diagnostics.push(unknownSchemaWarning(file, text, cls.declaration, cls.schema.name));
    } else if (namedExactly(file)) {
      diagnostics.push(diagnostic({ code: "not-a-manifest", severity: "warning", message: `${file} is not read as a manifest: ${cls.reason}`, file }));
    }
  }
  return { manifests, diagnostics: sortDiagnostics(diagnostics) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Azure ML picks a component's schema by its `type`, not by `$schema`: a file declared a command
 * component that says `type: pipeline` is a pipeline component. Without `type`, the declaration stands.
 */
function refinedKind(candidate: Candidate, value: unknown, out?: Diagnostic[], yaml?: YamlFile): ManifestKind | undefined {
  const declared = candidate.declared;
  if (!isComponentKind(declared) || !isObject(value)) return declared;
  const type = value["type"];
  if (typeof type !== "string") return declared;
  const kind = COMPONENT_KINDS[type.toLowerCase()];
  if (kind === undefined) {
    out?.push(
      diagnostic({
        code: "schema-enum",
        message: `"type" must be one of command, pipeline, spark, not "${type}": assetctl manages no ${type} components`,
        file: candidate.file,
        at: yaml?.locate(["type"]),
        hint: didYouMean(type.toLowerCase(), Object.keys(COMPONENT_KINDS)),
        path: ["type"],
      }),
    );
    return undefined;
  }
  if (kind !== declared && candidate.source === "schema") {
    out?.push(
      diagnostic({
        code: "schema-kind-mismatch",
        severity: "warning",
        message: `$schema names the ${declared.replace("_", " ")} schema, but type is ${type}: read as a ${kind.replace("_", " ")}, as Azure ML does`,
        file: candidate.file,
        at: yaml?.locate(["type"]),
        path: ["type"],
      }),
    );
  }
  return kind;
}

/** Requested paths that name nothing to validate: missing, excluded, or not YAML. */
async function unmatchedRequests(
  tree: SourceTree,
  requests: readonly string[],
  listed: readonly string[],
  isExcluded: (file: string) => boolean,
): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const request of requests) {
    if (request === "") continue;
    const exact = listed.includes(request);
    if (exact) {
      if (!isYamlFile(request)) {
        out.push(diagnostic({ code: "not-a-manifest", severity: "warning", message: `${request} is not a .yml or .yaml file`, file: request }));
      } else if (isExcluded(request)) {
        out.push(diagnostic({ code: "not-a-manifest", severity: "warning", message: `${request} is excluded by assetctl.yaml`, file: request }));
      }
      continue;
    }
    if (listed.some((f) => f.startsWith(`${request}/`))) continue;
    const entry = await tree.stat(request);
    if (entry === undefined) {
      out.push(diagnostic({ code: "path-not-found", message: `${request} does not exist in the repository`, file: request }));
    }
  }
  return out;
}
