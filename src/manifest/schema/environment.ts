// Environments (`environment.schema.json`): a Docker image or build context plus conda packages, and the
// same shape written inline in a component or a pipeline node, where Azure ML ignores name and version.
import { z } from "zod";
import { ciEnum, evenWithIssues, isMapping, nameField, omitKeys, READ_ONLY_ASSET_KEYS, readOnly, scalarTags, text, versionField } from "./common.js";

/**
 * Environment (and model) names: letters, digits, `-`, `_` and `.`. azure-ai-ml checks none client-side
 * (`_schema/assets/environment.py`, `model.py`: `name = fields.Str(required=True)`), and the `azureml`
 * registry serves dotted names (`sklearn-1.5`, `Phi-3.5-mini-instruct`).
 */
export const ENVIRONMENT_NAME_PATTERN = "^[a-zA-Z0-9][a-zA-Z0-9\\-_.]{0,254}$";

const route = z.strictObject({ port: z.number().int(), path: z.string() });

const environmentBody = {
  description: text.optional(),
  tags: scalarTags.optional(),
  image: z.string().min(1).optional(),
  build: z
    .strictObject({
      path: z.string().min(1).optional(),
      dockerfile_path: z.string().min(1).optional(),
    })
    .optional(),
  /** A path to a conda YAML file, or the conda specification inline. */
  conda_file: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
  os_type: ciEnum(["linux", "windows"]).default("linux"),
  inference_config: z
    .strictObject({ liveness_route: route, readiness_route: route, scoring_route: route })
    .optional(),
  datastore: z.string().optional(),
};

type EnvironmentBody = { image?: string | undefined; build?: unknown; conda_file?: unknown };

function checkImageOrBuild(env: EnvironmentBody, ctx: z.RefinementCtx): void {
  if (!isMapping(env)) return;
  if (env.image !== undefined && env.build !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["build"],
      message: "an environment has either image or build, not both",
      params: { code: "schema-conflict", at: "key", hint: "build a context whose Dockerfile starts FROM the image" },
    });
  } else if (env.image === undefined && env.build === undefined) {
    ctx.addIssue({
      code: "custom",
      path: [],
      message: "an environment needs image or build",
      params: { code: "schema-required", hint: "add image: <docker image>, or build: {path: <folder with a Dockerfile>}" },
    });
  }
  if (env.conda_file !== undefined && env.image === undefined && env.build !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["conda_file"],
      message: "conda_file applies to an image; a build context installs its packages in its Dockerfile",
      params: { code: "schema-conflict", at: "key" },
    });
  }
}

export const environmentSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: nameField(ENVIRONMENT_NAME_PATTERN),
    version: versionField.optional(),
    ...environmentBody,
    id: readOnly,
    creation_context: readOnly,
    latest_version: readOnly,
  })
  .superRefine(checkImageOrBuild, evenWithIssues)
  .transform(omitKeys(["$schema", ...READ_ONLY_ASSET_KEYS]));

/** The environment of a component or node written inline: anonymous, so name and version are dropped. */
export const inlineEnvironmentSchema = z
  .strictObject({
    name: z.string().optional().meta({ description: "Ignored: inline environments are anonymous." }),
    version: versionField.optional().meta({ description: "Ignored: inline environments are anonymous." }),
    ...environmentBody,
  })
  .superRefine(checkImageOrBuild, evenWithIssues)
  .transform(omitKeys(["name", "version"]));

/** A reference (`azureml:<name>:<version>`, `azureml:<name>@latest`, registry id) or an inline environment. */
export const environmentField = z.union([z.string().min(1), inlineEnvironmentSchema]);

