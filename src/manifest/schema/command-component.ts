// Command components (`commandComponent.schema.json`): a command run in an environment, with typed I/O.
import { z } from "zod";
import { ciEnum, evenWithIssues, openMapping } from "./common.js";
import { bothVariants, componentBase, componentOmissions, ignoredKeys } from "./component.js";
import { environmentField } from "./environment.js";
import { checkIoNames, componentIo } from "./io.js";

const resources = z.looseObject({
  instance_count: z.number().int().min(1).optional(),
  instance_type: z.string().min(1).optional(),
  shm_size: z.string().optional(),
  docker_args: z.string().optional(),
  properties: openMapping.optional(),
});

const distribution = z.looseObject({
  type: ciEnum(["mpi", "pytorch", "tensorflow", "ray"]),
  process_count_per_instance: z.number().int().min(1).optional(),
  worker_count: z.number().int().min(0).optional(),
  parameter_server_count: z.number().int().min(0).optional(),
});

export const commandComponentSchema = bothVariants((anonymous) =>
  z
    .strictObject({
      ...componentBase(anonymous),
      ...ignoredKeys("command_component"),
      type: ciEnum(["command"]).default("command"),
      ...componentIo({ primitiveOutputs: true }),
      command: z.string().min(1),
      /** Local folder or single file, `http(s)` URL, `git+…`, or a code asset reference. */
      code: z.string().min(1).optional(),
      environment: environmentField,
      resources: resources.optional(),
      distribution: distribution.optional(),
      properties: openMapping.optional(),
      additional_includes: z.array(z.string().min(1)).optional(),
      queue_settings: openMapping.optional(),
    })
    .superRefine(checkIoNames, evenWithIssues)
    .transform(componentOmissions(anonymous, "command_component")),
);
