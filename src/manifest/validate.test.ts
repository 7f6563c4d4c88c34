import { describe, expect, it } from "vitest";
import { MemoryTree, schemaLine } from "./memory-tree.test-helper.js";
import { validateRepository } from "./validate.js";

describe("validateRepository", () => {
  it("reports the loader's and the rules' findings together, in file order", async () => {
    const { manifests, diagnostics } = await validateRepository(
      new MemoryTree({
        "b/model.yml": `${schemaLine("model")}\nname: m\npath: ./missing.pkl\n`,
        "a/data.yml": `${schemaLine("data")}\nname: d\npath: https://example.com/d.csv\ntyp: uri_file\n`,
      }),
    );
    expect(manifests.map((m) => m.file)).toEqual(["b/model.yml"]);
    expect(diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code}`)).toMatchInlineSnapshot(`
      [
        "a/data.yml:4:1 error schema-unknown-key",
        "b/model.yml:3:7 error path-missing",
      ]
    `);
  });
});
