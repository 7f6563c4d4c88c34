// `assetctl validate --format github`: one workflow command per diagnostic, which GitHub turns into an
// annotation on the line at fault. What GitHub parses is the contract: its escaping and its paths.
import { afterAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "../../src/diagnostics.js";
import { renderDiagnosticsGithub } from "../../src/cli/render/diagnostics.js";
import { TempRepo } from "../e2e/harness.js";

function d(fields: Partial<Diagnostic>): Diagnostic {
  return { code: "schema-type", severity: "error", message: "expected a string", file: "models/credit.yml", line: 3, column: 7, ...fields };
}

describe("renderDiagnosticsGithub", () => {
  it("writes errors and warnings with file, line, column and a title naming the code", () => {
    const text = renderDiagnosticsGithub([
      d({ hint: "quote it" }),
      d({ code: "version-float", severity: "warning", message: 'version 1.10 is written as a number', line: 4, column: 10 }),
    ]);
    expect(text).toMatchInlineSnapshot(`
      "::error file=models/credit.yml,line=3,col=7,title=assetctl schema-type::expected a string (quote it)
      ::warning file=models/credit.yml,line=4,col=10,title=assetctl version-float::version 1.10 is written as a number"
    `);
  });

  it("escapes % and line breaks in messages, and also : and , in properties", () => {
    const text = renderDiagnosticsGithub([
      d({ file: "data/a,b:c%.yml", message: "100% sure:\nline two, with a comma\r\nand three" }),
    ]);
    expect(text).toMatchInlineSnapshot(`"::error file=data/a%2Cb%3Ac%25.yml,line=3,col=7,title=assetctl schema-type::100%25 sure:%0Aline two, with a comma%0D%0Aand three"`);
    expect(text).not.toContain("\n");
  });

  it("leaves out what is unknown, and places paths from the repository's top", () => {
    const text = renderDiagnosticsGithub([d({ file: "", line: 0, column: 0, code: "config-invalid" }), d({ line: 2, column: 0 })], "assets/");
    expect(text).toMatchInlineSnapshot(`
      "::error title=assetctl config-invalid::expected a string
      ::error file=assets/models/credit.yml,line=2,title=assetctl schema-type::expected a string"
    `);
  });
});

describe("assetctl validate --format github (built CLI)", () => {
  const repo = new TempRepo({
    "ml/assetctl.yaml": "exclude: []\n",
    "ml/models/credit.yml": [
      "$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json",
      "name: credit",
      "pth: ./model.pkl",
      "",
    ].join("\n"),
  });
  afterAll(() => repo.remove());

  it("annotates the line at fault, by its path from the repository's top, and exits 1", async () => {
    repo.commit("a model with a typo");
    const result = await repo.run(["validate", "--format", "github", "--dir", "ml"]);
    expect(result.code).toBe(1);
    const lines = result.stdout.trim().split("\n");
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => /^::(error|warning) /.test(l))).toBe(true);
    expect(lines.find((l) => l.includes("schema-unknown-key"))).toMatch(/^::error file=ml\/models\/credit\.yml,line=3,col=1,title=assetctl schema-unknown-key::/);
  });
});
