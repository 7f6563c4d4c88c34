// Building blocks shared by the per-kind schemas: case-insensitive enums, versions, tags, read-only keys,
// and the hints that make the generated JSON Schemas describe what assetctl really accepts.
import { z } from "zod";

/**
 * JSON Schema fragments that replace what zod would generate for a schema: zod cannot express
 * "any casing of these words", and transforms would otherwise be rendered by their input type alone.
 */
export const jsonHints = z.registry<{ jsonSchema: Record<string, unknown> }>();

/** `[cC][uU]…`: JSON Schema patterns have no case-insensitive flag. */
function anyCasePattern(values: readonly string[]): string {
  const word = (v: string) =>
    [...v]
      .map((c) => (c.toLowerCase() !== c.toUpperCase() ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("");
  return `^(?:${values.map(word).join("|")})$`;
}

/** An enum Azure ML matches in any casing (`StringTransformedEnum`); the spec keeps the lower-case value. */
export function ciEnum<const T extends readonly [string, ...string[]]>(values: T) {
  const schema = z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(z.enum(values));
  jsonHints.add(schema, { jsonSchema: { type: "string", anyOf: [{ enum: [...values] }, { pattern: anyCasePattern(values) }] } });
  return schema;
}

/** Versions are strings; the loader has already turned numbers into the author's text, this is a fallback. */
export const VERSION_PATTERN = "^[A-Za-z0-9._-]+$";
export const versionField = z.union([z.string(), z.number()]).transform((v) => String(v));
jsonHints.add(versionField, {
  jsonSchema: {
    description: "Version text; omit it to let the registry number versions. Quote it: 1.10 unquoted is a number.",
    anyOf: [{ type: "string", pattern: VERSION_PATTERN }, { type: "integer", minimum: 0 }],
  },
});

/** A name; the kind's naming rule is checked by the loader, with a message that names the rule. */
export function nameField(pattern: string) {
  return z.string().min(1).max(255).meta({ pattern });
}

export const text = z.string();

/**
 * Python's `json.dumps` with its defaults (`, ` and `: ` separators, non-ASCII escaped): how the
 * azureml-assets publisher turns a mapping or list tag value into the string Azure ML stores.
 */
export function pythonJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(value);
  if (typeof value === "string") return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(", ")}]`;
  if (value instanceof Date) return pythonJson(value.toISOString());
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${pythonJson(k)}: ${pythonJson(v)}`)
    .join(", ")}}`;
}

/** False for a value that contains itself: a YAML alias used inside its own anchor (`tags: &a {x: *a}`). */
function acyclic(value: unknown, path: Set<unknown> = new Set()): boolean {
  if (typeof value !== "object" || value === null) return true;
  if (path.has(value)) return false;
  path.add(value);
  const ok = Object.values(value).every((v) => acyclic(v, path));
  path.delete(value);
  return ok;
}

/** A tag value as the text Azure ML stores: scalars as written, mappings and lists as JSON (see pythonJson). */
export function tagText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "object") return acyclic(v) ? pythonJson(v) : ""; // refused below; never written out
  return String(v);
}

/** Tag values Azure ML stringifies (models, environments, data); components take strings only. */
export const scalarTags = z.record(
  z.string(),
  z
    .union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.unknown()), z.record(z.string(), z.unknown())])
    .superRefine((v, ctx) => {
      if (!acyclic(v)) {
        ctx.addIssue({ code: "custom", message: "a tag value must not contain itself (a YAML alias inside its own anchor)", params: { code: "schema-type" } });
      }
    })
    .transform(tagText),
);
jsonHints.add(scalarTags, {
  jsonSchema: { type: "object", additionalProperties: { type: ["string", "number", "boolean", "null", "array", "object"] } },
});
export const stringTags = z.record(z.string(), z.string());

/** Free-form properties (string → scalar), stringified like tags. */
export const scalarProperties = scalarTags;

/** A key Azure ML returns but ignores on load (`id`, `creation_context`, …): accepted, then dropped. */
export const readOnly = z.unknown().optional().meta({ readOnly: true, description: "Read-only: set by Azure ML, ignored on load." });

/** Removes keys from an object (read-only keys, names of anonymous assets). */
export function omitKeys<T extends Record<string, unknown>>(keys: readonly string[]): (value: T) => T {
  return (value) => {
    const out = { ...value };
    for (const key of keys) delete out[key];
    return out;
  };
}

export const READ_ONLY_ASSET_KEYS = ["id", "creation_context", "latest_version"] as const;

/**
 * For refinements that only compare keys (either/or, names): they run even when a value inside failed,
 * so that every problem of a file is reported in one pass. Such refinements must not trust value types.
 */
export const evenWithIssues = { when: () => true };

/** The guard every `evenWithIssues` refinement starts with: the value may be anything the author wrote. */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A mapping of anything: pipeline `settings`, spark `conf`, resource overrides Azure ML passes through. */
export const openMapping = z.record(z.string(), z.unknown());
