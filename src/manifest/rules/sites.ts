// Every place in a manifest that names a file, a folder or another asset, with the role that decides
// what may be written there — the one walk over the spec shared by the path, reference and duplicate rules.
import path from "node:path";
import type { Manifest } from "../types.js";
import type { KeyPath } from "./rule.js";
import { parseReference } from "./reference.js";
import { entriesOf, isSpecObject, objectAt, stringAt, type SpecObject } from "./spec.js";

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
}

const MODEL_TYPES: ReadonlySet<string> = new Set(["custom_model", "mlflow_model", "triton_model"]);

/** Sites per manifest, found once: several rules walk the same specs, which are never changed. */
const found = new WeakMap<Manifest, readonly Site[]>();

export function sitesOf(manifest: Manifest): readonly Site[] {
  let sites = found.get(manifest);
  if (sites === undefined) {
    sites = findSites(manifest);
    found.set(manifest, sites);
  }
  return sites;
}

function findSites(manifest: Manifest): Site[] {
  const sites: Site[] = [];
  const spec = manifest.spec;
  switch (manifest.kind) {
    case "model":
      addArtifact(sites, spec, ["path"], "model", stringAt(spec, "type") ?? "custom_model");
      addString(sites, spec, ["datastore"], "datastore");
      break;
    case "data":
      addArtifact(sites, spec, ["path"], "data", stringAt(spec, "type") ?? "uri_folder");
      addString(sites, spec, ["datastore"], "datastore");
      break;
    case "data_import":
      addString(sites, spec, ["path"], "output");
      break;
    case "environment":
      environmentSites(sites, spec, []);
      break;
    case "command_component":
    case "spark_component":
    case "automl_component":
      componentSites(sites, spec, []);
      break;
    case "parallel_component":
      if (typeof spec["task"] === "object" && spec["task"] !== null && !Array.isArray(spec["task"])) componentSites(sites, spec["task"] as SpecObject, ["task"]);
      break;
    case "pipeline_component":
    case "pipeline_job":
      pipelineSites(sites, spec);
      break;
    case "datastore":
      break;
  }
  return sites;
}

function addString(sites: Site[], parent: unknown, path: KeyPath, role: SiteRole): void {
  const key = path[path.length - 1];
  if (typeof key !== "string") return;
  const value = stringAt(parent, key);
  if (value !== undefined) sites.push({ path, value, role });
}

function addArtifact(sites: Site[], parent: unknown, path: KeyPath, role: "model" | "data", assetType: string | undefined): void {
  const key = path[path.length - 1];
  if (typeof key !== "string") return;
  const value = stringAt(parent, key);
  if (value === undefined) return;
  sites.push(assetType === undefined ? { path, value, role } : { path, value, role, assetType });
}

function environmentSites(sites: Site[], env: SpecObject, at: KeyPath): void {
  const build = objectAt(env, "build");
  if (build) addString(sites, build, [...at, "build", "path"], "build-context");
  // An inline conda mapping is data, not a path.
  addString(sites, env, [...at, "conda_file"], "conda-file");
}

/** An environment field: a reference string or an inline (anonymous) environment. */
function environmentField(sites: Site[], owner: SpecObject, at: KeyPath): void {
  const env = owner["environment"];
  if (typeof env === "string") sites.push({ path: [...at, "environment"], value: env, role: "environment" });
  else if (isSpecObject(env)) environmentSites(sites, env, [...at, "environment"]);
}

function componentSites(sites: Site[], component: SpecObject, at: KeyPath): void {
  addString(sites, component, [...at, "code"], "code");
  const includes = component["additional_includes"];
  if (Array.isArray(includes)) {
    includes.forEach((include, index) => {
      if (typeof include === "string") sites.push({ path: [...at, "additional_includes", index], value: include, role: "include" });
    });
  }
  environmentField(sites, component, at);
  // An inline pipeline component inside a node is not supported by Azure ML, but its steps still name files.
  if (isSpecObject(component["jobs"])) jobsSites(sites, component, at);
}

function pipelineSites(sites: Site[], spec: SpecObject): void {
  addString(sites, spec, ["component"], "component");
  portSites(sites, spec, []);
  const settings = objectAt(spec, "settings");
  if (settings) addString(sites, settings, ["settings", "default_datastore"], "datastore");
  jobsSites(sites, spec, []);
}

function jobsSites(sites: Site[], owner: SpecObject, at: KeyPath): void {
  for (const [step, node] of entriesOf(owner["jobs"])) {
    if (isSpecObject(node)) nodeSites(sites, node, [...at, "jobs", step]);
  }
}

/** Job and node `inputs`/`outputs` given as `{type, path}`: the path names data, a model, or a destination. */
function portSites(sites: Site[], owner: SpecObject, at: KeyPath): void {
  for (const [name, input] of entriesOf(owner["inputs"])) {
    // An input without a type takes whatever its component port expects: a model folder as well as data.
    const type = stringAt(input, "type");
    addArtifact(sites, input, [...at, "inputs", name, "path"], type !== undefined && MODEL_TYPES.has(type) ? "model" : "data", type);
  }
  for (const [name, output] of entriesOf(owner["outputs"])) {
    addString(sites, output, [...at, "outputs", name, "path"], "output");
  }
}

function nodeSites(sites: Site[], node: SpecObject, at: KeyPath): void {
  for (const key of ["component", "trial"] as const) {
    const value = node[key];
    if (typeof value === "string") sites.push({ path: [...at, key], value, role: "component" });
    else if (isSpecObject(value)) componentSites(sites, value, [...at, key]);
  }
  // An inline command job (no component) and a parallel node's task carry their own code and environment.
  addString(sites, node, [...at, "code"], "code");
  environmentField(sites, node, at);
  const task = objectAt(node, "task");
  if (task) {
    addString(sites, task, [...at, "task", "code"], "code");
    environmentField(sites, task, [...at, "task"]);
  }
  portSites(sites, node, at);
}

/**
 * The local path a site names, as written (without a `file:` prefix), or undefined when the site names
 * something remote, a binding, or a registered asset. Environment, datastore and output sites are local
 * only with an explicit `file:`, since a bare word there is a name, not a path.
 */
export function localPathOf(site: Site): string | undefined {
  const parsed = parseReference(site.value);
  if (parsed === undefined) {
    return site.role === "environment" || site.role === "datastore" || site.role === "output" ? undefined : site.value;
  }
  if (parsed.form === "local") return site.role === "datastore" || site.role === "output" ? undefined : parsed.path;
  return undefined;
}

/** The repository-relative folder a manifest's relative paths resolve against ("" for the root). */
export function folderOf(file: string): string {
  const dir = path.posix.dirname(file);
  return dir === "." ? "" : dir;
}
