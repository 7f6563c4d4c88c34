// Data assets (`data.schema.json`): a file, folder or MLTable, local or at a storage URI.
import { z } from "zod";
import { nameField, omitKeys, READ_ONLY_ASSET_KEYS, readOnly, scalarTags, text, versionField } from "./common.js";

/** Azure ML does not check data names client-side; this keeps them safe as identifiers and paths. */
export const DATA_NAME_PATTERN = "^[a-zA-Z0-9][a-zA-Z0-9\\-_.]{0,254}$";

export const dataSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: nameField(DATA_NAME_PATTERN),
    version: versionField.optional(),
    // Case-sensitive in Azure ML (a plain OneOf validator), unlike most enums.
    type: z.enum(["uri_file", "uri_folder", "mltable"]).default("uri_folder"),
    path: z.string().min(1),
    description: text.optional(),
    tags: scalarTags.optional(),
    datastore: z.string().min(1).optional(),
    id: readOnly,
    creation_context: readOnly,
    latest_version: readOnly,
    properties: readOnly,
    auto_delete_setting: readOnly,
  })
  .transform(omitKeys(["$schema", ...READ_ONLY_ASSET_KEYS, "properties", "auto_delete_setting"]));
