// Every spec of the shared Azure ML examples corpus, validated on its own as `assetctl validate <file>`
// would, matches test/corpus-expectations.tsv: what Azure ML accepts validates, and each invalid file is
// invalid for a genuine defect stated there. No file may crash the loader or yield an unlocated diagnostic.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../src/diagnostics.js";
import { validateRepository } from "../src/manifest/validate.js";
import { WorkTree, type SourceTree, type TreeEntry } from "../src/source/tree.js";

const corpusRoot = path.resolve(import.meta.dirname, "../../shared/corpus/azureml-examples");

interface Expectation {
  errors: string;
  warnings: string;
  why: string;
}

function readExpectations(): Map<string, Expectation> {
  const rows = new Map<string, Expectation>();
  for (const line of readFileSync(path.resolve(import.meta.dirname, "corpus-expectations.tsv"), "utf8").split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const [file = "", errors = "", warnings = "", why = ""] = line.split("\t");
    rows.set(file, { errors, warnings, why });
  }
  return rows;
}

/** The corpus with an assetctl.yaml that maps one file to a kind: for specs that carry no $schema. */
class WithConfig implements SourceTree {
  readonly root: string;
  readonly label: string;
  private readonly config: Buffer;
  constructor(
    private readonly inner: SourceTree,
    config: string,
  ) {
    this.root = inner.root;
    this.label = inner.label;
    this.config = Buffer.from(config);
  }
  async listFiles(): Promise<string[]> {
    return [...(await this.inner.listFiles()), "assetctl.yaml"].sort();
  }
  async stat(relPath: string): Promise<TreeEntry | undefined> {
    return relPath === "assetctl.yaml" ? { path: relPath, type: "file", size: this.config.length, mode: 0o644 } : this.inner.stat(relPath);
  }
  readDir(relPath: string): Promise<TreeEntry[]> {
    return this.inner.readDir(relPath);
  }
  async readFile(relPath: string, maxBytes?: number): Promise<Buffer> {
    return relPath === "assetctl.yaml" ? this.config : this.inner.readFile(relPath, maxBytes);
  }
  readLink(relPath: string): Promise<string> {
    return this.inner.readLink(relPath);
  }
}

const codes = (diagnostics: Diagnostic[], severity: Diagnostic["severity"]) =>
  [...new Set(diagnostics.filter((d) => d.severity === severity).map((d) => d.code))].sort().join(",");

describe("the Azure ML examples corpus", () => {
  // CI always has ../shared: a missing corpus is a failure, never a silent skip.
  it("is present (../shared/corpus/azureml-examples)", () => {
    expect(existsSync(corpusRoot), `the corpus is missing: ${corpusRoot} (it ships in ../shared/corpus)`).toBe(true);
  });

  const index = existsSync(corpusRoot)
    ? readFileSync(path.join(corpusRoot, "INDEX.tsv"), "utf8")
        .trim()
        .split("\n")
        .map((line) => line.split("\t") as [string, string, string])
    : [];
  const expectations = readExpectations();

  it("has one expectation per spec, and a stated defect for each invalid one", () => {
    expect(index).toHaveLength(229);
    expect([...expectations.keys()].sort()).toEqual(index.map(([file]) => file).sort());
    const unexplained = [...expectations].filter(([, e]) => e.errors !== "valid" && !e.why.startsWith("# ")).map(([file]) => file);
    expect(unexplained).toEqual([]);
  });

  it("validates each spec on its own as expected", async () => {
    const results: string[] = [];
    const expected: string[] = [];
    const unlocated: Diagnostic[] = [];
    for (const [file, kind, schema] of index) {
      const work = new WorkTree(corpusRoot);
      // A spec without $schema is a manifest where assetctl.yaml maps it; say so, as a user would.
      const tree = schema === "" ? new WithConfig(work, `kinds:\n  ${JSON.stringify(file)}: ${kind}\n`) : work;
      const { diagnostics } = await validateRepository(tree, { paths: [file] });
      unlocated.push(...diagnostics.filter((d) => d.file === "" || d.line < 1 || d.column < 1));
      results.push(`${file}\t${codes(diagnostics, "error") || "valid"}\t${codes(diagnostics, "warning") || "-"}`);
      const e = expectations.get(file);
      expected.push(`${file}\t${e?.errors}\t${e?.warnings}`);
    }
    expect(unlocated).toEqual([]);
    expect(results).toEqual(expected);
    const valid = results.filter((r) => r.split("\t")[1] === "valid").length;
    expect({ valid, invalid: results.length - valid }).toEqual({ valid: 214, invalid: 15 });
  });

  it("validates the whole corpus in one pass without an unlocated diagnostic", async () => {
    const { manifests, diagnostics } = await validateRepository(new WorkTree(corpusRoot));
    expect(manifests.length).toBeGreaterThan(200);
    expect(diagnostics.filter((d) => d.file === "" || d.line < 1 || d.column < 1)).toEqual([]);
  });
});
