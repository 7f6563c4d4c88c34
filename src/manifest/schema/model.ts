// Models (`model.schema.json`): a file or folder (local or at a URI) registered under a name and version.
import { z } from "zod";
import { ciEnum, nameField, omitKeys, openMapping, readOnly, scalarProperties, scalarTags, text, versionField } from "./common.js";
import { ENVIRONMENT_NAME_PATTERN } from "./environment.js";

/** Same rule as environments: letters, digits, `-`, `_` and `.` (`qwen3.5-0.8b`). */
export const MODEL_NAME_PATTERN = ENVIRONMENT_NAME_PATTERN;

export const modelSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: nameField(MODEL_NAME_PATTERN),
    version: versionField.optional(),
    type: ciEnum(["custom_model", "mlflow_model", "triton_model"]).default("custom_model"),
    /** Local file or folder, or a URI: datastore, job output, `runs:/`, workspace or registry model. */
    path: z.string().min(1),
    description: text.optional(),
    tags: scalarTags.optional(),
    properties: scalarProperties.optional(),
    flavors: z.record(z.string(), z.unknown()).optional(),
    datastore: z.string().min(1).optional(),
    intellectual_property: z
      .strictObject({ publisher: z.string().min(1), protection_level: z.string().optional() })
      .optional(),
    // azure-ai-ml `_schema/assets/model.py` (ModelSchema): stage, system_metadata, default_deployment_template.
    stage: z.string().optional(),
    system_metadata: openMapping.optional(),
    default_deployment_template: z.strictObject({ asset_id: z.string().min(1) }).optional(),
    // Registry-only keys the azureml-assets publisher passes through (publish_utils.py); warned by the loader.
    isArchived: z.boolean().optional(),
    variantInfo: openMapping.optional(),
    id: readOnly,
    creation_context: readOnly,
    job_name: readOnly,
    latest_version: readOnly,
    utc_time_created: readOnly,
  })
  .transform(omitKeys(["$schema", "id", "creation_context", "job_name", "latest_version", "utc_time_created"]));
