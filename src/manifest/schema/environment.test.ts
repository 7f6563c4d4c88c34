import { describe, expect, it } from "vitest";
import { loadOne, schemaLine } from "../memory-tree.test-helper.js";

const head = schemaLine("environment");

describe("environment manifests", () => {
  it("accepts an image with a conda file, and defaults os_type to linux", async () => {
    const { manifest, diagnostics } = await loadOne(`${head}\nname: sklearn-env\nversion: 2\nimage: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04\nconda_file: conda.yml\n`);
    expect(diagnostics).toEqual([]);
    expect(manifest?.spec).toMatchObject({ version: "2", os_type: "linux", conda_file: "conda.yml" });
  });

  it("accepts a build context and an inline conda specification", async () => {
    const inline = await loadOne(`${head}\nname: e\nimage: python:3.11\nconda_file:\n  channels: [conda-forge]\n  dependencies: [python=3.11]\n`);
    expect(inline.diagnostics).toEqual([]);
    const build = await loadOne(`${head}\nname: e\nbuild:\n  path: ./context\n  dockerfile_path: Dockerfile\nos_type: Windows\n`);
    expect(build.manifest?.spec["os_type"]).toBe("windows");
  });

  it("needs exactly one of image and build, and conda_file only with an image", async () => {
    const neither = await loadOne(`${head}\nname: e\n`);
    const both = await loadOne(`${head}\nname: e\nimage: python\nbuild: {path: .}\n`);
    const condaWithBuild = await loadOne(`${head}\nname: e\nbuild: {path: .}\nconda_file: c.yml\n`);
    expect([...neither.diagnostics, ...both.diagnostics, ...condaWithBuild.diagnostics].map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`)).toMatchInlineSnapshot(`
      [
        "1:1 schema-required an environment needs image or build",
        "4:1 schema-conflict an environment has either image or build, not both",
        "4:1 schema-conflict conda_file applies to an image; a build context installs its packages in its Dockerfile",
      ]
    `);
  });

  it("explains a conda file passed where an environment belongs", async () => {
    const { diagnostics } = await loadOne(`${head}\nname: e\nimage: python\nchannels: [conda-forge]\ndependencies: [python=3.11]\n`);
    expect(diagnostics).toMatchInlineSnapshot(`
      [
        {
          "code": "schema-unknown-key",
          "column": 1,
          "hint": "move the packages to conda.yml and write conda_file: conda.yml",
          "line": 4,
          "message": ""channels" belongs in a conda file, not in an environment manifest",
          "path": [
            "channels",
          ],
          "severity": "error",
        },
        {
          "code": "schema-unknown-key",
          "column": 1,
          "hint": "move the packages to conda.yml and write conda_file: conda.yml",
          "line": 5,
          "message": ""dependencies" belongs in a conda file, not in an environment manifest",
          "path": [
            "dependencies",
          ],
          "severity": "error",
        },
      ]
    `);
  });

  it("checks inference routes field by field", async () => {
    const { diagnostics } = await loadOne(
      `${head}\nname: e\nimage: python\ninference_config:\n  liveness_route: {port: 5001, path: /}\n  readiness_route: {port: "x", path: /}\n`,
    );
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`)).toMatchInlineSnapshot(`
      [
        "5:3 schema-required missing required key "scoring_route" in "inference_config"",
        "6:27 schema-type "port" in "inference_config.readiness_route" must be a number, not the string "x"",
      ]
    `);
  });
});
