// The grammar of asset references and URIs a manifest may write where it names another asset or a file
// (Azure ML CLI v2 YAML, spec §2.4). Pure: classifies a string, never resolves or fetches anything.

/** The plural type segment of registry and ARM ids. */
export type RegistryAssetType = "models" | "data" | "environments" | "components" | "codes";

export type StorageScheme = "https" | "http" | "wasbs" | "wasb" | "abfss" | "abfs" | "adl" | "s3";

/** The workspace a long (`azureml://subscriptions/…`, `azureml:/subscriptions/…`) id names. */
export interface WorkspaceScope {
  subscription: string;
  resourceGroup: string;
  workspace: string;
}

export type ParsedReference =
  /**
   * `azureml:<name>:<version>`, `azureml:<name>@<label>`, or `azureml:<name>` — a workspace asset (or, bare,
   * a named resource such as a datastore or compute). At most one of version and label is present.
   */
  | { form: "asset"; raw: string; name: string; version?: string; label?: string }
  /** `azureml:/subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/workspaces/<ws>/<type>/<name>[/versions/<v>]` */
  | { form: "arm"; raw: string; scope: WorkspaceScope; type: string; name: string; version?: string }
  /** `azureml://registries/<registry>/<type>/<name>[/versions/<v> | /labels/<l>]` */
  | { form: "registry"; raw: string; registry: string; type: RegistryAssetType; name: string; version?: string; label?: string }
  /** `azureml://datastores/<ds>/paths/<p>` and its long form under `azureml://subscriptions/…/workspaces/<ws>/`. */
  | { form: "datastore-path"; raw: string; datastore: string; path: string; scope?: WorkspaceScope }
  /** `azureml://jobs/<job>/outputs/<output>/paths/<p>` */
  | { form: "job-output"; raw: string; job: string; output: string; path: string }
  /** `runs:/<run-id>/<path>` — an MLflow run artifact. */
  | { form: "mlflow-run"; raw: string; runId: string; path: string }
  /**
   * A storage URI. `irregular` explains a shape Azure ML documents differently but that real files use
   * (e.g. `wasbs://account.blob.core.windows.net/container/…` without `container@`): accepted with a warning.
   */
  | { form: "storage"; raw: string; scheme: StorageScheme; host: string; path: string; container?: string; irregular?: string }
  /** `git+https://…` — component code from git. */
  | { form: "git"; raw: string; url: string }
  /** `file:<path>` — an explicit local path, relative to the manifest's folder. */
  | { form: "local"; raw: string; path: string }
  /** A value with `${{…}}` — bound when the job runs (pipeline bindings, `${{name}}` macros); not resolvable here. */
  | { form: "expression"; raw: string }
  /** Written as a reference (a known prefix or a `scheme://`) but not a valid one. */
  | { form: "malformed"; raw: string; problem: string; expected: string };

const REGISTRY_TYPES: ReadonlySet<string> = new Set<RegistryAssetType>(["models", "data", "environments", "components", "codes"]);

/** Names as Azure ML accepts them in references: system assets contain dots, workspace ones `-` and `_`. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;
/** Versions and labels: anything but separators and whitespace (the service checks the rest). */
const VERSION = /^[^\s/@:]+$/;
const SEGMENT = "([^/\\s]+)";

const ASSET_FORMS = "azureml:<name>:<version>, azureml:<name>@latest or azureml://registries/<registry>/<type>/<name>/versions/<version>";

/**
 * Classifies a string written where a manifest names an asset, a file or a location.
 * Returns undefined when it is not written as a reference at all: a plain relative path or a plain name.
 */
export function parseReference(raw: string): ParsedReference | undefined {
  if (raw.startsWith("${{")) return { form: "expression", raw };
  if (raw.startsWith("azureml://")) return parseAzuremlUri(raw);
  if (raw.startsWith("azureml:/")) return parseArmId(raw);
  if (raw.startsWith("azureml:")) return parseWorkspaceAsset(raw);
  if (raw.startsWith("runs:/")) return parseRunUri(raw);
  if (raw.startsWith("git+")) return parseGit(raw);
  if (raw.startsWith("file:")) return parseFileUri(raw);
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(raw)?.[1];
  if (scheme !== undefined) return parseStorageUri(raw, scheme.toLowerCase());
  // `./out/${{name}}`: a path completed when the job runs, so nothing to look for now.
  if (raw.includes("${{")) return { form: "expression", raw };
  return undefined;
}

function malformed(raw: string, problem: string, expected: string): ParsedReference {
  return { form: "malformed", raw, problem, expected };
}

