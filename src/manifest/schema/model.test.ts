import { describe, expect, it } from "vitest";
import { loadOne, schemaLine } from "../memory-tree.test-helper.js";

const head = schemaLine("model");

describe("model manifests", () => {
  it("applies the default type, keeps the author's version text and drops read-only keys", async () => {
    const { manifest, diagnostics } = await loadOne(
      `${head}\nname: credit-model\nversion: 1.10\npath: ./model\nid: azureml:/subscriptions/x\ncreation_context: {created_by: me}\ntags: {stage: 2}\n`,
      { files: { "model/model.pkl": "x" } },
    );
    expect(manifest?.spec).toEqual({ name: "credit-model", version: "1.10", type: "custom_model", path: "./model", tags: { stage: "2" } });
    expect(manifest?.version).toBe("1.10");
    expect(diagnostics).toMatchInlineSnapshot(`
      [
        {
          "code": "version-float",
          "column": 10,
          "hint": "quote it: version: "1.10"",
          "line": 3,
          "message": "version 1.10 is written as a number: assetctl reads "1.10", Azure ML would register "1.1"",
          "path": [
            "version",
          ],
          "severity": "warning",
        },
      ]
    `);
  });

  it("reads enums in any casing, as Azure ML does, and keeps them lower-cased", async () => {
    const { manifest } = await loadOne(`${head}\nname: m\npath: runs:/abc/model\ntype: MLflow_Model\n`);
    expect(manifest?.spec["type"]).toBe("mlflow_model");
  });

  it("reports typos, wrong types, bad names and versions where they are", async () => {
    const { manifest, diagnostics } = await loadOne(
      `${head}\nname: credit/model\nversion: 1/2\ntype: mlflow\npth: ./model\ndescription: [a]\n`,
    );
    expect(manifest).toBeUndefined();
    expect(diagnostics).toMatchInlineSnapshot(`
      [
        {
          "code": "schema-required",
          "column": 1,
          "line": 1,
          "message": "missing required key "path"",
          "severity": "error",
        },
        {
          "code": "name-invalid",
          "column": 7,
          "line": 2,
          "message": ""credit/model" is not a valid model name: use letters, digits, '-', '_' and '.', starting with a letter or digit, at most 255 characters",
          "path": [
            "name",
          ],
          "severity": "error",
        },
        {
          "code": "version-invalid",
          "column": 10,
          "hint": "versions become parts of identifiers and file names, e.g. 1, 2024.05.01 or 1.2.0-rc1",
          "line": 3,
          "message": ""1/2" is not a valid version: use letters, digits, '.', '_' and '-'",
          "path": [
            "version",
          ],
          "severity": "error",
        },
        {
          "code": "schema-enum",
          "column": 7,
          "hint": "did you mean "mlflow_model"?",
          "line": 4,
          "message": ""type" must be one of custom_model, mlflow_model, triton_model, not the string "mlflow"",
          "path": [
            "type",
          ],
          "severity": "error",
        },
        {
          "code": "schema-unknown-key",
          "column": 1,
          "hint": "did you mean "path"?",
          "line": 5,
          "message": "unknown key "pth"",
          "path": [
            "pth",
          ],
          "severity": "error",
        },
        {
          "code": "schema-type",
          "column": 14,
          "line": 6,
          "message": ""description" must be a string, not a list",
          "path": [
            "description",
          ],
          "severity": "error",
        },
      ]
    `);
  });
});
