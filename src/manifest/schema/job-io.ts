// Inputs and outputs of jobs and pipeline nodes: literal values, `${{…}}` bindings, or data specs
// (`{type, path, mode}`), as the SDK's job InputSchema and OutputSchema accept them.
import { z } from "zod";
import { ciEnum } from "./common.js";

export const JOB_DATA_TYPES = ["uri_file", "uri_folder", "mltable", "custom_model", "mlflow_model", "triton_model"] as const;
export const JOB_INPUT_MODES = ["ro_mount", "download", "direct", "eval_mount", "eval_download"] as const;
export const JOB_OUTPUT_MODES = ["rw_mount", "upload", "mount", "direct"] as const;

const jobInputSpec = z.strictObject({
  type: ciEnum(JOB_DATA_TYPES).optional(),
  /** Local path, `file:`, `http(s)`, `wasb(s)`, `azureml:` reference, datastore URI, or a binding. */
  path: z.string().min(1).optional(),
  mode: ciEnum(JOB_INPUT_MODES).optional(),
  datastore: z.string().min(1).optional(),
  description: z.string().optional(),
  optional: z.boolean().optional(),
});

const jobOutputSpec = z.strictObject({
  type: ciEnum(JOB_DATA_TYPES).optional(),
  mode: ciEnum(JOB_OUTPUT_MODES).optional(),
  path: z.string().min(1).optional(),
  /** With `version`: register the output as a data or model asset. */
  name: z.string().min(1).optional(),
  version: z.union([z.string(), z.number()]).transform(String).optional(),
  description: z.string().optional(),
});

const literal = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** `inputs:` of a pipeline job or node: a literal, a binding string, or a data spec. */
export const jobInputs = z.record(z.string(), z.union([literal, jobInputSpec]));

/** `outputs:` of a pipeline job: a data spec, or empty for the defaults. */
export const jobOutputs = z.record(z.string(), z.union([jobOutputSpec, z.null()]));

/** `outputs:` of a node: a binding (`${{parent.outputs.x}}`), a data spec, or empty. */
export const nodeOutputs = z.record(z.string(), z.union([z.string(), jobOutputSpec, z.null()]));
