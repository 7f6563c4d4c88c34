// JSON Schemas for editors (`# yaml-language-server: $schema=…`), generated from the same zod schemas the
// loader uses, so what an editor accepts and what `assetctl validate` accepts cannot drift apart.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { aliasesSchema } from "./aliases-schema.js";
import { configSchema } from "./config-schema.js";
import { jsonHints } from "./schema/common.js";
import { PUBLISHED_SCHEMAS } from "./schema/index.js";

const BASE_URL = "https://raw.githubusercontent.com/assetctl/assetctl/main/schemas/";

function generate(schema: z.ZodType, file: string, title: string): Record<string, unknown> {
  const json = z.toJSONSchema(schema, {
    target: "draft-07",
    // Editors check what the author writes: the input side, before defaults and normalization.
    io: "input",
    unrepresentable: "any",
    override: (ctx) => {
      const hint = jsonHints.get(ctx.zodSchema);
      if (!hint) return;
      for (const key of Object.keys(ctx.jsonSchema)) delete (ctx.jsonSchema as Record<string, unknown>)[key];
      Object.assign(ctx.jsonSchema, hint.jsonSchema);
    },
  }) as Record<string, unknown>;
  return { $id: `${BASE_URL}${file}`, title, ...json };
}

/** Every published schema by file name: one per manifest kind (and datastore type), assetctl.yaml's and aliases.yaml's. */
export function jsonSchemas(): Record<string, object> {
  const out: Record<string, object> = {};
  for (const [file, { schema, title }] of Object.entries(PUBLISHED_SCHEMAS)) out[file] = generate(schema, file, title);
  out["assetctl.schema.json"] = generate(configSchema, "assetctl.schema.json", "assetctl.yaml");
  out["aliases.schema.json"] = generate(aliasesSchema, "aliases.schema.json", "aliases.yaml");
  return out;
}

/** The text each schema file has on disk: stable key order, two-space indent, final newline. */
export function jsonSchemaFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [file, schema] of Object.entries(jsonSchemas())) out[file] = `${JSON.stringify(schema, null, 2)}\n`;
  return out;
}

/** Writes every schema into `dir`; returns the paths written. */
export async function writeJsonSchemas(dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [file, text] of Object.entries(jsonSchemaFiles())) {
    const target = path.join(dir, file);
    await writeFile(target, text);
    written.push(target);
  }
  return written;
}
