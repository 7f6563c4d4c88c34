// Pipeline components (`pipelineComponent.schema.json`): a reusable graph of nodes with its own I/O.
import { z } from "zod";
import { ciEnum, evenWithIssues } from "./common.js";
import { bothVariants, componentBase, componentOmissions, ignoredKeys } from "./component.js";
import { checkIoNames, componentIo } from "./io.js";
import { pipelineJobs } from "./pipeline-node.js";

export const pipelineComponentSchema = bothVariants((anonymous) =>
  z
    .strictObject({
      ...componentBase(anonymous),
      ...ignoredKeys("pipeline_component"),
      type: ciEnum(["pipeline"]),
      ...componentIo({ primitiveOutputs: true }),
      jobs: pipelineJobs,
    })
    .superRefine(checkIoNames, evenWithIssues)
    .transform(componentOmissions(anonymous, "pipeline_component")),
);
