// What every component kind shares (`ComponentSchema`): identity, description, determinism, I/O names.
import { z } from "zod";
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

export function componentOmissions(anonymous: boolean) {
  return omitKeys<Record<string, unknown>>(["$schema", ...READ_ONLY_ASSET_KEYS, ...(anonymous ? ["name", "version"] : [])]);
}

/** Builds the named and the anonymous variant of a component schema once. */
export function bothVariants<T>(build: (anonymous: boolean) => T): { named: T; anonymous: T } {
  return { named: build(false), anonymous: build(true) };
}
