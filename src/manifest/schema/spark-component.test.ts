import { describe, expect, it } from "vitest";
import { loadOne, schemaLine } from "../memory-tree.test-helper.js";

const head = schemaLine("sparkComponent");

describe("spark component manifests", () => {
  it("accepts a file entry, Spark configuration and data I/O", async () => {
    const { manifest, diagnostics } = await loadOne(
      `${head}\nname: wrangle\ntype: spark\nversion: 1\ncode: ./src\nentry:\n  file: wrangle.py\ninputs:\n  raw: {type: uri_file, mode: direct}\noutputs:\n  clean: {type: uri_folder, mode: direct}\nargs: --raw \${{inputs.raw}}\nconf:\n  spark.driver.cores: 1\n  spark.dynamicAllocation.enabled: True\n`,
    );
    expect(diagnostics).toEqual([]);
    expect(manifest?.kind).toBe("spark_component");
  });

  it("warns that a component's resources and identity are ignored, as Azure ML ignores them", async () => {
    const { manifest, diagnostics } = await loadOne(
      `${head}\nname: s\ntype: spark\nentry: {file: a.py}\nresources:\n  instance_type: standard_e4s_v3\n  runtime_version: "3.3"\nidentity: {type: managed}\n`,
    );
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.code}`)).toEqual(["5:1 warning ignored-key", "8:1 warning ignored-key"]);
    expect(Object.keys(manifest?.spec ?? {})).not.toContain("resources");
  });

  it("refuses primitive outputs, a malformed entry and repeated files", async () => {
    const { diagnostics } = await loadOne(
      `${head}\nname: s\ntype: spark\nentry: {file: a.py, class_name: A}\npy_files: [a.py, a.py]\noutputs:\n  score: {type: number}\n`,
    );
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`)).toMatchInlineSnapshot(`
      [
        "4:21 schema-unknown-key unknown key "class_name" in "entry"",
        "5:18 schema-value "a.py" is listed twice",
        "7:17 schema-enum outputs of this component type must be data (uri_file, uri_folder, mltable, mlflow_model, custom_model, triton_model, path), not number",
      ]
    `);
  });
});
