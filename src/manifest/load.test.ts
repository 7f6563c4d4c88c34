import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../diagnostics.js";
import { loadManifests } from "./load.js";
import { MemoryTree, schemaLine } from "./memory-tree.test-helper.js";

const line = (d: Diagnostic) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`;

const pipeline = `${schemaLine("pipelineJob")}
type: pipeline
jobs:
  train:
    type: command
    component: ./components/train.yml
  score:
    type: command
    component: file:components/score.yml
  tune:
    type: sweep
    trial: ./components/train.yml
  remote:
    component: azureml://registries/azureml/components/x/labels/latest
`;
const train = `${schemaLine("commandComponent")}\nname: r-iris-example\nversion: 1\ncommand: python train.py\nenvironment: azureml:env:1\n`;
const score = `name: Score\nversion: 2\ncommand: python score.py\nenvironment: azureml:env:1\n`;
const repo = {
  "pipelines/train.yml": pipeline,
  "pipelines/components/train.yml": train,
  "pipelines/components/score.yml": score,
  "models/model.yml": `${schemaLine("model")}\nname: m\npath: ./m.pkl\n`,
  "models/m.pkl": "pickle",
  "conda.yml": "channels: [conda-forge]\ndependencies: [python=3.11]\n",
  ".github/workflows/ci.yml": "on: push\njobs: {}\n",
  "data/MLTable": "paths: []\n",
};

describe("loading a repository", () => {
  it("finds manifests by $schema, skips other YAML silently, and makes pipeline-local components anonymous", async () => {
    const { manifests, diagnostics } = await loadManifests(new MemoryTree(repo));
    expect(diagnostics).toEqual([]);
    expect(manifests.map((m) => [m.file, m.kind, m.name, m.version, m.anonymous])).toEqual([
      ["models/model.yml", "model", "m", undefined, false],
      // Referenced by path: anonymous, the naming rule is not applied, name and version leave the spec.
      ["pipelines/components/score.yml", "command_component", "Score", undefined, true],
      ["pipelines/components/train.yml", "command_component", "r-iris-example", undefined, true],
      ["pipelines/train.yml", "pipeline_job", undefined, undefined, false],
    ]);
    expect(manifests[2]?.spec["name"]).toBeUndefined();
  });

  it("applies the naming rule to the same component registered on its own", async () => {
    const { manifests, diagnostics } = await loadManifests(new MemoryTree({ "train.yml": train }));
    expect(manifests).toEqual([]);
    expect(diagnostics.map(line)).toMatchInlineSnapshot(`
      [
        "train.yml:2:7 error name-invalid "r-iris-example" is not a valid component name: use lower-case letters, digits and '_', starting with a letter, at most 255 characters",
      ]
    `);
  });

  it("counts a pipeline job's top-level component as anonymous too", async () => {
    const job = `${schemaLine("pipelineJob")}\ntype: pipeline\ncomponent: pipeline.yml\n`;
    const component = `${schemaLine("pipelineComponent")}\nname: uci-heart-train-pipeline\ntype: pipeline\njobs: {}\n`;
    const { manifests, diagnostics } = await loadManifests(new MemoryTree({ "b/pipeline-job.yml": job, "b/pipeline.yml": component }));
    expect(diagnostics).toEqual([]);
    expect(manifests.find((m) => m.file === "b/pipeline.yml")?.anonymous).toBe(true);
  });

  it("validates only the named files and folders, reading pipelines only to decide anonymity", async () => {
    const tree = new MemoryTree({ ...repo, "models/broken.yml": `${schemaLine("model")}\nname: [\n` });
    const one = await loadManifests(tree, { paths: ["./pipelines/components/train.yml"] });
    expect(one.manifests.map((m) => [m.file, m.anonymous])).toEqual([["pipelines/components/train.yml", true]]);
    expect(one.diagnostics).toEqual([]);
    const folder = await loadManifests(tree, { paths: ["models/"] });
    expect(folder.manifests.map((m) => m.file)).toEqual(["models/model.yml"]);
    expect(folder.diagnostics.map(line)).toMatchInlineSnapshot(`
      [
        "models/broken.yml:2:7 error yaml-syntax Flow sequence in block collection must be sufficiently indented and end with a ]",
      ]
    `);
  });

  it("says why a named file is not validated", async () => {
    const { diagnostics } = await loadManifests(new MemoryTree({ ...repo, "assetctl.yaml": "exclude: [drafts/]\n", "drafts/m.yml": "name: x\n" }), {
      paths: ["conda.yml", "models/m.pkl", "missing.yml", "drafts/m.yml", "pipelines/components/score.yml"],
    });
    expect(diagnostics.map(line)).toMatchInlineSnapshot(`
      [
        "conda.yml:1:1 warning not-a-manifest conda.yml is not read as a manifest: it has no $schema and no kind in assetctl.yaml",
        "drafts/m.yml:1:1 warning not-a-manifest drafts/m.yml is excluded by assetctl.yaml",
        "missing.yml:1:1 error path-not-found missing.yml does not exist in the repository",
        "models/m.pkl:1:1 warning not-a-manifest models/m.pkl is not a .yml or .yaml file",
      ]
    `);
  });

  it("reads files without $schema where assetctl.yaml maps them, and excludes what it excludes", async () => {
    const { manifests, diagnostics } = await loadManifests(
      new MemoryTree({
        "assetctl.yaml": 'exclude: ["**/templates/**"]\nkinds:\n  "envs/*.yml": environment\n',
        "envs/base.yml": "name: base\nimage: python:3.11\n",
        "envs/templates/t.yml": `${schemaLine("environment")}\nname: <NAME>\n`,
      }),
    );
    expect(diagnostics).toEqual([]);
    expect(manifests.map((m) => [m.file, m.kind])).toEqual([["envs/base.yml", "environment"]]);
  });

  it("warns about a $schema that looks like Azure ML's but names nothing it knows", async () => {
    const { manifests, diagnostics } = await loadManifests(
      new MemoryTree({
        "m.yml": "$schema: https://azuremlschemas.azureedge.net/latest/modle.schema.json\nname: m\n",
        "e.yml": "$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json\nname: e\n",
      }),
    );
    expect(manifests).toEqual([]);
    expect(diagnostics.map((d) => `${line(d)} (${d.hint})`)).toMatchInlineSnapshot(`
      [
        "m.yml:1:1 warning schema-unknown $schema https://azuremlschemas.azureedge.net/latest/modle.schema.json names no Azure ML schema assetctl knows, so the file is not read as a manifest (did you mean "model"?)",
      ]
    `);
  });

  it("never throws on hostile files: each ends in a located diagnostic", async () => {
    const head = `${schemaLine("model")}\n`;
    const { manifests, diagnostics } = await loadManifests(
      new MemoryTree({
        "big.yml": `${head}name: m\npath: x\ndescription: ${"x".repeat(2 * 1024 * 1024)}\n`,
        "binary.yml": Buffer.concat([Buffer.from(head), Buffer.from([0, 1, 2, 0xff])]),
        "deep.yml": `${head}name: m\npath: x\ntags: ${"[".repeat(500_000)}\n`,
        "bomb.yml": `${head}a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`,
        "list.yml": `${head}- name: m\n`,
        "scalar.yml": `${head.trimEnd()} trailing\n`,
        "keys.yml": `${head}${Array.from({ length: 20_000 }, (_, i) => `k${i}: ${i}`).join("\n")}\n`,
      }),
    );
    expect(manifests).toEqual([]);
    expect(diagnostics.every((d) => d.file !== "" && d.line >= 1 && d.column >= 1)).toBe(true);
    expect(diagnostics.filter((d) => d.code !== "schema-unknown-key").map(line)).toMatchInlineSnapshot(`
      [
        "big.yml:1:1 warning file-too-large big.yml is larger than 1 MiB, the limit for a manifest, so it was not read",
        "binary.yml:2:4 error not-text binary.yml is not valid UTF-8; a manifest must be UTF-8 text",
        "bomb.yml:3:8 error yaml-alias-limit the document expands aliases more than 100 times (an alias bomb?)",
        "deep.yml:4:71 error yaml-too-deep the document nests more than 64 levels deep",
        "keys.yml:1:1 error schema-required missing required key "name"",
        "keys.yml:1:1 error schema-required missing required key "path"",
        "keys.yml:1:1 error too-many-problems more than 100 problems: the rest are not shown",
        "list.yml:2:1 error yaml-syntax Implicit keys need to be on a single line",
        "scalar.yml:1:1 error schema-required missing required key "name"",
        "scalar.yml:1:1 error schema-required missing required key "path"",
      ]
    `);
  });
});
