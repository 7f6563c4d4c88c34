// What every component kind shares (`ComponentSchema`): identity, description, determinism, I/O names.
import { z } from "zod";
import { IGNORED_ON_LOAD } from "../issues.js";
import { nameField, omitKeys, READ_ONLY_ASSET_KEYS, readOnly, stringTags, text, versionField } from "./common.js";

/** Components: lower-case letters, digits and underscores, starting with a letter (client-side rule). */
export const COMPONENT_NAME_PATTERN = "^[a-z][a-z0-9_]*$";

/**
 * The keys of the component base. An anonymous component (a file a pipeline refers to by path) has its
 * name and version ignored by Azure ML, so they are optional there and dropped from the spec.
 */
export function componentBase(anonymous: boolean) {
  return {
    $schema: z.string().optional(),
    name: anonymous ? z.string().optional() : nameField(COMPONENT_NAME_PATTERN),
    version: versionField.optional(),
    display_name: text.optional(),
    description: text.optional(),
    tags: stringTags.optional(),
    is_deterministic: z.boolean().default(true),
    id: readOnly,
    creation_context: readOnly,
    latest_version: readOnly,
  };
}

/**
 * Keys Azure ML loads on a component and then drops: they belong to the job or pipeline node that runs
 * it. azure-ai-ml reads component YAML with `unknown=INCLUDE` (`entities/_component/component_factory.py`)
 * and the component entities take only their own fields (`entities/_component/command_component.py`,
 * `spark_component.py`, `pipeline_component.py`), so these load without an error and are not
 * registered. assetctl accepts them with an `ignored-key` warning and keeps them out of the spec.
 */
export const IGNORED_COMPONENT_KEYS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  command_component: {
    environment_variables: "set environment_variables on the command job or pipeline node that runs this component",
    identity: "set identity on the command job or pipeline node that runs this component",
  },
  spark_component: {
    resources: "set resources on the spark job or pipeline node that runs this component",
    identity: "set identity on the spark job or pipeline node that runs this component",
  },
  parallel_component: {
    identity: "set identity on the parallel job or pipeline node that runs this component",
  },
  pipeline_component: {
    settings: "settings (default compute, datastore, continue_on_step_failure) belong to a pipeline job",
  },
};

const ignoredOnLoad = z.unknown().optional().meta({ description: IGNORED_ON_LOAD });

/** The schema entries of a component kind's ignored keys (see IGNORED_COMPONENT_KEYS). */
export function ignoredKeys(kind: keyof typeof IGNORED_COMPONENT_KEYS): Record<string, typeof ignoredOnLoad> {
  return Object.fromEntries(Object.keys(IGNORED_COMPONENT_KEYS[kind] ?? {}).map((key) => [key, ignoredOnLoad]));
}

export function componentOmissions(anonymous: boolean, kind?: keyof typeof IGNORED_COMPONENT_KEYS) {
  const ignored = kind === undefined ? [] : Object.keys(IGNORED_COMPONENT_KEYS[kind] ?? {});
  return omitKeys<Record<string, unknown>>(["$schema", ...READ_ONLY_ASSET_KEYS, ...ignored, ...(anonymous ? ["name", "version"] : [])]);
}

/** Builds the named and the anonymous variant of a component schema once. */
export function bothVariants<T>(build: (anonymous: boolean) => T): { named: T; anonymous: T } {
  return { named: build(false), anonymous: build(true) };
}
