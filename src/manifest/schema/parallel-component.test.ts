import { describe, expect, it } from "vitest";
import { specFields } from "../../source/spec-fields.js";
import { loadOne, schemaLine } from "../memory-tree.test-helper.js";

const parallel = `${schemaLine("parallelComponent")}
name: score_batch
version: 1
type: parallel
inputs:
  data:
    type: uri_folder
outputs:
  scores:
    type: uri_folder
input_data: \${{inputs.data}}
mini_batch_size: "10kb"
retry_settings:
  max_retries: 2
  timeout: 60
logging_level: INFO
max_concurrency_per_instance: 2
error_threshold: 5
task:
  type: run_function
  code: ./src
  entry_script: score.py
  environment: azureml:py-env@latest
  append_row_to: \${{outputs.scores}}
`;

describe("parallel and AutoML component manifests", () => {
  it("reads a parallel component, its task's code and environment", async () => {
    const { manifest, diagnostics } = await loadOne(parallel, { files: { "src/score.py": "print(1)\n" } });
    expect(diagnostics).toEqual([]);
    expect(manifest?.kind).toBe("parallel_component");
    const fields = specFields("parallel_component", manifest?.spec ?? {});
    expect(fields.paths.map((p) => p.at)).toEqual([["task", "code"]]);
    expect(fields.references.map((r) => `${r.kind}:${r.name}@${r.version}`)).toEqual(["environment:py-env@latest"]);
  });

  it("picks the schema by type, warning when $schema says otherwise", async () => {
    const { manifest, diagnostics } = await loadOne(`${schemaLine("commandComponent")}\nname: classify\ntype: automl\ntask: classification\n`);
    expect(manifest?.kind).toBe("automl_component");
    expect(diagnostics.map((d) => d.code)).toEqual(["schema-kind-mismatch"]);
  });
});
