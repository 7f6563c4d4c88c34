// The JSON Schemas in schemas/ (what an editor checks through the YAML language server) and the zod
// schemas (what `assetctl validate` checks first) give the same verdict on every document of the shared
// Azure ML examples corpus. Where they may not, the reason is listed below, and the list must be exact.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import picomatch from "picomatch";
import { parse, parseDocument } from "yaml";
import { PUBLISHED_SCHEMAS } from "../src/manifest/schema/index.js";

const corpusRoot = path.resolve(import.meta.dirname, "../../shared/corpus/azureml-examples");
const schemasDir = path.resolve(import.meta.dirname, "../schemas");

/**
 * Files where the verdicts differ on purpose. The JSON Schemas also carry the naming and version-text
 * rules, which the loader applies right after zod (as `name-invalid`, `version-invalid` or
 * `template-placeholder`, with a message that names the rule): an editor shows them as the author
 * types, `assetctl validate` reports them in the same pass. So these differ only by a `pattern` on
 * `/name` or `/version`, which the test checks too.
 */
const EXCEPTIONS: Record<string, string> = {
  "cli/endpoints/batch/deploy-pipelines/training-with-components/deployment-onehot/pipeline.yml":
    "component name uci-heart-train-pipeline has hyphens: the loader reports name-invalid",
  "cli/endpoints/batch/deploy-pipelines/training-with-components/deployment-ordinal/pipeline.yml":
    "same name; the loader accepts it because its only use is as an anonymous component (no naming rule), which a per-file editor schema cannot know",
  "cli/jobs/pipelines-with-components/nyc_taxi_data_regression/artifacts/model/nyc-taxi-model.yaml":
    "version: <VERSION> is a template placeholder: the loader reports template-placeholder",
  "cli/jobs/pipelines-with-components/nyc_taxi_data_regression/env_train.yml":
    "version: 1-<VERSION> is a template placeholder: the loader reports template-placeholder",
  "sdk/python/jobs/spark/automation/create_credential_less_data_store.yml":
    "name: <CREDENTIAL_LESS_DATA_STORE_NAME> is a template placeholder: the loader reports template-placeholder",
};

/** The schema file an editor would pick for a corpus file, from its `$schema` (or its kind when absent). */
function schemaFileFor(url: string, kind: string): string | undefined {
  const base = url.split("/").pop() ?? "";
  const file = base.endsWith(".schema.json")
    ? base
    : base.endsWith(".json")
      ? `${base.slice(0, 1).toLowerCase()}${base.slice(1, -".json".length)}.schema.json` // http://azureml/sdk-2-0/CommandComponent.json
      : kind === "pipeline_job"
        ? "pipelineJob.schema.json"
        : "";
  return file in PUBLISHED_SCHEMAS ? file : undefined;
}

interface Verdict {
  file: string;
  schema: string;
  json: boolean;
  zod: boolean;
  errors: ErrorObject[];
}

function compare(): { verdicts: Verdict[]; excluded: { file: string; why: string }[] } {
  // strict: an unknown keyword or a malformed schema would make every verdict meaningless, so it throws.
  // Union types (`type: [string, number]`) are valid JSON Schema, used on purpose for tag values.
  const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
  const compiled = new Map<string, ValidateFunction>();
  const validator = (file: string): ValidateFunction => {
    let validate = compiled.get(file);
    if (!validate) compiled.set(file, (validate = ajv.compile(JSON.parse(readFileSync(path.join(schemasDir, file), "utf8")) as object)));
    return validate;
  };
  const rows = readFileSync(path.join(corpusRoot, "INDEX.tsv"), "utf8").trim().split("\n").map((line) => line.split("\t"));
  const verdicts: Verdict[] = [];
  const excluded: { file: string; why: string }[] = [];
  for (const [file = "", kind = "", url = ""] of rows) {
    const schema = schemaFileFor(url, kind);
    if (!schema) {
      excluded.push({ file, why: `no assetctl schema for ${url}` });
      continue;
    }
    const doc = parseDocument(readFileSync(path.join(corpusRoot, file), "utf8"));
    if (doc.errors.length > 0) {
      excluded.push({ file, why: "not YAML: there is no document for either schema to judge" });
      continue;
    }
    const value: unknown = doc.toJS();
    const validate = validator(schema);
    const json = validate(value);
    const zod = PUBLISHED_SCHEMAS[schema]?.schema.safeParse(value).success ?? false;
    verdicts.push({ file, schema, json, zod, errors: validate.errors ?? [] });
  }
  return { verdicts, excluded };
}

