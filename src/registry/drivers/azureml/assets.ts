// assetctl versions ↔ Azure ML asset versions. What Azure has a field for goes there (modelUri, image,
// dataUri, componentSpec, description, tags, isArchived); the rest of assetctl's record — digest, spec,
// artifacts, provenance — goes into the version's `properties` under `assetctl.`, which is how a version
// assetctl made is told from one made by `az ml`, Studio or the SDK.
import { canonicalJson, sha256 } from "../../../digest.js";
import type { AssetKind } from "../../../manifest/types.js";
import type { MutableFields, StoredVersion, VersionRecord } from "../../types.js";
import type { Json } from "./arm.js";

export const RECORD_PROPERTY = "assetctl.record";

/** The ARM collection of each kind below a workspace or registry. */
export const SEGMENTS: Record<Exclude<AssetKind, "datastore">, string> = {
  model: "models",
  environment: "environments",
  data: "data",
  component: "components",
};

/** Datastores Azure ML makes for every workspace: not assetctl's to manage. */
export const SYSTEM_DATASTORES = new Set(["workspaceblobstore", "workspacefilestore", "workspaceartifactstore", "workspaceworkingdirectory"]);

/** What assetctl stores in `assetctl.record`: the record minus what Azure keeps in its own fields. */
type StoredRecord = Omit<VersionRecord, "kind" | "name" | "version">;

export function assetctlProperties(record: VersionRecord): Record<string, string> {
  const stored: StoredRecord = {
    digest: record.digest,
    spec: record.spec,
    artifacts: record.artifacts,
    dependencies: record.dependencies,
    anonymous: record.anonymous,
    provenance: record.provenance,
    created_at: record.created_at,
    // As created: Azure's own description and tags say what they are now.
    mutable: record.mutable,
  };
  return {
    [RECORD_PROPERTY]: JSON.stringify(stored),
    "assetctl.digest": record.digest,
    "assetctl.version": record.version,
    "assetctl.commit": record.provenance.commit ?? "",
    "assetctl.manifest": record.provenance.manifest,
    "assetctl.tool_version": record.provenance.tool_version,
  };
}

/** The body of a new version: `uriOf` turns an artifact pointer into the URI Azure ML reads it from. */
export function versionBody(record: VersionRecord, uriOf: (pointer: string) => string | undefined, condaFile: string | undefined): Json {
  const spec = record.spec;
  const str = (pointer: string, value: unknown): string | undefined => uriOf(pointer) ?? (typeof value === "string" ? value : undefined);
  const common: Json = {
    description: record.mutable.description ?? null,
    tags: record.mutable.tags ?? {},
    properties: assetctlProperties(record),
    isAnonymous: record.anonymous,
    isArchived: false,
  };
  switch (record.kind) {
    case "model":
      return { properties: { ...common, modelType: typeof spec["type"] === "string" ? spec["type"] : "custom_model", modelUri: str("/path", spec["path"]) ?? null } };
    case "data":
      return { properties: { ...common, dataType: dataType(spec["type"]), dataUri: str("/path", spec["path"]) ?? "none" } };
    case "environment": {
      const build = spec["build"] as Json | undefined;
      const body: Json = { ...common, osType: spec["os_type"] === "windows" ? "Windows" : "Linux" };
      if (typeof spec["image"] === "string") body["image"] = spec["image"];
      if (build !== undefined) {
        body["build"] = { contextUri: str("/build/path", build["path"]) ?? "none", dockerfilePath: typeof build["dockerfile_path"] === "string" ? build["dockerfile_path"] : "Dockerfile" };
      }
      if (condaFile !== undefined) body["condaFile"] = condaFile;
      return { properties: body };
    }
    case "component": {
      const componentSpec: Json = { ...spec };
      const code = str("/code", spec["code"]);
      if (code !== undefined) componentSpec["code"] = code;
      return { properties: { ...common, componentSpec } };
    }
    default:
      throw new Error(`no Azure ML version body for ${record.kind}`);
  }
}

function dataType(type: unknown): "uri_file" | "uri_folder" | "mltable" {
  return type === "uri_file" || type === "mltable" ? type : "uri_folder";
}

