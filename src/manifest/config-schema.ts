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

/** `30d`, `12h`, `2w`, `90m`: how long, for retention (`0d`: no time at all). */
export const DURATION_PATTERN = /^(0|[1-9][0-9]*)(m|h|d|w)$/;

const duration = (description: string) =>
  z
    .string()
    .superRefine((text, ctx) => {
      if (DURATION_PATTERN.test(text)) return;
      ctx.addIssue({ code: "custom", message: `"${text}" is not a duration`, params: { code: "config-duration-invalid", hint: "write a whole number and a unit: 90m, 12h, 30d or 2w" } });
    })
    .meta({ description, pattern: DURATION_PATTERN.source });

const keepRules = {
  keep_last: z.number().int().min(1).optional().meta({ description: "The newest N versions of each asset are kept (default 10)." }),
  keep_within: duration("Versions created within this time are kept (default 30d).").optional(),
};

const retentionSchema = z
  .strictObject({
    ...keepRules,
    kinds: z
      .partialRecord(z.enum(["model", "data", "environment", "component", "datastore"]), z.strictObject(keepRules))
      .default({})
      .meta({ description: "Per asset kind, keep_last and keep_within in place of the defaults above." }),
    alias_history: duration("A version an alias pointed at within this time is kept (default 90d).").optional(),
    grace: duration("Objects stored within this time are never swept, used or not (default 1d).").optional(),
    trash_days: z.number().int().min(0).optional().meta({ description: "Days swept objects stay in the trash, restorable with `gc --restore` (default 7)." }),
  })
  .meta({ description: "What `assetctl gc` keeps. A version is deleted only when no rule keeps it." });

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
  retention: retentionSchema.optional(),
});

export type RetentionBlock = z.infer<typeof retentionSchema>;

/** `command_component`, or the Azure ML schema name `commandComponent` / `azureBlob`. */
export function kindFromName(name: string): { kind: ManifestKind; datastoreType?: DatastoreType } | undefined {
  if ((MANIFEST_KINDS as readonly string[]).includes(name)) return { kind: name as ManifestKind };
  const cls = classifySchemaName(name);
  if (cls.class !== "managed") return undefined;
  return cls.datastoreType ? { kind: cls.kind, datastoreType: cls.datastoreType } : { kind: cls.kind };
}

