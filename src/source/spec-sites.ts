// The one walk over a manifest's spec: every place that names a file, a folder or another asset, with its
// role, the reference it is written as and the local path it names. The rules judge these sites and the
// desired-state builder hashes and resolves the very same ones, so what is validated is what is hashed.
// Pure: reads the spec, touches no file.
import path from "node:path";
import type { AssetKind, ManifestKind } from "../manifest/types.js";
import { parseReference, type ParsedReference } from "./reference.js";

export type KeyPath = (string | number)[];

export type SiteRole =
  /** An artifact uploaded as a model: model `path`, a job input of a model type. */
  | "model"
  /** An artifact uploaded as data: data `path`, a job input of a data type. */
  | "data"
  /** Environment `build.path`: a Docker build context folder. */
  | "build-context"
  /** Environment `conda_file` written as a path. */
  | "conda-file"
  /** Component `code`. */
  | "code"
  /** An entry of component `additional_includes`. */
  | "include"
  /** A pipeline node's `component`/`trial`, a pipeline job's `component`. */
  | "component"
  /** A component's or node's `environment` written as a string. */
  | "environment"
  /** A datastore name: `settings.default_datastore`, model/data `datastore`. */
  | "datastore"
  /** Where a job writes: output `path`, a data import's destination. Never local. */
  | "output";

export interface Site {
  path: KeyPath;
  value: string;
  role: SiteRole;
  /**
   * For model and data sites: the declared `type` (`uri_file`, `mltable`, `mlflow_model`, …), defaults
   * applied for model and data manifests; absent for a job input that declares none.
   */
  assetType?: string;
  /** The value read by the reference grammar; absent for a plain relative path or a plain name. */
  reference?: ParsedReference;
  /** The local path the site names, as written without `file:`, relative to the manifest's folder. */
  local?: string;
}

type SpecObject = Record<string, unknown>;

const MODEL_TYPES: ReadonlySet<string> = new Set(["custom_model", "mlflow_model", "triton_model"]);

function isObject(value: unknown): value is SpecObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The local path a value in a field of `role` names, or undefined when it names something remote, a
 * binding, a registered asset or nothing. Environment fields are local only with an explicit `file:`,
 * since a bare word there is a name; datastore and output fields never are.
 */
export function localPathIn(role: SiteRole, value: string, reference: ParsedReference | undefined = parseReference(value)): string | undefined {
  if (role === "datastore" || role === "output") return undefined;
  if (reference === undefined) return role === "environment" || value === "" ? undefined : value;
  return reference.form === "local" ? reference.path : undefined;
}

/** The repository-relative folder a manifest's relative paths resolve against ("" for the root). */
export function folderOf(file: string): string {
  const dir = path.posix.dirname(file);
  return dir === "." ? "" : dir;
}

/** Sites per manifest spec, found once: the rules and the builder walk the same specs, which are never changed. */
const found = new WeakMap<object, { kind: ManifestKind; sites: readonly Site[] }>();

/** The sites of a manifest, remembered for its (never changed) spec. */
export function sitesOf(manifest: { kind: ManifestKind; spec: SpecObject }): readonly Site[] {
  const known = found.get(manifest.spec);
  if (known !== undefined && known.kind === manifest.kind) return known.sites;
  const sites = specSites(manifest.kind, manifest.spec);
  found.set(manifest.spec, { kind: manifest.kind, sites });
  return sites;
}

/** The sites of a spec read as a manifest of `kind`, in document order within each part of it. */
export function specSites(kind: ManifestKind, spec: SpecObject): Site[] {
  const walk = new Walk();
  walk.manifest(kind, spec);
  return walk.sites;
}

/** The asset of the repository's kinds a site names by `azureml:<name>[:<version> | @<label>]` or a bare datastore name. */
export function assetReferenceOf(site: Site): { kind: AssetKind; name: string; version: string } | undefined {
  const ref = site.reference;
  if (site.role === "datastore") {
    if (ref === undefined) return /^[^/:\s]+$/.test(site.value) ? { kind: "datastore", name: site.value, version: "latest" } : undefined;
    // Datastores are not versioned: a version there is the references rule's to report.
    return ref.form === "asset" && ref.version === undefined && ref.label === undefined ? { kind: "datastore", name: ref.name, version: "latest" } : undefined;
  }
  const kind = REFERENCE_KINDS[site.role];
  if (kind === undefined || ref?.form !== "asset") return undefined;
  return { kind, name: ref.name, version: ref.version ?? ref.label ?? "latest" };
}

/** The kind of asset an `azureml:` reference in a field of each role names, where the repository defines that kind. */
const REFERENCE_KINDS: Partial<Record<SiteRole, AssetKind>> = { model: "model", data: "data", environment: "environment", component: "component" };

/** Component code and its includes honour `.amlignore` / `.gitignore` inside the folder. */
export function honoursIgnoreFiles(site: Site): boolean {
  return site.role === "code" || site.role === "include";
}

