import { describe, expect, it } from "vitest";
import { runRule } from "./fixture.test-helper.js";
import { checkPipelineBindings } from "./pipeline-bindings.js";

const COMPONENT = "$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json";
const PIPELINE_COMPONENT = "$schema: https://azuremlschemas.azureedge.net/latest/pipelineComponent.schema.json";
const PIPELINE = "$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json";

const TRAIN = [
  COMPONENT,
  "name: train",
  "inputs: {data: {type: uri_folder}, lr: {type: number}}",
  "outputs: {model: {type: uri_folder}}",
  "environment: {image: python}",
  "command: python train.py ${{inputs.data}} ${{inputs.lr}} ${{outputs.model}}",
].join("\n");

describe("pipeline bindings", () => {
  it("accepts bindings to declared pipeline ports, existing steps and their components' ports", async () => {
    const out = await runRule(checkPipelineBindings, {
      "p/train.yml": TRAIN,
      "p/pipeline.yml": [
        PIPELINE,
        "inputs: {raw: {type: uri_folder, path: azureml:raw:1}, rate: 0.1}",
        "outputs: {final: {type: uri_folder}}",
        "settings: {default_compute: azureml:cpu}",
        "jobs:",
        "  prep:",
        "    command: cp -r ${{inputs.src}} ${{outputs.dst}}",
        "    environment: {image: python}",
        "    inputs: {src: '${{parent.inputs.raw}}'}",
        "    outputs: {dst: {type: uri_folder, path: 'azureml://datastores/ws/paths/${{name}}/${{output_name}}'}}",
        "  train:",
        "    component: ./train.yml",
        "    compute: ${{parent.inputs.rate}}",
        "    inputs:",
        "      data: ${{parent.jobs.prep.outputs.dst}}",
        "      lr: ${{parent.inputs.rate}}",
        "    outputs: {model: '${{parent.outputs.final}}'}",
        "  sweep:",
        "    type: sweep",
        "    trial: ./train.yml",
        "    inputs: {data: '${{parent.jobs.train.outputs.model}}', lr: '${{search_space.lr}}'}",
        "    search_space: {lr: {type: uniform, min_value: 0.1, max_value: 0.9}}",
      ].join("\n"),
    });
    expect(out).toBe("");
  });

  it("reports unknown pipeline ports, steps and step ports with did-you-mean", async () => {
    const out = await runRule(checkPipelineBindings, {
      "p/train.yml": TRAIN,
      "p/pipeline.yml": [
        PIPELINE,
        "inputs: {raw_data: {type: uri_folder, path: azureml:raw:1}}",
        "outputs: {final: {type: uri_folder}}",
        "jobs:",
        "  train:",
        "    component: ./train.yml",
        "    inputs:",
        "      data: ${{parent.inputs.rawdata}}",
        "      learning_rate: 0.1",
        "    outputs: {model: '${{parent.outputs.finale}}'}",
        "  score:",
        "    component: azureml:score@latest",
        "    inputs:",
        "      model: ${{parent.jobs.trian.outputs.model}}",
        "      other: ${{parent.jobs.train.outputs.mdl}}",
        "      bad: ${{parent.job.train}}",
        "      wrong_context: ${{inputs.model}}",
      ].join("\n"),
    });
    expect(out).toMatchInlineSnapshot(`
      "p/pipeline.yml:8:13 error binding-unknown-input: jobs.train.inputs.data: \${{parent.inputs.rawdata}} names no input of the pipeline. Did you mean raw_data?
          hint: Declare rawdata under the pipeline's top-level inputs: (now: raw_data), or fix the name.
      p/pipeline.yml:9:22 warning step-unknown-input: jobs.train.inputs.learning_rate: the component (p/train.yml) declares no input learning_rate, so this input goes nowhere.
          hint: Its inputs: data, lr.
      p/pipeline.yml:10:22 error binding-unknown-output: jobs.train.outputs.model: \${{parent.outputs.finale}} names no output of the pipeline. Did you mean final?
          hint: Declare finale under the pipeline's top-level outputs: (now: final), or fix the name.
      p/pipeline.yml:14:14 error binding-unknown-step: jobs.score.inputs.model: \${{parent.jobs.trian.outputs.model}} names no step of the pipeline. Did you mean train?
          hint: Steps under jobs: train, score.
      p/pipeline.yml:15:14 error binding-unknown-step-output: jobs.score.inputs.other: \${{parent.jobs.train.outputs.mdl}} names no output of step train (component p/train.yml). Did you mean model?
          hint: Its outputs: model.
      p/pipeline.yml:16:12 error binding-invalid: jobs.score.inputs.bad: \${{parent.job.train}} is not a valid pipeline binding
          hint: Write \${{parent.inputs.<name>}}, \${{parent.outputs.<name>}} or \${{parent.jobs.<step>.outputs.<name>}}.
      p/pipeline.yml:17:22 error binding-invalid: jobs.score.inputs.wrong_context: \${{inputs.model}} is not a binding a step's input or output can use
          hint: Bind to the pipeline with \${{parent.inputs.<name>}} / \${{parent.outputs.<name>}}, or to another step with \${{parent.jobs.<step>.outputs.<name>}}."
    `);
  });

  it("reports a cycle between steps, naming them in order, and a step consuming itself", async () => {
    const out = await runRule(checkPipelineBindings, {
      "pc.yml": [
        PIPELINE_COMPONENT,
        "name: looped",
        "jobs:",
        "  a:",
        "    command: echo",
        "    inputs: {x: '${{parent.jobs.c.outputs.o}}'}",
        "    outputs: {o: {type: uri_folder}}",
        "  b:",
        "    command: echo",
        "    inputs: {x: '${{parent.jobs.a.outputs.o}}'}",
        "  c:",
        "    command: echo",
        "    inputs: {x: '${{parent.jobs.b.outputs.o}}'}",
        "  d:",
        "    command: echo",
        "    inputs: {x: '${{parent.jobs.a.outputs.o}}'}",
        "  self:",
        "    command: echo",
        "    inputs: {x: '${{parent.jobs.self.outputs.o}}'}",
      ].join("\n"),
    });
    expect(out).toMatchInlineSnapshot(`
      "pc.yml:6:17 error pipeline-cycle: steps a → c → b → a each wait for the next one's output, so none of them can start
          hint: A step can only consume outputs of steps that do not, directly or indirectly, consume its own outputs.
      pc.yml:19:17 error pipeline-cycle: jobs.self consumes its own output, so it can never start
          hint: A step can only consume outputs of steps that do not, directly or indirectly, consume its own outputs."
    `);
  });
});
