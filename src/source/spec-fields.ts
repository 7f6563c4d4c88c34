// The fields of a manifest's spec that name a local file or folder (hashed as an artifact), another asset
// (a reference the planner resolves), or a local component file (an anonymous component), per kind.
// Pure: reads the spec, touches no file.
import type { AssetKind, ManifestKind } from "../manifest/types.js";

export type KeyPath = (string | number)[];

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

type SpecObject = Record<string, unknown>;

const MODEL_TYPES: ReadonlySet<string> = new Set(["custom_model", "mlflow_model", "triton_model"]);

function isObject(value: unknown): value is SpecObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `scheme:` of a URI or reference (`https:`, `azureml:`, `git+https:`, `runs:`); a drive letter is not one. */
const SCHEME = /^[a-z][a-z0-9+.-]+:/i;

/** The local path a value names, or undefined for URIs, references and `${{…}}` bindings. */
export function localPathOf(value: string): string | undefined {
  if (value.startsWith("file:")) return value.slice("file:".length) || undefined;
  if (value === "" || value.includes("${{") || SCHEME.test(value)) return undefined;
  return value;
}

/**
 * `azureml:<name>:<version>`, `azureml:<name>@<label>` or `azureml:<name>` (→ "latest"). Registry ids,
 * datastore/job URIs and long ARM ids (`azureml:/…`, `azureml://…`) are external: undefined.
 */
export function parseAssetReference(value: string): { name: string; version: string } | undefined {
  if (!value.startsWith("azureml:") || value.startsWith("azureml:/")) return undefined;
  const rest = value.slice("azureml:".length);
  // As the SDK: the version follows the first ":"; a label follows the last "@".
  const colon = rest.indexOf(":");
  if (colon >= 0) {
    const name = rest.slice(0, colon);
    const version = rest.slice(colon + 1);
    return name && version ? { name, version } : undefined;
  }
  const at = rest.lastIndexOf("@");
  if (at >= 0) {
    const name = rest.slice(0, at);
    const label = rest.slice(at + 1);
    return name && label ? { name, version: label } : undefined;
  }
  return rest ? { name: rest, version: "latest" } : undefined;
}

class Collector {
  readonly fields: SpecFields = { paths: [], references: [], componentFiles: [] };

  /** A field that holds either a local path (an artifact) or a reference to an asset of `kind`. */
  artifactOrReference(owner: SpecObject, key: string, at: KeyPath, kind: AssetKind | undefined, ignoreFiles = false): void {
    const value = owner[key];
    if (typeof value !== "string") return;
    const here = [...at, key];
    const local = localPathOf(value);
    if (local !== undefined) {
      this.fields.paths.push({ at: here, raw: value, local, ignoreFiles });
      return;
    }
    this.reference(value, here, kind);
  }

  reference(value: string, at: KeyPath, kind: AssetKind | undefined): void {
    const parsed = kind === undefined ? undefined : parseAssetReference(value);
    if (parsed && kind) this.fields.references.push({ at, raw: value, kind, ...parsed });
  }

  /** Datastores are named by a bare word or `azureml:<name>`; either refers to the datastore asset. */
  datastore(owner: SpecObject, at: KeyPath): void {
    const value = owner["datastore"];
    if (typeof value !== "string" || value === "" || value.includes("${{")) return;
    const name = value.startsWith("azureml:") ? value.slice("azureml:".length) : value;
    if (name === "" || name.includes("/") || name.includes(":")) return;
    this.fields.references.push({ at: [...at, "datastore"], raw: value, kind: "datastore", name, version: "latest" });
  }

  environmentBody(env: SpecObject, at: KeyPath): void {
    const build = env["build"];
    if (isObject(build)) this.artifactOrReference(build, "path", [...at, "build"], undefined);
    // An inline conda mapping is data, not a path.
    this.artifactOrReference(env, "conda_file", at, undefined);
  }

  /** `environment:` as a reference, a `file:` path, or an inline (anonymous) environment. */
  environmentField(owner: SpecObject, at: KeyPath): void {
    const env = owner["environment"];
    if (typeof env === "string") {
      // A bare word here is a name, not a path: only `file:` makes it local.
      if (env.startsWith("file:")) this.artifactOrReference(owner, "environment", at, undefined);
      else this.reference(env, [...at, "environment"], "environment");
    } else if (isObject(env)) {
      this.environmentBody(env, [...at, "environment"]);
    }
  }

  component(component: SpecObject, at: KeyPath): void {
    this.artifactOrReference(component, "code", at, undefined, true);
    const includes = component["additional_includes"];
    if (Array.isArray(includes)) {
      includes.forEach((include, index) => {
        const local = typeof include === "string" ? localPathOf(include) : undefined;
        if (local !== undefined) {
          this.fields.paths.push({ at: [...at, "additional_includes", index], raw: include as string, local, ignoreFiles: true });
        }
      });
    }
    this.environmentField(component, at);
    if (isObject(component["jobs"])) this.jobs(component, at);
  }

  jobs(owner: SpecObject, at: KeyPath): void {
    const jobs = owner["jobs"];
    if (!isObject(jobs)) return;
    for (const [step, node] of Object.entries(jobs)) {
      if (isObject(node)) this.node(node, [...at, "jobs", step]);
    }
  }

  node(node: SpecObject, at: KeyPath): void {
    for (const key of ["component", "trial"] as const) {
      const value = node[key];
      if (typeof value === "string") {
        const local = localPathOf(value);
        if (local !== undefined) this.fields.componentFiles.push({ at: [...at, key], raw: value, local });
        else this.reference(value, [...at, key], "component");
      } else if (isObject(value)) {
        this.component(value, [...at, key]);
      }
    }
    // An inline command job (no component) and a parallel node's task carry their own code and environment.
    this.artifactOrReference(node, "code", at, undefined, true);
    this.environmentField(node, at);
    const task = node["task"];
    if (isObject(task)) {
      this.artifactOrReference(task, "code", [...at, "task"], undefined, true);
      this.environmentField(task, [...at, "task"]);
    }
    this.inputs(node, at);
  }

  /** Inputs given as `{type, path}` name data or a model, by their type. */
  inputs(owner: SpecObject, at: KeyPath): void {
    const inputs = owner["inputs"];
    if (!isObject(inputs)) return;
    for (const [name, input] of Object.entries(inputs)) {
      if (!isObject(input)) continue;
      const type = typeof input["type"] === "string" ? input["type"] : "uri_folder";
      this.artifactOrReference(input, "path", [...at, "inputs", name], MODEL_TYPES.has(type) ? "model" : "data");
    }
  }
}

export function specFields(kind: ManifestKind, spec: SpecObject): SpecFields {
  const c = new Collector();
  switch (kind) {
    case "model":
    case "data":
      c.artifactOrReference(spec, "path", [], kind);
      c.datastore(spec, []);
      break;
    case "environment":
      c.environmentBody(spec, []);
      break;
    case "command_component":
    case "spark_component":
    case "automl_component":
      c.component(spec, []);
      break;
    case "parallel_component":
      // The code and environment of a parallel component are its task's (azure-ai-ml parallel_task.py).
      if (isObject(spec["task"])) c.component(spec["task"], ["task"]);
      break;
    case "pipeline_component":
    case "pipeline_job":
      c.jobs(spec, []);
      c.inputs(spec, []);
      if (typeof spec["component"] === "string") c.node({ component: spec["component"] }, []);
      break;
    case "datastore":
    case "data_import":
      break;
  }
  return c.fields;
}
