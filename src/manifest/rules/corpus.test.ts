// The Azure ML examples corpus (shared/corpus/azureml-examples) must validate: the only errors are the
// references the upstream repository itself leaves dangling (REFERENCES.tsv, status MISSING), two
// component versions defined twice with different content (see DUPLICATES), and the names that several
// examples define, unversioned, with different content (see COMPETING): one repository cannot hold both.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { folderOf, sitesOf } from "../../source/spec-sites.js";
import { resolveInTree, WorkTree } from "../../source/tree.js";
import type { Manifest, ManifestKind } from "../types.js";
import { kindFromSchema, manifestFromYaml } from "./fixture.test-helper.js";
import { runRules } from "./index.js";
import { keyPathText } from "./rule.js";

const CORPUS = path.resolve(import.meta.dirname, "../../../../shared/corpus/azureml-examples");
const ROOT = existsSync(CORPUS) ? CORPUS : "/work/shared/corpus/azureml-examples";

/**
 * Upstream, these component files are only used from pipelines (so anonymous, versioned by digest), but
 * those pipelines are among the specs held out of the corpus: here they are plain registrations, and
 * `data_preprocessing:1` and `register_model` are each defined twice with different code folders.
 */
const DUPLICATES = [
  "cli/jobs/pipelines/automl/cli-automl-text-classification-multilabel-paper-categorization-pipeline/components/component_preprocessing.yaml version",
  "cli/jobs/pipelines/automl/cli-automl-text-classification-newsgroup-pipeline/components/component_preprocessing.yaml version",
  "cli/jobs/pipelines/automl/cli-automl-text-classification-newsgroup-pipeline/components/component_register_model.yaml version",
  "cli/jobs/pipelines/automl/image-instance-segmentation-task-fridge-items-pipeline/components/component_register_model.yaml version",
];

/**
 * Names several unrelated examples each define without a version and with different content. Read as one
 * repository, every apply would make a new version from whichever definition differs from the latest.
 */
const COMPETING = [
  "cli/endpoints/batch/deploy-pipelines/batch-scoring-with-preprocessing/components/prepare/prepare.yml name",
  "cli/endpoints/batch/deploy-pipelines/batch-scoring-with-preprocessing/environment/xgboost-sklearn-py38.yml name",
  "cli/endpoints/batch/deploy-pipelines/training-with-components/environment/xgboost-sklearn-py38.yml name",
  "cli/endpoints/online/deploy-with-packages/custom-model/environment/sklearn-regression-env.yml name",
  "cli/jobs/pipelines-with-components/pipeline_with_pipeline_component/nyc_taxi_data_regression_with_pipeline_component/data.yml name",
  "sdk/python/endpoints/batch/deploy-pipelines/training-with-components/components/prepare/prepare.yml name",
  "sdk/python/endpoints/online/deploy-with-packages/custom-model/environment/sklearn-regression-env.yml name",
  "sdk/python/jobs/pipelines/1j_pipeline_with_pipeline_component/nyc_taxi_data_regression_with_pipeline_component/data.yml name",
  "sdk/python/jobs/pipelines/1j_pipeline_with_pipeline_component/pipeline_with_train_eval_pipeline_component/components/train/train.yml name",
  "sdk/python/jobs/pipelines/2b_train_cifar_10_with_pytorch/train-model.yml name",
  "sdk/python/using-mlflow/deploy/environment/xgboost-sklearn-py38.yml name",
];

