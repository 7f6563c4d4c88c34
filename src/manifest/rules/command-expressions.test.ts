import { describe, expect, it } from "vitest";
import { checkCommandExpressions } from "./command-expressions.js";
import { runRule } from "./fixture.test-helper.js";

const COMPONENT = "$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json";
const SPARK = "$schema: https://azuremlschemas.azureedge.net/latest/sparkComponent.schema.json";
const PIPELINE = "$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json";

const component = (command: string): string =>
  [
    COMPONENT,
    "name: train",
    "inputs:",
    "  training_data: {type: uri_folder}",
    "  max_epochs: {type: integer, optional: true}",
    "  learning_rate: {type: number, default: 0.01}",
    "outputs:",
    "  model_output: {type: uri_folder}",
    "environment: {image: python}",
    "command: >-",
    ...command.split("\n").map((line) => `  ${line}`),
    "",
  ].join("\n");

describe("command expressions", () => {
  it("accepts declared ports, optional inputs in $[[…]] and service macros", async () => {
    const out = await runRule(checkCommandExpressions, {
      "c.yml": component(
        [
          "python train.py --data ${{inputs.training_data}}",
          "$[[--max_epochs ${{ inputs.max_epochs }}]]",
          "--lr ${{inputs.learning_rate}} --out ${{outputs.model_output}} --run ${{name}}",
        ].join("\n"),
      ),
      "s.yml": [
        SPARK,
        "name: s",
        "inputs: {data: {type: uri_file}}",
        "outputs: {out: {type: uri_folder}}",
        "args: --data ${{inputs.data}} --out ${{outputs.out}}",
      ].join("\n"),
    });
    expect(out).toBe("");
  });

  it("reports unknown ports with a did-you-mean, at the expression inside the folded command", async () => {
    const out = await runRule(checkCommandExpressions, {
      "c.yml": component(
        [
          "python train.py --data ${{inputs.training_dta}}",
          "--lr ${{inputs.learning_rate}} --out ${{outputs.model}}",
          "--x ${{inputs.nothing_like_it}}",
        ].join("\n"),
      ),
    });
    expect(out).toMatchInlineSnapshot(`
      "c.yml:11:26 error expression-unknown-input: command: \${{inputs.training_dta}} names no declared input. Did you mean training_data?
          hint: Declared inputs: training_data, max_epochs, learning_rate. Declare training_dta under inputs:, or fix the name.
      c.yml:12:40 error expression-unknown-output: command: \${{outputs.model}} names no declared output. Did you mean model_output?
          hint: Declared outputs: model_output. Declare model under outputs:, or fix the name.
      c.yml:13:7 error expression-unknown-input: command: \${{inputs.nothing_like_it}} names no declared input.
          hint: Declared inputs: training_data, max_epochs, learning_rate. Declare nothing_like_it under inputs:, or fix the name."
    `);
  });

  it("requires optional inputs inside $[[…]] and only optional inputs there", async () => {
    const out = await runRule(checkCommandExpressions, {
      "c.yml": component(
        [
          "python train.py --epochs ${{inputs.max_epochs}}",
          "$[[--data ${{inputs.training_data}}]] --out ${{outputs.model_output}}",
          "--name $[[inputs.max_epochs]]",
        ].join("\n"),
      ),
    });
    expect(out).toMatchInlineSnapshot(`
      "c.yml:11:28 error optional-input-outside-brackets: command: the optional input max_epochs is used outside $[[…]]; without a value the command would get an empty argument
          hint: Wrap the argument and its flag: $[[--max_epochs \${{inputs.max_epochs}}]], so Azure ML drops both when no value is given; or make the input required.
      c.yml:12:13 error required-input-in-brackets: command: training_data is a required input, but only optional inputs can be in $[[…]]
          hint: Declare training_data with optional: true, or move \${{inputs.training_data}} out of $[[…]].
      c.yml:13:10 warning brackets-without-input: command: $[[inputs.max_epochs]] holds no \${{inputs.…}} expression, so its text is passed as written
          hint: Write $[[--max_epochs \${{inputs.max_epochs}}]]: inside $[[…]] the input still needs \${{…}}."
    `);
  });

  it("reports expressions a command cannot use and unterminated ones", async () => {
    const out = await runRule(checkCommandExpressions, {
      "c.yml": component("python train.py ${{parent.inputs.x}} ${{input.training_data}} --tail ${{inputs.training_data"),
    });
    expect(out).toMatchInlineSnapshot(`
      "c.yml:11:19 error expression-unknown: command: \${{parent.inputs.x}} is not an expression a command can use
          hint: Pipeline bindings (\${{parent.…}}) belong in a node's inputs and outputs; in the command, write \${{inputs.<name>}} and bind the input in the node.
      c.yml:11:40 error expression-unknown: command: \${{input.training_data}} is not an expression a command can use
          hint: A command can use \${{inputs.<name>}}, \${{outputs.<name>}}, \${{search_space.<name>}} in a sweep trial, and \${{name}}, \${{output_name}}, \${{default_datastore}}.
      c.yml:11:72 error expression-unterminated: command: \${{ is never closed with }}
          hint: Write the expression as \${{inputs.<name>}}."
    `);
  });

  it("checks inline command jobs and parallel tasks against the node's own inputs and outputs", async () => {
    const out = await runRule(checkCommandExpressions, {
      "p.yml": [
        PIPELINE,
        "jobs:",
        "  inline:",
        "    command: echo ${{inputs.msg}} ${{inputs.mgs}}",
        "    environment: {image: python}",
        "    inputs: {msg: hello}",
        "  batch:",
        "    type: parallel",
        "    inputs: {data: {type: mltable, path: azureml:d:1}}",
        "    outputs: {out: {type: uri_file}}",
        "    input_data: ${{inputs.data}}",
        "    task:",
        "      program_arguments: --out ${{outputs.output}}",
        "  with_inline_component:",
        "    component:",
        "      inputs: {a: {type: string, optional: true}}",
        "      command: echo ${{inputs.a}}",
        "      environment: {image: python}",
      ].join("\n"),
    });
    expect(out).toMatchInlineSnapshot(`
      "p.yml:4:35 error expression-unknown-input: jobs.inline.command: \${{inputs.mgs}} names no declared input. Did you mean msg?
          hint: Declared inputs: msg. Declare mgs under inputs:, or fix the name.
      p.yml:13:32 error expression-unknown-output: jobs.batch.task.program_arguments: \${{outputs.output}} names no declared output.
          hint: Declared outputs: out. Declare output under outputs:, or fix the name.
      p.yml:17:21 error optional-input-outside-brackets: jobs.with_inline_component.component.command: the optional input a is used outside $[[…]]; without a value the command would get an empty argument
          hint: Wrap the argument and its flag: $[[--a \${{inputs.a}}]], so Azure ML drops both when no value is given; or make the input required."
    `);
  });
});
