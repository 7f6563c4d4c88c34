// The azureml-assets sample (../shared/corpus/azureml-assets: 86 assets of Azure/azureml-assets, unchanged),
// validated as one repository in that layout, matches test/corpus-assets-expectations.tsv: each asset (an
// asset.yaml folder) is valid but for the genuinely broken ones, each with its defect stated there. A missing
// corpus fails the test: CI always has ../shared.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../src/diagnostics.js";
import { validateRepository } from "../src/manifest/validate.js";
import { WorkTree } from "../src/source/tree.js";

const corpusRoot = path.resolve(import.meta.dirname, "../../shared/corpus/azureml-assets");

interface Expectation {
  errors: string;
  warnings: string;
  why: string;
}

function readExpectations(): Map<string, Expectation> {
  const rows = new Map<string, Expectation>();
  for (const line of readFileSync(path.resolve(import.meta.dirname, "corpus-assets-expectations.tsv"), "utf8").split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const [file = "", errors = "", warnings = "", why = ""] = line.split("\t");
    rows.set(file, { errors, warnings, why });
  }
  return rows;
}

const codes = (diagnostics: Diagnostic[], severity: Diagnostic["severity"]) =>
  [...new Set(diagnostics.filter((d) => d.severity === severity).map((d) => d.code))].sort().join(",");

describe("the azureml-assets sample", () => {
  it("is present (../shared/corpus/azureml-assets)", () => {
    expect(existsSync(corpusRoot), `the corpus is missing: ${corpusRoot} (it ships in ../shared/corpus)`).toBe(true);
  });

  it("validates each asset as expected, every diagnostic located", async () => {
    expect(existsSync(corpusRoot), `the corpus is missing: ${corpusRoot}`).toBe(true);
    const tree = new WorkTree(corpusRoot);
    const files = await tree.listFiles();
    const assetFiles = files.filter((f) => f.endsWith("/asset.yaml")).sort();
    expect(assetFiles).toHaveLength(86);
    const { manifests, diagnostics } = await validateRepository(tree);
    expect(diagnostics.filter((d) => d.file === "" || d.line < 1 || d.column < 1)).toEqual([]);

    // Each diagnostic belongs to the asset whose folder holds its file; others are rows of their own file.
    const folders = assetFiles.map((f) => path.posix.dirname(f)).sort((a, b) => b.length - a.length);
    const byRow = new Map<string, Diagnostic[]>(assetFiles.map((f) => [f, []]));
    for (const d of diagnostics) {
      const folder = folders.find((dir) => d.file.startsWith(`${dir}/`));
      const row = folder === undefined ? d.file : `${folder}/asset.yaml`;
      byRow.set(row, [...(byRow.get(row) ?? []), d]);
    }
    const results = [...byRow].map(([row, ds]) => `${row}\t${codes(ds, "error") || "valid"}\t${codes(ds, "warning") || "-"}`).sort();
    const expectations = readExpectations();
    const expected = [...expectations].map(([row, e]) => `${row}\t${e.errors}\t${e.warnings}`).sort();
    expect(results).toEqual(expected);
    const unexplained = [...expectations].filter(([, e]) => e.errors !== "valid" && !e.why.startsWith("# ")).map(([row]) => row);
    expect(unexplained).toEqual([]);

    const specs = new Set(manifests.map((m) => m.file));
    const invalid = [...expectations].filter(([row, e]) => row.endsWith("/asset.yaml") && e.errors !== "valid").length;
    // Every valid asset is a manifest: its spec is read through its asset.yaml.
    expect(assetFiles.filter((f) => [...specs].some((s) => s.startsWith(`${path.posix.dirname(f)}/`))).length).toBe(86 - invalid);
    expect({ valid: 86 - invalid, invalid }).toEqual({ valid: 85, invalid: 1 });
  });
});
