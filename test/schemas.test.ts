// The JSON Schemas committed in schemas/ are the ones the zod schemas generate: editing a schema without
// regenerating them (`npm run schemas`) fails here.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { jsonSchemaFiles } from "../src/manifest/jsonschema.js";

const dir = path.resolve(import.meta.dirname, "../schemas");

describe("schemas/", () => {
  const generated = jsonSchemaFiles();

  it("holds one schema per manifest kind and datastore type, assetctl.yaml's and aliases.yaml's", () => {
    expect(Object.keys(generated).sort()).toEqual([
      "aliases.schema.json",
      "assetctl.schema.json",
      "azureBlob.schema.json",
      "azureDataLakeGen1.schema.json",
      "azureDataLakeGen2.schema.json",
      "azureFile.schema.json",
      "commandComponent.schema.json",
      "data.schema.json",
      "dataImport.schema.json",
      "environment.schema.json",
      "model.schema.json",
      "parallelComponent.schema.json",
      "pipelineComponent.schema.json",
      "pipelineJob.schema.json",
      "sparkComponent.schema.json",
    ]);
    expect(readdirSync(dir).filter((f) => f.endsWith(".json")).sort()).toEqual(Object.keys(generated).sort());
  });

  it.each(Object.keys(jsonSchemaFiles()))("%s is up to date (regenerate with `npm run schemas`)", (file) => {
    expect(readFileSync(path.join(dir, file), "utf8")).toBe(generated[file]);
  });

  it("describe what the loader accepts: closed objects, any casing where Azure ML allows it", () => {
    const model = JSON.parse(generated["model.schema.json"] ?? "{}") as {
      additionalProperties: boolean;
      required: string[];
      properties: Record<string, { anyOf?: { enum?: string[]; pattern?: string }[]; readOnly?: boolean }>;
    };
    expect(model.additionalProperties).toBe(false);
    expect(model.required).toEqual(["name", "path"]);
    expect(model.properties["id"]?.readOnly).toBe(true);
    const pattern = new RegExp(model.properties["type"]?.anyOf?.[1]?.pattern ?? "^$");
    expect(["MLflow_Model", "custom_model"].every((t) => pattern.test(t))).toBe(true);
    expect(pattern.test("mlflow")).toBe(false);
  });
});
