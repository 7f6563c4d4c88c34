import { describe, expect, it } from "vitest";
import { loadOne, schemaLine } from "../memory-tree.test-helper.js";

const head = schemaLine("pipelineJob");

describe("pipeline job manifests", () => {
  it("accepts literal and data inputs, outputs, and settings with keys Azure ML lets through", async () => {
    const { manifest, diagnostics } = await loadOne(
      `${head}
type: pipeline
display_name: train
experiment_name: demo
settings:
  default_compute: azureml:cpu-cluster
  default_datestore: azureml:workspaceblobstore
inputs:
  data: {type: uri_folder, path: azureml:titanic@latest}
  epochs: 10
  rate: 0.1
  flag: true
outputs:
  model: {type: mlflow_model, mode: upload, name: titanic-model, version: 2}
  report:
jobs:
  train:
    type: command
    component: azureml:train:1
    inputs:
      data: \${{parent.inputs.data}}
    outputs:
      model: \${{parent.outputs.model}}
`,
    );
    expect(diagnostics).toEqual([]);
    expect(manifest).toMatchObject({ kind: "pipeline_job", name: undefined, version: undefined });
    expect((manifest?.spec["outputs"] as Record<string, Record<string, unknown>>)["model"]?.["version"]).toBe("2");
  });

  it("refuses jobs and component together, and checks input and output specs", async () => {
    const { diagnostics } = await loadOne(
      `${head}\ntype: pipeline\ncomponent: ./p.yml\njobs: {}\ninputs:\n  data: {type: uri_folder, mode: rw_mount, pth: x}\noutputs:\n  m: {type: mlflow_model, mode: ro_mount}\n`,
      { files: { "p.yml": "" } },
    );
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}${d.hint ? ` (${d.hint})` : ""}`)).toMatchInlineSnapshot(`
      [
        "3:1 schema-conflict a pipeline job has either jobs or component, not both",
        "6:34 schema-enum "mode" in "inputs.data" must be one of ro_mount, download, direct, eval_mount, eval_download, not the string "rw_mount" (did you mean "ro_mount"?)",
        "6:44 schema-unknown-key unknown key "pth" in "inputs.data" (did you mean "path"?)",
        "8:33 schema-enum "mode" in "outputs.m" must be one of rw_mount, upload, mount, direct, not the string "ro_mount" (did you mean "rw_mount"?)",
      ]
    `);
  });

  it("needs type: pipeline", async () => {
    const { diagnostics } = await loadOne(`${head}\ntype: command\njobs: {}\n`);
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`)).toMatchInlineSnapshot(`
      [
        "2:7 schema-enum "type" must be "pipeline", not the string "command"",
      ]
    `);
  });
});
