// The schema of assetctl.yaml (zod), apart from the loader so that a run with no file to check never loads
// zod; the JSON Schema for editors is generated from it too.
import { z } from "zod";
import { classifySchemaName, MANAGED_SCHEMA_NAMES } from "./schema-url.js";
import type { DatastoreType } from "./schema/datastore.js";
import { didYouMean } from "./suggest.js";
import type { ManifestKind } from "./types.js";

const MANIFEST_KINDS: readonly ManifestKind[] = [
  "model",
  "data",
  "environment",
  "command_component",
  "pipeline_component",
  "spark_component",
  "parallel_component",
  "automl_component",
  "datastore",
  "pipeline_job",
  "data_import",
];

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  exclude: z.array(z.string().min(1)).default([]).meta({ description: "Globs of files that are never manifests." }),
  kinds: z
    .record(
      z.string().min(1),
      z.string().superRefine((name, ctx) => {
        if (kindFromName(name)) return;
        ctx.addIssue({
          code: "custom",
          message: `"${name}" is not a manifest kind`,
          params: { code: "schema-enum", hint: didYouMean(name, [...MANIFEST_KINDS, ...MANAGED_SCHEMA_NAMES]) ?? `one of ${MANIFEST_KINDS.join(", ")}` },
        });
      }),
    )
    .default({})
    .meta({ description: "Glob → kind, for manifests without $schema (e.g. command_component or commandComponent)." }),
  layouts: z
    .strictObject({
      "azureml-assets": z
        .union([z.boolean(), z.array(z.string().min(1))])
        .default(true)
        .meta({
          description:
            "The Azure/azureml-assets layout: an asset.yaml declares one asset whose manifest is its spec file. true (default): every asset.yaml; false: none; a list of globs: only the asset.yaml files they match.",
        }),
    })
    .default({ "azureml-assets": true })
    .meta({ description: "Ways of declaring assets besides files with $schema." }),
  registry: z
    .union([z.string().min(1), z.strictObject({ records: z.string().min(1), objects: z.string().min(1) })])
    .optional()
    .meta({ description: "A registry directory or URL, or {records, objects} for a team registry." }),
});

/** `command_component`, or the Azure ML schema name `commandComponent` / `azureBlob`. */
export function kindFromName(name: string): { kind: ManifestKind; datastoreType?: DatastoreType } | undefined {
  if ((MANIFEST_KINDS as readonly string[]).includes(name)) return { kind: name as ManifestKind };
  const cls = classifySchemaName(name);
  if (cls.class !== "managed") return undefined;
  return cls.datastoreType ? { kind: cls.kind, datastoreType: cls.datastoreType } : { kind: cls.kind };
}