/** A version as Azure ML returns it → what assetctl's snapshot shows. */
export function storedVersion(kind: AssetKind, name: string, resource: Json): StoredVersion {
  const props = (resource["properties"] ?? {}) as Json;
  const version = String(resource["name"]);
  const system = (resource["systemData"] ?? {}) as Json;
  const own = ((props["properties"] ?? {}) as Record<string, string | null>)[RECORD_PROPERTY];
  const tags = (props["tags"] ?? {}) as Record<string, string>;
  const description = typeof props["description"] === "string" && props["description"] !== "" ? props["description"] : undefined;
  const mutable: MutableFields = {};
  if (description !== undefined) mutable.description = description;
  if (Object.keys(tags).length > 0) mutable.tags = { ...tags };
  const archived = props["isArchived"] === true;
  if (typeof own === "string") {
    const stored = JSON.parse(own) as StoredRecord;
    if (stored.mutable.display_name !== undefined) mutable.display_name = stored.mutable.display_name;
    const record: VersionRecord = { kind, name, version, ...stored };
    return { record, mutable, archived, updated_at: record.created_at };
  }
  // Made elsewhere: its content is what Azure holds, minus what may change.
  const content = Object.fromEntries(
    Object.entries(props).filter(([k, v]) => !["description", "tags", "isArchived", "stage", "provisioningState", "properties"].includes(k) && v !== null),
  ) as Json;
  const created = typeof system["createdAt"] === "string" ? system["createdAt"] : new Date(0).toISOString();
  const record: VersionRecord = {
    kind,
    name,
    version,
    digest: sha256(canonicalJson(content)),
    spec: JSON.parse(JSON.stringify({ azureml: content })) as VersionRecord["spec"],
    mutable: { ...mutable },
    artifacts: [],
    dependencies: [],
    anonymous: props["isAnonymous"] === true,
    provenance: { commit: null, dirty: false, branch: null, remote: null, ref: null, manifest: "", tool_version: "" },
    created_at: created,
  };
  return { record, mutable, archived, updated_at: created, unmanaged: true };
}

/** Where a version's Azure fields hold the URI of the artifact at `pointer` (as versionBody writes it). */
export function uriAt(kind: AssetKind, content: Json, pointer: string): string | undefined {
  const at = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
  if (pointer === "/path") return at(kind === "model" ? content["modelUri"] : kind === "data" ? content["dataUri"] : undefined);
  if (kind === "environment" && pointer === "/build/path") return at(((content["build"] ?? {}) as Json)["contextUri"]);
  if (kind === "component" && pointer === "/code") return at(((content["componentSpec"] ?? {}) as Json)["code"]);
  return undefined;
}

/** A version body's fields that never change, as canonical JSON: what two versions of equal content share. */
export function immutableContent(properties: Json): string {
  const MUTABLE_OR_OWN = ["description", "tags", "isArchived", "isAnonymous", "stage", "provisioningState", "properties"];
  return canonicalJson(Object.fromEntries(Object.entries(properties).filter(([k, v]) => !MUTABLE_OR_OWN.includes(k) && v !== null && v !== undefined)));
}

/** The datastore body for a datastore manifest (Azure ML keeps one per name, without versions). */
export function datastoreBody(record: VersionRecord, env: NodeJS.ProcessEnv): Json {
  const spec = record.spec;
  const common: Json = { description: record.mutable.description ?? null, tags: record.mutable.tags ?? {}, properties: assetctlProperties(record) };
  const credentials = datastoreCredentials(spec["credentials"], env);
  switch (spec["type"]) {
    case "azure_data_lake_gen2":
      return { properties: { ...common, datastoreType: "AzureDataLakeGen2", accountName: spec["account_name"], filesystem: spec["filesystem"], endpoint: spec["endpoint"] ?? null, protocol: spec["protocol"] ?? null, credentials } };
    case "azure_file":
      return { properties: { ...common, datastoreType: "AzureFile", accountName: spec["account_name"], fileShareName: spec["file_share_name"], endpoint: spec["endpoint"] ?? null, protocol: spec["protocol"] ?? null, credentials } };
    default:
      return { properties: { ...common, datastoreType: "AzureBlob", accountName: spec["account_name"] ?? null, containerName: spec["container_name"] ?? null, endpoint: spec["endpoint"] ?? null, protocol: spec["protocol"] ?? null, credentials } };
  }
}

/** `${{env.NAME}}` references become the secret itself here, in the request to Azure, and nowhere else. */
function datastoreCredentials(value: unknown, env: NodeJS.ProcessEnv): Json {
  const creds = (value ?? {}) as Json;
  const resolve = (v: unknown): string | null => {
    if (typeof v !== "string") return null;
    const match = /^\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/.exec(v);
    return match ? (env[match[1] as string] ?? null) : v;
  };
  if (creds["account_key"] !== undefined) return { credentialsType: "AccountKey", secrets: { secretsType: "AccountKey", key: resolve(creds["account_key"]) } };
  if (creds["sas_token"] !== undefined) return { credentialsType: "Sas", secrets: { secretsType: "Sas", sasToken: resolve(creds["sas_token"]) } };
  return { credentialsType: "None" };
}

export function storedDatastore(name: string, resource: Json): StoredVersion | undefined {
  const props = (resource["properties"] ?? {}) as Json;
  if (props["isDefault"] === true || SYSTEM_DATASTORES.has(name)) return undefined;
  const stored = storedVersion("datastore", name, { ...resource, name: "1" });
  // A datastore assetctl made keeps its version in its record.
  const own = ((props["properties"] ?? {}) as Record<string, string>)[RECORD_PROPERTY];
  if (typeof own === "string") {
    const version = ((props["properties"] ?? {}) as Record<string, string>)["assetctl.version"];
    if (version !== undefined) stored.record.version = version;
  }
  return stored;
}
