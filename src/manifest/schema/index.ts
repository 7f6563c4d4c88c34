// The schema of every manifest kind, and the JSON Schema file each is published as.
import type { z } from "zod";
import type { ManifestKind } from "../types.js";
import { commandComponentSchema } from "./command-component.js";
import { dataImportSchema } from "./data-import.js";
import { dataSchema } from "./data.js";
import { datastoreSchemas, type DatastoreType } from "./datastore.js";
import { environmentSchema } from "./environment.js";
import { modelSchema } from "./model.js";
import { pipelineComponentSchema } from "./pipeline-component.js";
import { pipelineJobSchema } from "./pipeline-job.js";
import { automlComponentSchema, parallelComponentSchema } from "./parallel-component.js";
import { sparkComponentSchema } from "./spark-component.js";

/** The schema a document of `kind` is checked against; datastores are chosen by their `type`. */
export function schemaOf(kind: Exclude<ManifestKind, "datastore">, anonymous: boolean): z.ZodType;
export function schemaOf(kind: "datastore", anonymous: boolean, datastoreType: DatastoreType): z.ZodType;
export function schemaOf(kind: ManifestKind, anonymous: boolean, datastoreType?: DatastoreType): z.ZodType {
  const variant = anonymous ? "anonymous" : "named";
  switch (kind) {
    case "model":
      return modelSchema;
    case "data":
      return dataSchema;
    case "environment":
      return environmentSchema;
    case "command_component":
      return commandComponentSchema[variant];
    case "pipeline_component":
      return pipelineComponentSchema[variant];
    case "spark_component":
      return sparkComponentSchema[variant];
    case "parallel_component":
      return parallelComponentSchema[variant];
    case "automl_component":
      return automlComponentSchema[variant];
    case "pipeline_job":
      return pipelineJobSchema;
    case "data_import":
      return dataImportSchema;
    case "datastore":
      return datastoreSchemas[datastoreType ?? "azure_blob"];
  }
}

/** One JSON Schema file per Azure ML schema name, for `# yaml-language-server: $schema=…`. */
export const PUBLISHED_SCHEMAS: Readonly<Record<string, { schema: z.ZodType; title: string }>> = {
  "model.schema.json": { schema: modelSchema, title: "Azure ML model (assetctl)" },
  "data.schema.json": { schema: dataSchema, title: "Azure ML data asset (assetctl)" },
  "environment.schema.json": { schema: environmentSchema, title: "Azure ML environment (assetctl)" },
  "commandComponent.schema.json": { schema: commandComponentSchema.named, title: "Azure ML command component (assetctl)" },
  "pipelineComponent.schema.json": { schema: pipelineComponentSchema.named, title: "Azure ML pipeline component (assetctl)" },
  "sparkComponent.schema.json": { schema: sparkComponentSchema.named, title: "Azure ML Spark component (assetctl)" },
  "parallelComponent.schema.json": { schema: parallelComponentSchema.named, title: "Azure ML parallel component (assetctl)" },
  "pipelineJob.schema.json": { schema: pipelineJobSchema, title: "Azure ML pipeline job (assetctl)" },
  "azureBlob.schema.json": { schema: datastoreSchemas.azure_blob, title: "Azure ML Azure Blob datastore (assetctl)" },
  "azureFile.schema.json": { schema: datastoreSchemas.azure_file, title: "Azure ML Azure Files datastore (assetctl)" },
  "azureDataLakeGen1.schema.json": {
    schema: datastoreSchemas.azure_data_lake_gen1,
    title: "Azure ML Azure Data Lake Gen1 datastore (assetctl)",
  },
  "azureDataLakeGen2.schema.json": {
    schema: datastoreSchemas.azure_data_lake_gen2,
    title: "Azure ML Azure Data Lake Gen2 datastore (assetctl)",
  },
  "dataImport.schema.json": { schema: dataImportSchema, title: "Azure ML data import (assetctl)" },
};
