import { describe, expect, it } from "vitest";
import { checkDuplicates } from "./duplicates.js";
import { runRule } from "./fixture.test-helper.js";

const MODEL = "$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json";
const COMPONENT = "$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json";
const BLOB = "$schema: https://azuremlschemas.azureedge.net/latest/azureBlob.schema.json";

describe("duplicate definitions", () => {
  it("accepts identical copies, different versions, and anonymous components", async () => {
    const out = await runRule(
      checkDuplicates,
      {
        "a/model.yml": `${MODEL}\nname: iris\nversion: 1\npath: ../shared/model.pkl\n`,
        "b/model.yml": `${MODEL}\nname: iris\nversion: 1\npath: ../shared/model.pkl\n`,
        "c/model.yml": `${MODEL}\nname: iris\nversion: 2\npath: other.pkl\n`,
        "p1/hello.yml": `${COMPONENT}\nname: hello\nversion: 1\ncode: ./src\ncommand: echo one\nenvironment: {image: python}\n`,
        "p2/hello.yml": `${COMPONENT}\nname: hello\nversion: 1\ncode: ./src\ncommand: echo two\nenvironment: {image: python}\n`,
      },
      {},
      { "p1/hello.yml": { anonymous: true }, "p2/hello.yml": { anonymous: true } },
    );
    expect(out).toBe("");
  });

  it("reports one version defined twice with different content, in both files", async () => {
    const out = await runRule(checkDuplicates, {
      "a/model.yml": `${MODEL}\nname: iris\nversion: 1\npath: ./model.pkl\ndescription: first\n`,
      "b/model.yml": `${MODEL}\nname: iris\nversion: 1\npath: ./model.pkl\ndescription: second\n`,
      "c/ds.yml": `${BLOB}\nname: blobs\ntype: azure_blob\naccount_name: a\ncontainer_name: c\n`,
      "d/ds.yml": `${BLOB}\nname: blobs\ntype: azure_blob\naccount_name: b\ncontainer_name: c\n`,
    });
    expect(out).toMatchInlineSnapshot(`
      "a/model.yml:3:10 error duplicate-definition: model iris version 1 is also defined in b/model.yml, with different description, path
          hint: A version never changes once created: give one definition a new version, or make both identical.
      b/model.yml:3:10 error duplicate-definition: model iris version 1 is also defined in a/model.yml, with different description, path
          hint: A version never changes once created: give one definition a new version, or make both identical.
      c/ds.yml:2:7 error duplicate-definition: datastore blobs is also defined in d/ds.yml, with different account_name
          hint: A datastore has one definition: keep one file, or give the other its own name.
      d/ds.yml:2:7 error duplicate-definition: datastore blobs is also defined in c/ds.yml, with different account_name
          hint: A datastore has one definition: keep one file, or give the other its own name."
    `);
  });
});
