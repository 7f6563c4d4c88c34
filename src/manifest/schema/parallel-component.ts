// Parallel components (`parallelComponent.schema.json`, `type: parallel`): a function run over mini-batches
// of its input data, and AutoML components (`type: automl`). Keys as azure-ai-ml reads them:
// `_schema/component/parallel_component.py`, `parallel_task.py`, `retry_settings.py`, `automl_component.py`.
import { z } from "zod";
import { ciEnum, evenWithIssues, openMapping } from "./common.js";
import { bothVariants, componentBase, componentOmissions, ignoredKeys } from "./component.js";
import { environmentField } from "./environment.js";
import { checkIoNames, componentIo } from "./io.js";

const task = z.strictObject({
  type: ciEnum(["run_function", "function"]).default("run_function"),
  code: z.string().min(1).optional(),
  entry_script: z.string().min(1).optional(),
  program_arguments: z.string().optional(),
  environment: environmentField,
  append_row_to: z.string().optional(),
});

/** `mini_batch_size: 10kb` or a count; PRS reads either. */
const sizeText = z.union([z.string().min(1), z.number().int().min(1)]);

export const parallelComponentSchema = bothVariants((anonymous) =>
  z
    .strictObject({
      ...componentBase(anonymous),
      ...ignoredKeys("parallel_component"),
      type: ciEnum(["parallel"]),
      ...componentIo({ primitiveOutputs: false }),
      task,
      mini_batch_size: sizeText.optional(),
      partition_keys: z.array(z.string()).optional(),
      input_data: z.string().min(1).optional(),
      retry_settings: z.strictObject({ max_retries: z.union([z.number().int(), z.string()]).optional(), timeout: z.union([z.number().int(), z.string()]).optional() }).optional(),
      max_concurrency_per_instance: z.union([z.number().int().min(1), z.string()]).optional(),
      error_threshold: z.union([z.number().int(), z.string()]).optional(),
      mini_batch_error_threshold: z.union([z.number().int(), z.string()]).optional(),
      logging_level: ciEnum(["debug", "info", "warning", "error", "critical"]).optional(),
      resources: openMapping.optional(),
      properties: openMapping.optional(),
      additional_includes: z.array(z.string().min(1)).optional(),
    })
    .superRefine(checkIoNames, evenWithIssues)
    .transform(componentOmissions(anonymous, "parallel_component")),
);

export const automlComponentSchema = bothVariants((anonymous) =>
  z
    .strictObject({
      ...componentBase(anonymous),
      type: ciEnum(["automl"]),
      ...componentIo({ primitiveOutputs: false }),
      task: z.string().min(1),
      properties: openMapping.optional(),
    })
    .superRefine(checkIoNames, evenWithIssues)
    .transform(componentOmissions(anonymous)),
);