function parseWorkspaceAsset(raw: string): ParsedReference {
  const rest = raw.slice("azureml:".length);
  if (rest === "") return malformed(raw, "there is no name after azureml:", ASSET_FORMS);
  if (/\s/.test(rest)) return malformed(raw, "a reference cannot contain spaces", ASSET_FORMS);
  // Azure ML splits on the first ':' for a version (AZUREML_REGEX_FORMAT) and on the last '@' for a label.
  const colon = rest.indexOf(":");
  if (colon >= 0) {
    const name = rest.slice(0, colon);
    const version = rest.slice(colon + 1);
    if (!NAME.test(name)) return malformed(raw, invalidName(name), ASSET_FORMS);
    if (version === "") return malformed(raw, "the version after the colon is empty", ASSET_FORMS);
    if (!VERSION.test(version)) return malformed(raw, `"${version}" is not a valid version`, ASSET_FORMS);
    return { form: "asset", raw, name, version };
  }
  const at = rest.lastIndexOf("@");
  if (at >= 0) {
    const name = rest.slice(0, at);
    const label = rest.slice(at + 1);
    if (!NAME.test(name)) return malformed(raw, invalidName(name), ASSET_FORMS);
    if (label === "") return malformed(raw, "the label after @ is empty", ASSET_FORMS);
    if (!VERSION.test(label)) return malformed(raw, `"${label}" is not a valid label`, ASSET_FORMS);
    return { form: "asset", raw, name, label };
  }
  if (!NAME.test(rest)) return malformed(raw, invalidName(rest), ASSET_FORMS);
  return { form: "asset", raw, name: rest };
}

function invalidName(name: string): string {
  if (name === "") return "the name is empty";
  if (/^<.*>$/.test(name)) return `${name} is a template placeholder that was never filled in`;
  return `"${name}" is not a valid asset name (letters, digits, -, _ and .)`;
}

const ARM_ID = new RegExp(
  `^azureml:/subscriptions/${SEGMENT}/resourcegroups/${SEGMENT}/providers/microsoft\\.machinelearningservices/workspaces/${SEGMENT}/${SEGMENT}/${SEGMENT}(?:/versions/${SEGMENT})?$`,
  "i",
);

function parseArmId(raw: string): ParsedReference {
  const m = ARM_ID.exec(raw);
  if (!m) {
    return malformed(
      raw,
      "it does not follow the long-form id layout",
      "azureml:/subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.MachineLearningServices/workspaces/<workspace>/<type>/<name>/versions/<version>",
    );
  }
  const [, subscription = "", resourceGroup = "", workspace = "", type = "", name = "", version] = m;
  const ref: ParsedReference = { form: "arm", raw, scope: { subscription, resourceGroup, workspace }, type, name };
  if (version !== undefined) ref.version = version;
  return ref;
}

const REGISTRY_ID = new RegExp(`^azureml://registries/${SEGMENT}/${SEGMENT}/${SEGMENT}(?:/(versions|labels)/${SEGMENT})?$`);
const DATASTORE_PATH = new RegExp(`^azureml://datastores/${SEGMENT}/paths(?:/(.*))?$`);
const LONG_DATASTORE_PATH = new RegExp(
  `^azureml://subscriptions/${SEGMENT}/resourcegroups/${SEGMENT}/workspaces/${SEGMENT}/datastores/${SEGMENT}/paths(?:/(.*))?$`,
  "i",
);
const JOB_OUTPUT = new RegExp(`^azureml://jobs/${SEGMENT}/outputs/${SEGMENT}/paths(?:/(.*))?$`);

