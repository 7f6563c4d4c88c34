// What a `$schema` URL says a file is: one of the Azure ML schemas assetctl manages, another Azure ML
// schema (endpoints, computes, jobs other than pipelines…) that it leaves alone, or something else.
import type { DatastoreType } from "./schema/datastore.js";
import type { ManifestKind } from "./types.js";

export type SchemaClass =
  | { class: "managed"; kind: ManifestKind; name: string; datastoreType?: DatastoreType }
  | { class: "unmanaged"; name: string }
  | { class: "unknown"; name: string };

/** Azure ML schema names (lower-cased, without `.schema.json`) → manifest kind. */
const MANAGED: ReadonlyMap<string, { kind: ManifestKind; datastoreType?: DatastoreType }> = new Map([
  ["model", { kind: "model" }],
  ["data", { kind: "data" }],
  ["environment", { kind: "environment" }],
  ["commandcomponent", { kind: "command_component" }],
  ["pipelinecomponent", { kind: "pipeline_component" }],
  ["sparkcomponent", { kind: "spark_component" }],
  ["parallelcomponent", { kind: "parallel_component" }],
  ["pipelinejob", { kind: "pipeline_job" }],
  ["dataimport", { kind: "data_import" }],
  ["azureblob", { kind: "datastore", datastoreType: "azure_blob" }],
  ["azurefile", { kind: "datastore", datastoreType: "azure_file" }],
  ["azuredatalakegen1", { kind: "datastore", datastoreType: "azure_data_lake_gen1" }],
  ["azuredatalakegen2", { kind: "datastore", datastoreType: "azure_data_lake_gen2" }],
]);

/** The spelling of each managed schema name, for "did you mean". */
export const MANAGED_SCHEMA_NAMES: readonly string[] = [
  "model",
  "data",
  "environment",
  "commandComponent",
  "pipelineComponent",
  "sparkComponent",
  "pipelineJob",
  "dataImport",
  "azureBlob",
  "azureFile",
  "azureDataLakeGen1",
  "azureDataLakeGen2",
];

/** Other Azure ML schemas: real files of an Azure ML repository that are not assets assetctl manages. */
const UNMANAGED: ReadonlySet<string> = new Set([
  "registry",
  "workspace",
  "featureset",
  "featuresetspec",
  "featurestore",
  "featurestoreentity",
  "mltable",
  "mlmodel",
  "flow",
  "run",
  "code",
  "index",
  "onelake",
  "marketplacesubscription",
  "capabilityhost",
  "evaluation",
  "azurestorage",
]);
/** Families of unmanaged schemas, by the end of their name (`commandJob`, `managedOnlineEndpoint`, …). */
const UNMANAGED_SUFFIXES = ["job", "component", "endpoint", "deployment", "compute", "computeinstance", "connection", "workspace", "schedule", "machine"];

const AZURE_ML_HOSTS: ReadonlySet<string> = new Set([
  "azuremlschemas.azureedge.net",
  "azuremlschemasprod.azureedge.net",
  "azuremlsdk2.blob.core.windows.net",
  "azureml",
]);

/** `…/latest/commandComponent.schema.json` → `commandcomponent`. */
function schemaName(url: string): string {
  const last = url.split(/[?#]/)[0]?.split("/").pop() ?? "";
  return last.replace(/\.schema\.json$/i, "").replace(/\.json$/i, "").toLowerCase();
}

function host(url: string): string | undefined {
  return /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)/i.exec(url.trim())?.[1]?.toLowerCase();
}

export function classifySchemaName(name: string): SchemaClass {
  const key = name.toLowerCase();
  const managed = MANAGED.get(key);
  if (managed) return { class: "managed", name, ...managed };
  if (UNMANAGED.has(key) || UNMANAGED_SUFFIXES.some((s) => key.endsWith(s)) || key.startsWith("automl")) {
    return { class: "unmanaged", name };
  }
  return { class: "unknown", name };
}

/**
 * Classifies a schema URL. Undefined when it is not an Azure ML schema at all; assetctl's own published
 * schemas (`schemas/model.schema.json`, wherever they are served from) count as the Azure ML ones.
 */
export function classifySchemaUrl(url: string): SchemaClass | undefined {
  const name = schemaName(url);
  const h = host(url);
  if (h !== undefined && AZURE_ML_HOSTS.has(h)) return classifySchemaName(name);
  if (/\.schema\.json$/i.test(url.trim())) {
    const cls = classifySchemaName(name);
    return cls.class === "managed" ? cls : undefined;
  }
  return undefined;
}
