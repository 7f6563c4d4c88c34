// The Azure ML OpenAPI (Swagger 2.0) definitions of openapi-2024-10-01.json turned into JSON Schema for
// Ajv: a type's allOf ancestors are merged into it (Swagger's inheritance, which a plain allOf with
// `additionalProperties: false` on both sides would reject), a polymorphic base dispatches on its
// discriminator to the subtype named by `x-ms-discriminator-value`, and `x-nullable` allows null.
import { readFileSync } from "node:fs";
import Ajv from "ajv";

const FIXTURE = new URL("./openapi-2024-10-01.json", import.meta.url);

function refName(ref) {
  return ref.slice(ref.lastIndexOf("/") + 1);
}

/** properties and required of a definition with those of its allOf ancestors, nearest last. */
function flatten(definitions, name, seen = new Set()) {
  if (seen.has(name)) return { properties: {}, required: [] };
  seen.add(name);
  const def = definitions[name];
  if (def === undefined) throw new Error(`OpenAPI fixture has no definition ${name}`);
  const properties = {};
  const required = [];
  for (const parent of def.allOf ?? []) {
    const inherited = flatten(definitions, refName(parent.$ref), seen);
    Object.assign(properties, inherited.properties);
    required.push(...inherited.required);
  }
  Object.assign(properties, def.properties ?? {});
  required.push(...(def.required ?? []));
  return { properties, required: [...new Set(required)] };
}

function ancestors(definitions, name) {
  const out = [];
  for (const parent of definitions[name]?.allOf ?? []) {
    const p = refName(parent.$ref);
    out.push(p, ...ancestors(definitions, p));
  }
  return out;
}

/** One property's schema: refs point at the converted definitions, x-nullable admits null. */
function convertProperty(schema) {
  if (schema === null || typeof schema !== "object") return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith("x-") || key === "description" || key === "example" || key === "discriminator") continue;
    if (key === "$ref") out.$ref = `#/definitions/${refName(value)}`;
    else if (key === "items" || key === "additionalProperties") out[key] = typeof value === "object" ? convertProperty(value) : value;
    else if (key === "properties") out.properties = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, convertProperty(v)]));
    else out[key] = value;
  }
  if (schema["x-nullable"] === true) return { anyOf: [out, { type: "null" }] };
  return out;
}

export function toJsonSchema(definitions) {
  const converted = {};
  for (const [name, def] of Object.entries(definitions)) {
    if (def.type !== "object" && def.allOf === undefined && def.properties === undefined) {
      converted[name] = convertProperty(def);
      continue;
    }
    const { properties, required } = flatten(definitions, name);
    const schema = { type: "object", properties: Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, convertProperty(v)])) };
    if (required.length > 0) schema.required = required;
    if (def.additionalProperties === false) schema.additionalProperties = false;
    const discriminator = def.discriminator;
    if (typeof discriminator === "string") {
      const subtypes = Object.keys(definitions).filter((n) => ancestors(definitions, n).includes(name) && definitions[n]["x-ms-discriminator-value"]);
      const values = subtypes.map((n) => definitions[n]["x-ms-discriminator-value"]);
      // The base alone accepts any shape its subtypes add; the subtype chosen by the discriminator is strict.
      converted[`${name}__base`] = schema;
      converted[name] = {
        allOf: [
          { $ref: `#/definitions/${name}__base` },
          { properties: { [discriminator]: { enum: values } } },
          ...subtypes.map((n) => ({
            if: { properties: { [discriminator]: { const: definitions[n]["x-ms-discriminator-value"] } }, required: [discriminator] },
            then: { $ref: `#/definitions/${n}` },
          })),
        ],
      };
    } else {
      converted[name] = schema;
    }
  }
  return converted;
}

/** A validator for each definition name: `validate(name, body)` → list of problems (empty when valid). */
export function openApiValidator() {
  const fixture = JSON.parse(readFileSync(FIXTURE, "utf8"));
  const ajv = new Ajv.default({ strict: false, allErrors: true });
  for (const format of ["int32", "int64", "double", "float", "duration", "uuid", "password"]) ajv.addFormat(format, true);
  ajv.addFormat("uri", /^[a-z][a-z0-9+.-]*:[^\s]*$/i);
  ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  ajv.addSchema({ $id: "mfe", definitions: toJsonSchema(fixture.definitions) });
  const cache = new Map();
  return {
    apiVersion: fixture._source.apiVersion,
    validate(name, body) {
      let check = cache.get(name);
      if (check === undefined) {
        check = ajv.getSchema(`mfe#/definitions/${name}`);
        if (check === undefined) throw new Error(`no OpenAPI definition ${name}`);
        cache.set(name, check);
      }
      return check(body) ? [] : (check.errors ?? []).map((e) => `${name}${e.instancePath} ${e.message}`);
    },
  };
}
