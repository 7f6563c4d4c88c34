// The steps of a pipeline (`jobs:` of pipeline jobs and pipeline components). Azure ML loads nodes with
// unknown keys allowed (`unknown = INCLUDE`), so only the keys every node shares are checked here.
import { z } from "zod";
import { ciEnum, evenWithIssues, isMapping, openMapping } from "./common.js";
import { environmentField } from "./environment.js";
import { jobInputs, nodeOutputs } from "./job-io.js";

export const NODE_TYPES = [
  "command",
  "pipeline",
  "sweep",
  "parallel",
  "automl",
  "spark",
  "import",
  "data_transfer",
  "do_while",
  "if_else",
  "parallel_for",
] as const;

/** A Python identifier that is not a keyword: Azure ML's rule for node names. */
const NODE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PYTHON_KEYWORDS: ReadonlySet<string> = new Set(
  "False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield".split(" "),
);

/** `component:` / `trial:` — a registry id, an `azureml:` reference, a local file, or an inline component. */
const componentRef = z.union([z.string().min(1), z.record(z.string(), z.unknown())]);

export const pipelineNode = z.looseObject({
  type: ciEnum(NODE_TYPES).optional(),
  component: componentRef.optional(),
  trial: componentRef.optional(),
  inputs: jobInputs.optional(),
  outputs: nodeOutputs.optional(),
  compute: z.string().min(1).optional(),
  environment: environmentField.optional(),
  code: z.string().min(1).optional(),
  command: z.string().min(1).optional(),
  properties: openMapping.optional(),
  environment_variables: openMapping.optional(),
});

/** `jobs:` — node name → node, names checked as Azure ML does. */
export const pipelineJobs = z.record(z.string(), pipelineNode).superRefine((jobs: unknown, ctx) => {
  if (!isMapping(jobs)) return;
  for (const name of Object.keys(jobs)) {
    if (NODE_NAME.test(name) && !PYTHON_KEYWORDS.has(name)) continue;
    ctx.addIssue({
      code: "custom",
      path: [name],
      message: `"${name}" is not a valid node name`,
      params: { code: "node-name-invalid", at: "key", hint: "node names are Python identifiers: letters, digits and underscores, not starting with a digit" },
    });
  }
}, evenWithIssues);
