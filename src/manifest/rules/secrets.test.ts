import { describe, expect, it } from "vitest";
import { manifestsFrom, render } from "./fixture.test-helper.js";
import { parseSecretReference, resolveSecretReference } from "./secret-reference.js";
import { checkSecrets, mayBeSecret, redactSecrets } from "./secrets.js";
import { WorkTree } from "../../source/tree.js";

const BLOB = "$schema: https://azuremlschemas.azureedge.net/latest/azureBlob.schema.json";
const GEN2 = "$schema: https://azuremlschemas.azureedge.net/latest/azureDataLakeGen2.schema.json";
const DATA = "$schema: https://azuremlschemas.azureedge.net/latest/data.schema.json";
const PIPELINE = "$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json";

/** Secret-looking values that must never appear in any output. */
const KEY = "Zm9vYmFyYmF6cXV4c2VjcmV0a2V5MTIzNDU2Nzg5MA==";
const SIG = "r4nd0mS1gn4tur3VALUE%3D";
const CLIENT_SECRET = "p8Q~verysecretclientsecretvalue";

// The rule reads no files; a tree is part of the context only.
const tree = new WorkTree("/nonexistent");
const check = (files: Record<string, string>) => checkSecrets({ manifests: manifestsFrom(files), tree });

describe("secrets", () => {
  it("accepts ${{env.NAME}} references, identity-based datastores and identifying fields", () => {
    const diagnostics = check({
      "a.yml": `${BLOB}\nname: a\ntype: azure_blob\naccount_name: acct\ncontainer_name: c\ncredentials:\n  account_key: \${{env.A_ACCOUNT_KEY}}\n`,
      "b.yml": `${BLOB}\nname: b\ntype: azure_blob\naccount_name: acct\ncontainer_name: c\n`,
      "c.yml": [
        GEN2,
        "name: c",
        "type: azure_data_lake_gen2",
        "account_name: acct",
        "filesystem: fs",
        "credentials:",
        "  tenant_id: 00000000-1111-2222-3333-444444444444",
        "  client_id: 55555555-6666-7777-8888-999999999999",
        "  client_secret: ${{ env.C_CLIENT_SECRET }}",
      ].join("\n"),
      "d.yml": `${DATA}\nname: d\npath: https://acct.blob.core.windows.net/c/x.csv\n`,
    });
    expect(diagnostics).toEqual([]);
  });

  it("refuses literal credentials and never prints them", () => {
    const diagnostics = check({
      "blob.yml": `${BLOB}\nname: blob_example\ntype: azure_blob\naccount_name: acct\ncontainer_name: c\ncredentials:\n  account_key: ${KEY}\n`,
      "gen2.yml": [
        GEN2,
        "name: lake",
        "type: azure_data_lake_gen2",
        "account_name: acct",
        "filesystem: fs",
        "credentials:",
        "  tenant_id: 00000000-1111-2222-3333-444444444444",
        "  client_id: 55555555-6666-7777-8888-999999999999",
        `  client_secret: ${CLIENT_SECRET}`,
      ].join("\n"),
      "sas.yml": `${BLOB}\nname: sas\ntype: azure_blob\naccount_name: acct\ncontainer_name: c\ncredentials:\n  sas_token: "?sv=2022-11-02&ss=b&sig=${SIG}"\n`,
    });
    const text = JSON.stringify(diagnostics);
    for (const secret of [KEY, SIG, CLIENT_SECRET, KEY.slice(0, 8), SIG.slice(0, 8), CLIENT_SECRET.slice(0, 8)]) {
      expect(text).not.toContain(secret);
    }
    expect(render(diagnostics)).toMatchInlineSnapshot(`
      "blob.yml:7:16 error secret-literal: credentials.account_key is a secret written in the manifest; assetctl refuses literal credentials because a secret in git is readable by anyone who can read the repository, and stays in its history after it is removed
          hint: Write account_key: \${{env.BLOB_EXAMPLE_ACCOUNT_KEY}} and set BLOB_EXAMPLE_ACCOUNT_KEY where assetctl apply runs (a CI secret, your shell). If this value was ever committed, rotate it: removing it from the file does not remove it from history.
      gen2.yml:9:18 error secret-literal: credentials.client_secret is a secret written in the manifest; assetctl refuses literal credentials because a secret in git is readable by anyone who can read the repository, and stays in its history after it is removed
          hint: Write client_secret: \${{env.LAKE_CLIENT_SECRET}} and set LAKE_CLIENT_SECRET where assetctl apply runs (a CI secret, your shell). If this value was ever committed, rotate it: removing it from the file does not remove it from history.
      sas.yml:7:14 error secret-literal: credentials.sas_token is a secret written in the manifest; assetctl refuses literal credentials because a secret in git is readable by anyone who can read the repository, and stays in its history after it is removed
          hint: Write sas_token: \${{env.SAS_SAS_TOKEN}} and set SAS_SAS_TOKEN where assetctl apply runs (a CI secret, your shell). If this value was ever committed, rotate it: removing it from the file does not remove it from history."
    `);
  });

  it("warns on redacted placeholders, as in Azure's examples, and explains variable references", () => {
    const diagnostics = check({
      "blob.yml": `${BLOB}\nname: blob_example\ntype: azure_blob\naccount_name: acct\ncontainer_name: c\ncredentials:\n  account_key: XXXxxxXXXxXXXXxxXXXXXxXXXXXxXxxXxXXX\n`,
      "sas.yml": `${BLOB}\nname: sas\ntype: azure_blob\naccount_name: acct\ncontainer_name: c\ncredentials:\n  sas_token: ?xx=XXXX-XX-XX&xx=xxxx&xxx=xxx\n`,
      "shell.yml": `${BLOB}\nname: shell\ntype: azure_blob\naccount_name: acct\ncontainer_name: c\ncredentials:\n  account_key: \${MY_KEY}\n`,
    });
    expect(render(diagnostics)).toMatchInlineSnapshot(`
      "blob.yml:7:16 warning secret-placeholder: credentials.account_key holds a redacted placeholder, not a secret: assetctl apply could not connect with it
          hint: Write account_key: \${{env.BLOB_EXAMPLE_ACCOUNT_KEY}} and set BLOB_EXAMPLE_ACCOUNT_KEY where assetctl apply runs (a CI secret, your shell).
      sas.yml:7:14 warning secret-placeholder: credentials.sas_token holds a redacted placeholder, not a secret: assetctl apply could not connect with it
          hint: Write sas_token: \${{env.SAS_SAS_TOKEN}} and set SAS_SAS_TOKEN where assetctl apply runs (a CI secret, your shell).
      shell.yml:7:16 error secret-reference-invalid: credentials.account_key looks like a variable reference, but not one assetctl reads: secrets are written \${{env.NAME}}
          hint: Write account_key: \${{env.MY_KEY}}."
    `);
  });

  it("finds keys and signatures embedded in other fields of any manifest", () => {
    const diagnostics = check({
      "d.yml": `${DATA}\nname: d\npath: "https://acct.blob.core.windows.net/c/x.csv?sv=2022&sig=${SIG}"\n`,
      "p.yml": [
        PIPELINE,
        "jobs:",
        "  s:",
        "    command: echo",
        `    environment_variables: {CONN: "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=${KEY};"}`,
        "    tags: {redacted: 'AccountKey=XXXXXXXX'}",
        '    environment_variables2: {URL: "https://a.blob.core.windows.net/c?sv=1&sig=$SAS_TOKEN"}',
      ].join("\n"),
    });
    expect(JSON.stringify(diagnostics)).not.toContain(SIG);
    expect(JSON.stringify(diagnostics)).not.toContain(KEY.slice(0, 8));
    expect(render(diagnostics)).toMatchInlineSnapshot(`
      "d.yml:3:7 error secret-literal: path contains a SAS token (sig=… in a URL); a secret in git is readable by anyone who can read the repository, and stays in its history after it is removed
          hint: Use identity-based access or a registered datastore (azureml://datastores/<datastore>/paths/<path>) instead of a signed URL or key, and rotate the secret if it was ever committed.
      p.yml:5:35 error secret-literal: jobs.s.environment_variables.CONN contains a storage account key (AccountKey=…); a secret in git is readable by anyone who can read the repository, and stays in its history after it is removed
          hint: Use identity-based access or a registered datastore (azureml://datastores/<datastore>/paths/<path>) instead of a signed URL or key, and rotate the secret if it was ever committed."
    `);
  });

  it("parses and resolves ${{env.NAME}}", () => {
    expect(parseSecretReference("${{env.KEY_1}}")).toBe("KEY_1");
    expect(parseSecretReference("${{ env.KEY }}")).toBe("KEY");
    expect(parseSecretReference("${{env.1KEY}}")).toBeUndefined();
    expect(parseSecretReference("prefix ${{env.KEY}}")).toBeUndefined();
    expect(resolveSecretReference("${{env.KEY}}", { KEY: "v" })).toBe("v");
    expect(resolveSecretReference("${{env.KEY}}", {})).toBeUndefined();
  });
});

