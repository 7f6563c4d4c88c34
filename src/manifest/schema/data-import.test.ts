import { describe, expect, it } from "vitest";
import { loadOne } from "../memory-tree.test-helper.js";

const head = "$schema: http://azureml/sdk-2-0/DataImport.json";

describe("data import manifests", () => {
  it("accepts a database query and a file-system path", async () => {
    const db = await loadOne(`${head}\ntype: mltable\nname: sql_sample\nsource:\n  type: database\n  query: select * from t\n  connection: azureml:my_sql\npath: azureml://datastores/workspaceblobstore/paths/sql/\${{name}}\n`);
    expect(db.diagnostics).toEqual([]);
    expect(db.manifest?.kind).toBe("data_import");
    const fs = await loadOne(`${head}\ntype: uri_folder\nname: s3_sample\nsource: {type: file_system, path: files/t.csv, connection: azureml:s3}\npath: azureml://datastores/x/paths/s3\n`);
    expect(fs.diagnostics).toEqual([]);
  });

  it("needs the field its source type reads", async () => {
    const { diagnostics } = await loadOne(`${head}\ntype: mltable\nname: n\nsource: {type: database, path: x, connection: azureml:c}\npath: azureml://datastores/x/paths/y\n`);
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`)).toMatchInlineSnapshot(`
      [
        "4:9 schema-required a database source needs "query"",
        "4:26 schema-unknown-key "path" does not apply to a database source",
      ]
    `);
  });
});
