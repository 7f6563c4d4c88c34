// Data imports (`http://azureml/sdk-2-0/DataImport.json`, `az ml data import`): a data asset filled from a
// database query or an external file system through a workspace connection. Validated, never applied.
import { z } from "zod";
import { ciEnum, nameField, omitKeys, READ_ONLY_ASSET_KEYS, readOnly, scalarTags, text, versionField } from "./common.js";
import { DATA_NAME_PATTERN } from "./data.js";

const source = z
  .strictObject({
    type: ciEnum(["database", "file_system"]),
    connection: z.string().min(1),
    query: z.string().min(1).optional(),
    path: z.string().min(1).optional(),
  })
  .superRefine((s, ctx) => {
    const needed = s.type === "database" ? "query" : "path";
    const other = s.type === "database" ? "path" : "query";
    if (s[needed] === undefined) {
      ctx.addIssue({ code: "custom", path: [], message: `a ${s.type} source needs "${needed}"`, params: { code: "schema-required" } });
    }
    if (s[other] !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: [other],
        message: `"${other}" does not apply to a ${s.type} source`,
        params: { code: "schema-unknown-key", at: "key" },
      });
    }
  });

export const dataImportSchema = z
  .strictObject({
    $schema: z.string().optional(),
    type: z.enum(["mltable", "uri_folder"]),
    name: nameField(DATA_NAME_PATTERN),
    version: versionField.optional(),
    description: text.optional(),
    tags: scalarTags.optional(),
    source,
    /** Where the imported data lands, usually `azureml://datastores/<ds>/paths/<p>/${{name}}`. */
    path: z.string().min(1),
    auto_delete_setting: z
      .strictObject({
        condition: ciEnum(["created_greater_than", "last_accessed_greater_than"]),
        value: z.string().min(1),
      })
      .optional(),
    id: readOnly,
    creation_context: readOnly,
    latest_version: readOnly,
  })
  .transform(omitKeys(["$schema", ...READ_ONLY_ASSET_KEYS]));