class Walk {
  readonly sites: Site[] = [];

  manifest(kind: ManifestKind, spec: SpecObject): void {
    switch (kind) {
      case "model":
        this.artifact(spec, [], "model", typeof spec["type"] === "string" ? spec["type"] : "custom_model");
        this.string(spec, [], "datastore", "datastore");
        break;
      case "data":
        this.artifact(spec, [], "data", typeof spec["type"] === "string" ? spec["type"] : "uri_folder");
        this.string(spec, [], "datastore", "datastore");
        break;
      case "data_import":
        this.string(spec, [], "path", "output");
        break;
      case "environment":
        this.environmentBody(spec, []);
        break;
      case "command_component":
      case "spark_component":
      case "automl_component":
        this.component(spec, []);
        break;
      case "parallel_component":
        // The code and environment of a parallel component are its task's (azure-ai-ml parallel_task.py).
        if (isObject(spec["task"])) this.component(spec["task"], ["task"]);
        break;
      case "pipeline_component":
      case "pipeline_job":
        this.jobs(spec, []);
        this.ports(spec, []);
        this.string(spec, [], "component", "component");
        if (isObject(spec["settings"])) this.string(spec["settings"], ["settings"], "default_datastore", "datastore");
        break;
      case "datastore":
        break;
    }
  }

  private add(path: KeyPath, value: string, role: SiteRole, assetType?: string): void {
    const reference = parseReference(value);
    const local = localPathIn(role, value, reference);
    const site: Site = { path, value, role };
    if (assetType !== undefined) site.assetType = assetType;
    if (reference !== undefined) site.reference = reference;
    if (local !== undefined) site.local = local;
    this.sites.push(site);
  }

  private string(owner: SpecObject, at: KeyPath, key: string, role: SiteRole): void {
    const value = owner[key];
    if (typeof value === "string") this.add([...at, key], value, role);
  }

  private artifact(owner: SpecObject, at: KeyPath, role: "model" | "data", assetType: string | undefined): void {
    const value = owner["path"];
    if (typeof value === "string") this.add([...at, "path"], value, role, assetType);
  }

  private environmentBody(env: SpecObject, at: KeyPath): void {
    if (isObject(env["build"])) this.string(env["build"], [...at, "build"], "path", "build-context");
    // An inline conda mapping is data, not a path.
    this.string(env, at, "conda_file", "conda-file");
  }

  /** `environment:` as a reference, a `file:` path, or an inline (anonymous) environment. */
  private environmentField(owner: SpecObject, at: KeyPath): void {
    const env = owner["environment"];
    if (typeof env === "string") this.add([...at, "environment"], env, "environment");
    else if (isObject(env)) this.environmentBody(env, [...at, "environment"]);
  }

  private component(component: SpecObject, at: KeyPath): void {
    this.string(component, at, "code", "code");
    const includes = component["additional_includes"];
    if (Array.isArray(includes)) {
      includes.forEach((include, index) => {
        if (typeof include === "string") this.add([...at, "additional_includes", index], include, "include");
      });
    }
    this.environmentField(component, at);
    // An inline pipeline component inside a node is not supported by Azure ML, but its steps still name files.
    if (isObject(component["jobs"])) this.jobs(component, at);
  }

  private jobs(owner: SpecObject, at: KeyPath): void {
    const jobs = owner["jobs"];
    if (!isObject(jobs)) return;
    for (const [step, node] of Object.entries(jobs)) {
      if (isObject(node)) this.node(node, [...at, "jobs", step]);
    }
  }

  private node(node: SpecObject, at: KeyPath): void {
    for (const key of ["component", "trial"] as const) {
      const value = node[key];
      if (typeof value === "string") this.add([...at, key], value, "component");
      else if (isObject(value)) this.component(value, [...at, key]);
    }
    // An inline command job (no component) and a parallel node's task carry their own code and environment.
    this.string(node, at, "code", "code");
    this.environmentField(node, at);
    const task = node["task"];
    if (isObject(task)) {
      this.string(task, [...at, "task"], "code", "code");
      this.environmentField(task, [...at, "task"]);
    }
    this.ports(node, at);
  }

  /** Job and node `inputs`/`outputs` given as `{type, path}`: the path names data, a model, or a destination. */
  private ports(owner: SpecObject, at: KeyPath): void {
    const inputs = owner["inputs"];
    if (isObject(inputs)) {
      for (const [name, input] of Object.entries(inputs)) {
        if (!isObject(input)) continue;
        // An input without a type takes whatever its component port expects: a model folder as well as data.
        const type = typeof input["type"] === "string" ? input["type"] : undefined;
        this.artifact(input, [...at, "inputs", name], type !== undefined && MODEL_TYPES.has(type) ? "model" : "data", type);
      }
    }
    const outputs = owner["outputs"];
    if (isObject(outputs)) {
      for (const [name, output] of Object.entries(outputs)) {
        if (isObject(output)) this.string(output, [...at, "outputs", name], "path", "output");
      }
    }
  }
}