describe("secrets in what is printed", () => {
  it("masks credential values and embedded keys in a source line, whatever follows the key", () => {
    expect(redactSecrets(`  account_key: ${KEY}`)).toBe("  account_key: ***");
    expect(redactSecrets(`  account_key: [${KEY}]`)).toBe("  account_key: ***");
    expect(redactSecrets(`credentials: {client_secret: "${CLIENT_SECRET}", tenant_id: t}`)).toBe("credentials: ***");
    expect(redactSecrets(`  - "sas_token": '${SIG}'`)).toBe(`  - "sas_token": ***`);
    expect(redactSecrets(`path: https://a.blob.core.windows.net/c/f?sv=1&sig=${SIG}&se=2`)).toBe("path: https://a.blob.core.windows.net/c/f?sv=1&sig=***&se=2");
    expect(redactSecrets(`conn: "AccountName=a;AccountKey=${KEY};Suffix=x"`)).toBe(`conn: "AccountName=a;AccountKey=***;Suffix=x"`);
    // Nothing else is touched: names that merely end in a secret word, and ordinary lines.
    expect(redactSecrets("max_token: 512")).toBe("max_token: 512");
    expect(redactSecrets("name: tokenizer")).toBe("name: tokenizer");
    expect(redactSecrets("  account_name: acct")).toBe("  account_name: acct");
  });

  it("tells which values may be secrets, so that messages never quote them", () => {
    expect(mayBeSecret(["credentials"], KEY)).toBe(true);
    expect(mayBeSecret(["credentials", "account_key", 0], KEY)).toBe(true);
    expect(mayBeSecret(["tags", "password"], "x")).toBe(true);
    expect(mayBeSecret(["path"], `https://a/b?sig=${SIG}`)).toBe(true);
    expect(mayBeSecret(["type"], "azure_blobb")).toBe(false);
  });
});
