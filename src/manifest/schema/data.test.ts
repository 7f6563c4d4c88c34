import { describe, expect, it } from "vitest";
import { loadOne, schemaLine } from "../memory-tree.test-helper.js";

const head = schemaLine("data");

describe("data manifests", () => {
  it("defaults the type to uri_folder and drops the read-only properties", async () => {
    const { manifest, diagnostics } = await loadOne(`${head}\nname: titanic.csv\npath: https://example.com/titanic.csv\nproperties: {a: b}\n`);
    expect(diagnostics).toEqual([]);
    expect(manifest?.spec).toEqual({ name: "titanic.csv", path: "https://example.com/titanic.csv", type: "uri_folder" });
    expect(manifest?.version).toBeUndefined();
  });

  it("matches the type exactly, as Azure ML's data schema does", async () => {
    const { diagnostics } = await loadOne(`${head}\nname: d\npath: ./x\ntype: URI_FILE\n`, { files: { x: "x" } });
    expect(diagnostics).toMatchInlineSnapshot(`
      [
        {
          "code": "schema-enum",
          "column": 7,
          "hint": "did you mean "uri_file"?",
          "line": 4,
          "message": ""type" must be one of uri_file, uri_folder, mltable, not the string "URI_FILE"",
          "path": [
            "type",
          ],
          "severity": "error",
        },
      ]
    `);
  });

  it("requires a name and a path", async () => {
    const { diagnostics } = await loadOne(`${head}\ndescription: nothing else\n`);
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`)).toMatchInlineSnapshot(`
      [
        "1:1 schema-required missing required key "name"",
        "1:1 schema-required missing required key "path"",
      ]
    `);
  });
});
