// `assetctl schemas [--out DIR]`: the JSON Schemas for editors, the same as `schemas/` in the repository.
import path from "node:path";
import { jsonSchemas, writeJsonSchemas } from "../../manifest/jsonschema.js";
import { json, str, type Command } from "./command.js";

export const schemasCommand: Command = {
  usage: "[--out DIR] [--json]",
  description: "Writes one JSON Schema per manifest kind into DIR (for the YAML language server), or prints them all as JSON.",
  options: { out: { type: "string" }, json: { type: "boolean" } },
  async run(values, _positionals, io) {
    const out = str(values, "out");
    if (!out) {
      json(io, jsonSchemas());
      return 0;
    }
    const files = await writeJsonSchemas(path.resolve(io.cwd, out));
    if (values["json"] === true) json(io, { out, files });
    else io.out(`Wrote ${files.length} schemas to ${out}.`);
    return 0;
  },
};
