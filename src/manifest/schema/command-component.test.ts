import { describe, expect, it } from "vitest";
import { loadOne, schemaLine } from "../memory-tree.test-helper.js";

const head = schemaLine("commandComponent");

const train = `${head}
name: train_model
display_name: Train
version: 1
type: command
inputs:
  training_data:
    type: uri_folder
  max_epochs:
    type: integer
    default: 10
    min: 1
  learning_rate:
    type: Number
    default: 0.01
    optional: true
  mode:
    type: string
    enum: ["fast", "slow"]
  legacy:
    type: path
outputs:
  model_output:
    type: mlflow_model
  accuracy:
    type: number
code: ./train_src
environment: azureml://registries/azureml/environments/sklearn-1.5/labels/latest
command: python train.py --data \${{inputs.training_data}} --epochs \${{inputs.max_epochs}}
`;

describe("command component manifests", () => {
  it("accepts parameters, ports, legacy path ports and primitive outputs, with defaults applied", async () => {
    const { manifest, diagnostics } = await loadOne(train, { files: { "train_src/train.py": "" } });
    expect(diagnostics).toEqual([]);
    expect(manifest).toMatchObject({ kind: "command_component", name: "train_model", version: "1", anonymous: false });
    expect(manifest?.spec).toMatchObject({ type: "command", is_deterministic: true });
    expect((manifest?.spec["inputs"] as Record<string, { type: string }>)["learning_rate"]?.type).toBe("number");
    expect(manifest?.spec["$schema"]).toBeUndefined();
  });

  it("drops name and version of an inline environment, with Azure ML's warning", async () => {
    const { manifest, diagnostics } = await loadOne(
      `${head}\nname: c\ncommand: echo\nenvironment:\n  name: my-env\n  version: 3\n  image: python:3.11\n`,
    );
    expect(manifest?.spec["environment"]).toEqual({ image: "python:3.11", os_type: "linux" });
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.code}`)).toMatchInlineSnapshot(`
      [
        "5:3 warning inline-name-ignored",
        "6:3 warning inline-name-ignored",
      ]
    `);
  });

  it("warns of keys Azure ML loads and ignores on a component, and keeps them out of the spec", async () => {
    const { manifest, diagnostics } = await loadOne(
      `${head}\nname: c\ncommand: echo\nenvironment: azureml:env:1\nenvironment_variables:\n  FOO: bar\nidentity:\n  type: user_identity\n`,
    );
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.code}`)).toEqual(["5:1 warning ignored-key", "7:1 warning ignored-key"]);
    expect(diagnostics[0]?.hint).toContain("pipeline node");
    expect(manifest?.spec).not.toHaveProperty("environment_variables");
    expect(manifest?.spec).not.toHaveProperty("identity");
    const plain = await loadOne(`${head}\nname: c\ncommand: echo\nenvironment: azureml:env:1\n`);
    expect(plain.manifest?.spec).toEqual(manifest?.spec);
  });

  it("applies the component naming rule and the I/O rules", async () => {
    const { diagnostics } = await loadOne(
      `${head}\nname: Train-Model\ncommand: echo\nenvironment: azureml:env:1\ninputs:\n  path:\n    type: uri_file\n  2nd:\n    type: string\n  data:\n    type: uri_folder\n    min: 1\n  size:\n    type: integer\n    mode: download\n  raw:\n    type: uri_file\n    default: 3\noutputs:\n  data:\n    type: uri_folder\n`,
    );
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}${d.hint ? ` (${d.hint})` : ""}`)).toMatchInlineSnapshot(`
      [
        "2:7 name-invalid "Train-Model" is not a valid component name: use lower-case letters, digits and '_', starting with a letter, at most 255 characters (e.g. train_model)",
        "6:3 io-name-reserved "path" is reserved by Azure ML (it names an environment variable of the run) (rename it, e.g. input_path)",
        "8:3 io-name-invalid "2nd" is not a valid input name (use letters, digits and underscores, starting with a letter or underscore)",
        "12:5 schema-unknown-key "min" applies to parameter inputs, not to an input of type uri_folder",
        "15:5 schema-unknown-key "mode" applies to data inputs, not to an input of type integer",
        "18:14 schema-type the default of a uri_file input must be a path or URI string",
        "20:3 io-name-duplicate "data" is declared both as an input and as an output (inputs and outputs share one namespace in commands)",
      ]
    `);
  });

  it("reports a wrong input type with the list of types, and keys components do not have", async () => {
    const { diagnostics } = await loadOne(
      `${head}\nname: c\ncommand: echo\nenvironment: azureml:env:1\ncompute: azureml:cpu\ninputs:\n  x:\n    type: strnig\n  y: {}\n`,
    );
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}${d.hint ? ` (${d.hint})` : ""}`)).toMatchInlineSnapshot(`
      [
        "5:1 schema-unknown-key unknown key "compute" (allowed here: $schema, name, version, display_name, description, tags, is_deterministic, type, inputs, outputs, command, code, environment, resources, distribution, properties, additional_includes, queue_settings)",
        "8:11 schema-enum "type" in "inputs.x" must be one of integer, number, string, boolean, uri_file, uri_folder, mltable, mlflow_model, custom_model, triton_model, path, not the string "strnig" (did you mean "string"?)",
        "9:6 schema-required missing required key "type" in "inputs.y"",
      ]
    `);
  });

  it("requires a command and an environment, and a mapping or reference as environment", async () => {
    const { diagnostics } = await loadOne(`${head}\nname: c\nenvironment: [python]\n`);
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`)).toMatchInlineSnapshot(`
      [
        "1:1 schema-required missing required key "command"",
        "3:14 schema-type "environment" must be a string or a mapping, not a list",
      ]
    `);
  });

  it("reads a file whose $schema says command but whose type says pipeline as a pipeline component", async () => {
    const { manifest, diagnostics } = await loadOne(`${head}\nname: p\ntype: pipeline\njobs: {}\n`);
    expect(manifest?.kind).toBe("pipeline_component");
    expect(diagnostics.map((d) => `${d.severity} ${d.code} ${d.message}`)).toMatchInlineSnapshot(`
      [
        "warning schema-kind-mismatch $schema names the command component schema, but type is pipeline: read as a pipeline component, as Azure ML does",
      ]
    `);
  });

  it("reads a file of another component type by its type, as Azure ML does, with a warning", async () => {
    const { manifest, diagnostics } = await loadOne(`${head}\nname: p\ntype: parallel\n`);
    expect(manifest).toBeUndefined();
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`)).toMatchInlineSnapshot(`
      [
        "1:1 schema-required missing required key "task"",
        "3:7 schema-kind-mismatch $schema names the command component schema, but type is parallel: read as a parallel component, as Azure ML does",
      ]
    `);
  });
});
