import { describe, expect, it } from "vitest";
import { loadOne, schemaLine } from "../memory-tree.test-helper.js";

const head = schemaLine("pipelineComponent");

describe("pipeline component manifests", () => {
  it("accepts nodes of every type, with the keys Azure ML lets through", async () => {
    const { manifest, diagnostics } = await loadOne(
      `${head}
name: train_pipeline
type: pipeline
inputs:
  data: {type: uri_folder}
  epochs: {type: integer, default: 5}
outputs:
  model: {type: mlflow_model, mode: upload}
jobs:
  prep:
    type: command
    component: ./prep.yml
    inputs:
      raw: \${{parent.inputs.data}}
    outputs:
      clean:
  train:
    component: azureml://registries/azureml/components/train/labels/latest
    limits: {timeout: 900}
    inputs:
      data:
        path: \${{parent.jobs.prep.outputs.clean}}
        mode: ro_mount
      epochs: \${{parent.inputs.epochs}}
    outputs:
      model: \${{parent.outputs.model}}
  sweep_step:
    type: sweep
    trial: ./train.yml
    sampling_algorithm: random
    search_space: {lr: {type: uniform, min_value: 0.01, max_value: 0.1}}
  inline:
    type: command
    command: echo hi
    environment: {image: python:3.11, name: ignored}
`,
      { files: { "prep.yml": "", "train.yml": "" } },
    );
    expect(diagnostics.map((d) => `${d.severity} ${d.code} ${d.line}:${d.column}`)).toMatchInlineSnapshot(`
      [
        "warning inline-name-ignored 35:39",
      ]
    `);
    expect(manifest?.kind).toBe("pipeline_component");
    expect((manifest?.spec["jobs"] as Record<string, Record<string, unknown>>)["sweep_step"]?.["search_space"]).toBeDefined();
  });

  it("checks node names and node types, and warns that a pipeline component's settings are ignored", async () => {
    const { diagnostics } = await loadOne(
      `${head}\nname: p\ntype: pipeline\nsettings: {default_compute: x}\njobs:\n  class:\n    type: command\n    component: azureml:c:1\n  step-2:\n    type: commnd\n    component: azureml:c:1\n`,
    );
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}${d.hint ? ` (${d.hint})` : ""}`)).toMatchInlineSnapshot(`
      [
        "4:1 ignored-key "settings" is ignored on a pipeline component: Azure ML loads it and does not register it, so it is not part of this version (settings (default compute, datastore, continue_on_step_failure) belong to a pipeline job)",
        "6:3 node-name-invalid "class" is not a valid node name (node names are Python identifiers: letters, digits and underscores, not starting with a digit)",
        "9:3 node-name-invalid "step-2" is not a valid node name (node names are Python identifiers: letters, digits and underscores, not starting with a digit)",
        "10:11 schema-enum "type" in "jobs.step-2" must be one of command, pipeline, sweep, parallel, automl, spark, import, data_transfer, do_while, if_else, parallel_for, not the string "commnd" (did you mean "command"?)",
      ]
    `);
  });

  it("needs type: pipeline and jobs", async () => {
    const { diagnostics } = await loadOne(`${head}\nname: p\n`);
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`)).toMatchInlineSnapshot(`
      [
        "1:1 schema-required missing required key "type"",
        "1:1 schema-required missing required key "jobs"",
      ]
    `);
  });
});