function parseAzuremlUri(raw: string): ParsedReference {
  const body = raw.slice("azureml://".length);
  if (body.startsWith("registries/")) {
    const m = REGISTRY_ID.exec(raw);
    const expected = "azureml://registries/<registry>/<models|data|environments|components>/<name>[/versions/<version> | /labels/<label>]";
    if (!m) return malformed(raw, "it does not follow the registry id layout", expected);
    const [, registry = "", type = "", name = "", selector, value] = m;
    if (!REGISTRY_TYPES.has(type)) return malformed(raw, `"${type}" is not a registry asset type`, expected);
    const ref: ParsedReference = { form: "registry", raw, registry, type: type as RegistryAssetType, name };
    if (selector === "versions" && value !== undefined) ref.version = value;
    if (selector === "labels" && value !== undefined) ref.label = value;
    return ref;
  }
  if (body.startsWith("datastores/")) {
    const m = DATASTORE_PATH.exec(raw);
    if (!m) return malformed(raw, "it does not follow the datastore URI layout", "azureml://datastores/<datastore>/paths/<path>");
    return { form: "datastore-path", raw, datastore: m[1] ?? "", path: m[2] ?? "" };
  }
  if (/^subscriptions\//i.test(body)) {
    const m = LONG_DATASTORE_PATH.exec(raw);
    if (!m) {
      return malformed(
        raw,
        "it does not follow the datastore URI layout",
        "azureml://subscriptions/<subscription>/resourcegroups/<group>/workspaces/<workspace>/datastores/<datastore>/paths/<path>",
      );
    }
    const [, subscription = "", resourceGroup = "", workspace = "", datastore = "", path = ""] = m;
    return { form: "datastore-path", raw, datastore, path, scope: { subscription, resourceGroup, workspace } };
  }
  if (body.startsWith("jobs/")) {
    const m = JOB_OUTPUT.exec(raw);
    if (!m) return malformed(raw, "it does not follow the job output URI layout", "azureml://jobs/<job>/outputs/<output>/paths/<path>");
    return { form: "job-output", raw, job: m[1] ?? "", output: m[2] ?? "", path: m[3] ?? "" };
  }
  return malformed(
    raw,
    "azureml:// is followed by neither registries/, datastores/, jobs/ nor subscriptions/",
    "azureml://registries/…, azureml://datastores/<datastore>/paths/<path> or azureml://jobs/<job>/outputs/<output>/paths/<path>",
  );
}

function parseRunUri(raw: string): ParsedReference {
  const m = /^runs:\/([^/\s]+)(?:\/(\S*))?$/.exec(raw);
  if (!m) return malformed(raw, "it does not follow the MLflow run URI layout", "runs:/<run-id>/<path>");
  return { form: "mlflow-run", raw, runId: m[1] ?? "", path: m[2] ?? "" };
}

function parseGit(raw: string): ParsedReference {
  const url = raw.slice("git+".length);
  if (url === "" || /\s/.test(url)) return malformed(raw, "there is no repository URL after git+", "git+https://<host>/<repo>");
  return { form: "git", raw, url };
}

function parseFileUri(raw: string): ParsedReference {
  let path = raw.slice("file:".length);
  // file:///abs → /abs; file://./x is not a thing, but file:./x is.
  if (path.startsWith("//")) path = path.slice(2);
  if (path === "") return malformed(raw, "there is no path after file:", "file:./relative/path");
  return { form: "local", raw, path };
}

const STORAGE_SCHEMES: ReadonlySet<string> = new Set<StorageScheme>(["https", "http", "wasbs", "wasb", "abfss", "abfs", "adl", "s3"]);

function parseStorageUri(raw: string, scheme: string): ParsedReference {
  const expected = "https://…, wasbs://<container>@<account>.blob.core.windows.net/<path>, abfss://<filesystem>@<account>.dfs.core.windows.net/<path>, adl://<account>.azuredatalakestore.net/<path> or s3://<bucket>/<key>";
  if (!STORAGE_SCHEMES.has(scheme)) return malformed(raw, `Azure ML does not read ${scheme}:// URIs`, expected);
  const rest = raw.slice(raw.indexOf("://") + 3);
  if (/\s/.test(rest)) return malformed(raw, "a URI cannot contain spaces", expected);
  const slash = rest.indexOf("/");
  const authority = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? "" : rest.slice(slash + 1);
  if (authority === "") return malformed(raw, `there is no host after ${scheme}://`, expected);
  const storage = { form: "storage" as const, raw, scheme: scheme as StorageScheme, path };
  switch (scheme) {
    case "wasbs":
    case "wasb":
    case "abfss":
    case "abfs": {
      const at = authority.indexOf("@");
      const service = scheme.startsWith("wasb") ? "blob" : "dfs";
      const container = scheme.startsWith("wasb") ? "container" : "filesystem";
      if (at < 0) {
        return {
          ...storage,
          host: authority,
          irregular: `has no ${container}@ before the account; the documented form is ${scheme}://<${container}>@<account>.${service}.core.windows.net/<path>`,
        };
      }
      const name = authority.slice(0, at);
      const host = authority.slice(at + 1);
      if (name === "" || host === "") return malformed(raw, `the ${container} before @ or the account after it is empty`, expected);
      return { ...storage, host, container: name };
    }
    default:
      return { ...storage, host: authority };
  }
}

/**
 * The text of a reference that is safe to print: query strings are cut, since a storage URL's query
 * may carry a SAS signature.
 */
export function displayReference(raw: string): string {
  const query = raw.indexOf("?");
  return query < 0 ? raw : `${raw.slice(0, query)}?…`;
}
