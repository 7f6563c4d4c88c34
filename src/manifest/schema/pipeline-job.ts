// Pipeline jobs (`pipelineJob.schema.json`): a run of a graph of nodes. Validated with the references it
// makes, never applied: a job is not an asset.
import { z } from "zod";
import { ciEnum, evenWithIssues, isMapping, omitKeys, openMapping, readOnly, scalarTags, text } from "./common.js";
import { jobInputs, jobOutputs } from "./job-io.js";
import { pipelineJobs } from "./pipeline-node.js";

/** Job names are unique in a workspace: letters, digits, `-`, `_`. */
export const JOB_NAME_PATTERN = "^[a-zA-Z0-9][a-zA-Z0-9\\-_]{0,254}$";

const settings = z.looseObject({
  default_datastore: z.string().min(1).optional(),
  default_compute: z.string().min(1).optional(),
  continue_on_step_failure: z.boolean().optional(),
  force_rerun: z.boolean().optional(),
});

const identity = z.strictObject({
  type: ciEnum(["user_identity", "managed", "managed_identity", "aml_token"]),
  client_id: z.string().optional(),
  object_id: z.string().optional(),
  msi_resource_id: z.string().optional(),
});

export const pipelineJobSchema = z
  .strictObject({
    $schema: z.string().optional(),
    type: ciEnum(["pipeline"]),
    name: z.string().min(1).meta({ pattern: JOB_NAME_PATTERN }).optional(),
    display_name: text.optional(),
    experiment_name: text.optional(),
    description: text.optional(),
    tags: scalarTags.optional(),
    properties: scalarTags.optional(),
    compute: z.string().min(1).optional(),
    /** Unknown keys pass, as in Azure ML (so `default_datestore` goes unnoticed there too). */
    settings: settings.optional(),
    inputs: jobInputs.optional(),
    outputs: jobOutputs.optional(),
    jobs: pipelineJobs.optional(),
    /** Run a pipeline component instead of `jobs`. */
    component: z.string().min(1).optional(),
    identity: identity.optional(),
    services: openMapping.optional(),
    id: readOnly,
    creation_context: readOnly,
    status: readOnly,
    log_files: readOnly,
  })
  .superRefine((job: unknown, ctx) => {
    if (isMapping(job) && job["jobs"] !== undefined && job["component"] !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["component"],
        message: "a pipeline job has either jobs or component, not both",
        params: { code: "schema-conflict", at: "key" },
      });
    }
  }, evenWithIssues)
  .transform(omitKeys(["$schema", "id", "creation_context", "status", "log_files"]));
