import { describe, expect, it } from "vitest";
import { loadOne, schemaLine } from "../memory-tree.test-helper.js";

describe("datastore manifests", () => {
  it("accepts each type with its credential shapes, the type in any casing", async () => {
    const blob = await loadOne(`${schemaLine("azureBlob")}\nname: blob_store\ntype: AzureBlob\naccount_name: acct\ncontainer_name: data\ncredentials:\n  account_key: \${{env.BLOB_KEY}}\n`);
    expect(blob.diagnostics).toEqual([]);
    expect(blob.manifest?.spec["type"]).toBe("azure_blob");
    const file = await loadOne(`${schemaLine("azureFile")}\nname: share\ntype: azure_file\naccount_name: acct\nfile_share_name: s\ncredentials: {sas_token: "\${{env.SAS}}"}\n`);
    expect(file.diagnostics).toEqual([]);
    const gen2 = await loadOne(
      `${schemaLine("azureDataLakeGen2")}\nname: lake\ntype: azure_data_lake_gen2\naccount_name: acct\nfilesystem: fs\ncredentials:\n  tenant_id: t\n  client_id: c\n  client_secret: \${{env.SECRET}}\n`,
    );
    expect(gen2.diagnostics).toEqual([]);
    const gen1 = await loadOne(`${schemaLine("azureDataLakeGen1")}\nname: old_lake\ntype: azure_data_lake_gen1\nstore_name: store\n`);
    expect(gen1.diagnostics).toEqual([]);
  });

  it("chooses the schema by type and says when $schema disagrees", async () => {
    const { manifest, diagnostics } = await loadOne(`${schemaLine("azureBlob")}\nname: share\ntype: azure_file\naccount_name: acct\nfile_share_name: s\n`);
    expect(manifest?.spec["file_share_name"]).toBe("s");
    expect(diagnostics).toMatchInlineSnapshot(`
      [
        {
          "code": "schema-kind-mismatch",
          "column": 7,
          "line": 3,
          "message": "$schema names the azure_blob datastore schema, but type is azure_file: read as azure_file",
          "path": [
            "type",
          ],
          "severity": "warning",
        },
      ]
    `);
  });

  it("reports an unknown type, a credential of the wrong shape and a bad name", async () => {
    const unknown = await loadOne(`${schemaLine("azureBlob")}\nname: s\ntype: azure_blobb\n`);
    const shape = await loadOne(`${schemaLine("azureBlob")}\nname: my-store\ntype: azure_blob\naccount_name: a\ncontainer_name: c\ncredentials:\n  account_key: \${{env.K}}\n  client_secret: x\n`);
    expect([...unknown.diagnostics, ...shape.diagnostics].map((d) => `${d.line}:${d.column} ${d.code} ${d.message}${d.hint ? ` (${d.hint})` : ""}`)).toMatchInlineSnapshot(`
      [
        "3:7 schema-enum "type" must be one of azure_blob, azure_file, azure_data_lake_gen1, azure_data_lake_gen2, not "azure_blobb" (did you mean "azure_blob"?)",
        "2:7 name-invalid "my-store" is not a valid datastore name: use letters, digits and '_', starting with a letter or digit, at most 255 characters",
        "8:3 schema-unknown-key unknown key "client_secret" in "credentials" (allowed here: account_key)",
      ]
    `);
  });
});