function loadCorpus(): { manifests: Manifest[]; skipped: string[] } {
  const manifests: Manifest[] = [];
  const skipped: string[] = [];
  for (const line of readFileSync(path.join(ROOT, "INDEX.tsv"), "utf8").trim().split("\n")) {
    const [file = "", indexKind = ""] = line.split("\t");
    const text = readFileSync(path.join(ROOT, file), "utf8");
    const doc = parseDocument(text);
    const schema = (doc.toJS() as Record<string, unknown> | null)?.["$schema"];
    const kind = kindFromSchema(schema) ?? (indexKind === "other" ? undefined : (indexKind as ManifestKind));
    // YAML the parser refuses and prompt-flow files are the loader's to report, not the rules'.
    if (doc.errors.length > 0 || kind === undefined) skipped.push(file);
    else manifests.push(manifestFromYaml(file, text, { kind }));
  }
  // As the loader does: component files referenced by a local path from a pipeline are anonymous.
  const referenced = new Set<string>();
  for (const m of manifests) {
    for (const site of sitesOf(m)) {
      const local = site.role === "component" ? site.local : undefined;
      const file = local === undefined ? undefined : resolveInTree(folderOf(m.file), local);
      if (file !== undefined) referenced.add(file);
    }
  }
  return { manifests: manifests.map((m) => (referenced.has(m.file) ? { ...m, anonymous: true } : m)), skipped };
}

describe("the Azure ML examples corpus", () => {
  // CI always has the shared corpus: without it this fails, naming where it was looked for.
  if (!existsSync(ROOT)) {
    it("finds the corpus", () => expect.fail(`the Azure ML examples corpus is missing: ${ROOT} (a checkout of ../shared/corpus is needed)`));
    return;
  }
  it("validates, reporting exactly the references upstream leaves dangling", async () => {
    const { manifests, skipped } = loadCorpus();
    expect(manifests.length + skipped.length).toBe(229);
    const diagnostics = await runRules({ manifests, tree: new WorkTree(ROOT) });

    const missing = readFileSync(path.join(ROOT, "REFERENCES.tsv"), "utf8")
      .trim()
      .split("\n")
      .map((line) => line.split("\t"))
      .filter((row) => row[4] === "MISSING" && !skipped.includes(row[0] ?? ""))
      .map(([file = "", keyPath = ""]) => `${file} ${keyPath}`)
      .sort();
    const errors = diagnostics.filter((d) => d.severity === "error");
    const located = (code: string): string[] =>
      errors
        .filter((d) => d.code === code)
        .map((d) => `${d.file} ${keyPathText(d.path ?? [])}`)
        .sort();
    expect(located("path-missing")).toEqual(missing);
    expect(located("duplicate-definition")).toEqual(DUPLICATES);
    expect(located("duplicate-auto-versioned")).toEqual(COMPETING);
    expect(new Set(errors.map((d) => d.code))).toEqual(new Set(["path-missing", "duplicate-definition", "duplicate-auto-versioned"]));

    const warnings = diagnostics.filter((d) => d.severity === "warning").map((d) => `${d.code} ${d.file}`);
    expect(warnings).toMatchInlineSnapshot(`
      [
        "reference-invalid cli/assets/data/cloud-folder-wasbs.yml",
        "reference-undefined cli/endpoints/batch/deploy-pipelines/batch-scoring-with-preprocessing/pipeline.yml",
        "reference-undefined cli/endpoints/batch/deploy-pipelines/batch-scoring-with-preprocessing/pipeline.yml",
        "brackets-without-input cli/endpoints/batch/deploy-pipelines/training-with-components/components/train_xgb/train_xgb.yml",
        "step-unknown-input cli/jobs/pipelines-with-components/pipeline_with_pipeline_component/nyc_taxi_data_regression_with_pipeline_component/pipeline.yml",
        "reference-undefined cli/monitoring/azureml-e2e-model-monitoring/configurations/training_pipeline.yaml",
        "secret-placeholder cli/resources/datastore/adls-gen1.yml",
        "secret-placeholder cli/resources/datastore/adls-gen2.yml",
        "secret-placeholder cli/resources/datastore/blob-sas.yml",
        "secret-placeholder cli/resources/datastore/blob.yml",
        "secret-placeholder cli/resources/datastore/file.yml",
      ]
    `);
  });
});