describe("JSON Schemas and zod schemas on the Azure ML examples corpus", () => {
  // CI always has ../shared: a missing corpus is a failure, never a silent skip.
  it("has the corpus", () => {
    expect(existsSync(corpusRoot), `the corpus is missing: ${corpusRoot}`).toBe(true);
  });
  const { verdicts, excluded } = existsSync(corpusRoot) ? compare() : { verdicts: [], excluded: [] };

  it("judge almost every spec of the corpus, with every published schema that the corpus uses", () => {
    expect(verdicts.length).toBeGreaterThanOrEqual(215);
    expect(new Set(verdicts.map((v) => v.schema)).size).toBeGreaterThanOrEqual(10);
    // What is left out, and why: two prompt-flow files (not Azure ML assets) and seven files no YAML parser reads.
    expect(excluded.map((e) => e.why.split(":")[0]).sort()).toEqual([
      ...Array(2).fill("no assetctl schema for https"),
      ...Array(7).fill("not YAML"),
    ]);
  });

  it("agree on every file but the listed exceptions", () => {
    const disagreements = verdicts.filter((v) => v.json !== v.zod).map((v) => v.file);
    expect(disagreements.sort()).toEqual(Object.keys(EXCEPTIONS).sort());
  });

  it("differ on the exceptions only by the name and version rules the loader applies after zod", () => {
    for (const v of verdicts.filter((x) => x.file in EXCEPTIONS)) {
      expect(v.zod, v.file).toBe(true);
      const causes = v.errors.filter((e) => e.keyword === "pattern" || e.keyword === "type" || e.keyword === "anyOf");
      expect(causes.length, v.file).toBe(v.errors.length);
      expect(new Set(v.errors.map((e) => e.instancePath)), v.file).toSatisfy((paths: Set<string>) => [...paths].every((p) => p === "/name" || p === "/version"));
    }
  });

  it("reject what both reject: the comparison is not vacuous", () => {
    const schema = "model.schema.json";
    const entry = PUBLISHED_SCHEMAS[schema];
    const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(path.join(schemasDir, schema), "utf8")) as object);
    const wrong = { name: "m", path: "./m.pkl", pth: "typo" };
    expect(validate(wrong)).toBe(false);
    expect(entry?.schema.safeParse(wrong).success).toBe(false);
  });
});

describe("docs/editors.md", () => {
  const root = path.resolve(import.meta.dirname, "..");
  const text = readFileSync(path.join(root, "docs/editors.md"), "utf8");

  it("maps with yaml.schemas exactly the example manifests, each to the schema its $schema names", () => {
    const block = /```json\n(\{\s*"yaml\.schemas"[\s\S]*?)```/.exec(text)?.[1];
    expect(block).toBeDefined();
    const mapping = (JSON.parse(block ?? "{}") as { "yaml.schemas": Record<string, string[]> })["yaml.schemas"];
    const files = readdirSync(path.join(root, "assets"), { recursive: true, encoding: "utf8" })
      .map((f) => `assets/${f.split(path.sep).join("/")}`)
      .filter((f) => /\.ya?ml$/.test(f));
    const chosen = new Map<string, string[]>();
    for (const [schemaPath, globs] of Object.entries(mapping)) {
      const schema = path.posix.basename(schemaPath);
      expect(schema in PUBLISHED_SCHEMAS || schema === "assetctl.schema.json", schemaPath).toBe(true);
      for (const file of files.filter((f) => picomatch(globs)(f))) chosen.set(file, [...(chosen.get(file) ?? []), schema]);
    }
    const manifests = files.filter((f) => typeof (parse(readFileSync(path.join(root, f), "utf8")) as { $schema?: unknown })?.$schema === "string");
    expect([...chosen.keys()].sort()).toEqual(manifests.sort());
    for (const file of manifests) {
      const declared = String((parse(readFileSync(path.join(root, file), "utf8")) as { $schema: string }).$schema).split("/").pop();
      expect(chosen.get(file), file).toEqual([declared]);
    }
  });

  it("shows a modeline that names a schema assetctl writes, relative to the file it is shown for", () => {
    const modeline = /# yaml-language-server: \$schema=(\S+)/.exec(text)?.[1] ?? "";
    const resolved = path.posix.join("assets/models", modeline);
    expect(resolved).toBe(".vscode/assetctl-schemas/model.schema.json");
    expect(readdirSync(schemasDir)).toContain(path.posix.basename(resolved));
  });
});
