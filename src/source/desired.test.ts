import { afterAll, describe, expect, it } from "vitest";
import { sha256 } from "../digest.js";
import type { Manifest, ManifestKind } from "../manifest/types.js";
import { plan } from "../plan/plan.js";
import { buildDesiredState, nameFromFile } from "./desired.js";
import { GitTree } from "./git-tree.js";
import { readSourceInfo } from "./provenance.js";
import { cleanupTemporary, commitAll, makeRepo, manifestFromYaml, writeFiles, type FileSpec } from "./repo.test-helper.js";
import { WorkTree, type SourceTree } from "./tree.js";
import type { DesiredAsset, DesiredState, SourceInfo } from "./types.js";

afterAll(cleanupTemporary);

const SOURCE: SourceInfo = { commit: null, dirty: false, ref: null, branch: null, remote: null };

type Doc = [file: string, kind: ManifestKind, yaml: string];

function manifests(docs: readonly Doc[]): Manifest[] {
  return docs.map(([file, kind, yaml]) => manifestFromYaml(file, kind, yaml));
}

async function desired(root: string, docs: readonly Doc[], tree: SourceTree = new WorkTree(root), extra = {}): Promise<DesiredState> {
  return buildDesiredState(manifests(docs), tree, { source: SOURCE, workers: 1, ...extra });
}

function only(state: DesiredState, name: string): DesiredAsset {
  const found = state.assets.filter((a) => a.name === name);
  expect(found, `one asset named ${name}`).toHaveLength(1);
  return found[0] as DesiredAsset;
}

const MODEL = `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json
name: credit-model
version: 3
type: custom_model
path: ./model.pkl
description: Credit scoring model
tags:
  team: risk
  stage: 2
`;

describe("buildDesiredState", () => {
  it("a model with a local file: spec without mutable fields, the path replaced by its digest", async () => {
    const root = makeRepo({ "models/model.pkl": "weights" });
    const state = await desired(root, [["models/model.yml", "model", MODEL]]);
    expect(state.diagnostics).toEqual([]);
    const model = only(state, "credit-model");
    expect(model).toMatchObject({
      kind: "model",
      version: "3",
      anonymous: false,
      spec: { type: "custom_model", path: sha256("weights") },
      mutable: { description: "Credit scoring model", tags: { team: "risk", stage: "2" } },
      references: [],
      manifest: { file: "models/model.yml", line: 1 },
    });
    expect(Object.keys(model.spec).sort()).toEqual(["path", "type"]);
    expect(model.artifacts).toEqual([
      {
        pointer: "/path",
        source: "models/model.pkl",
        type: "file",
        digest: sha256("weights"),
        size: 7,
        files: [{ path: "model.pkl", digest: sha256("weights"), size: 7, mode: 0o644 }],
        git: "untracked",
      },
    ]);
  });

  it("key order, quoting, comments and flow style never change the content digest; a description edit changes only mutable", async () => {
    const root = makeRepo({ "models/model.pkl": "weights" });
    const base = only(await desired(root, [["models/model.yml", "model", MODEL]]), "credit-model");
    const reformatted = `# the same model, written differently
tags: {stage: "2", team: risk}
path: "./model.pkl"
name: 'credit-model'
type: custom_model
description: >-
  Credit scoring model
version: "3"
`;
    const same = only(await desired(root, [["models/model.yml", "model", reformatted]]), "credit-model");
    expect(same.contentDigest).toBe(base.contentDigest);
    expect(same.mutable).toEqual(base.mutable);

    const edited = only(await desired(root, [["models/model.yml", "model", MODEL.replace("Credit scoring", "Better")]]), "credit-model");
    expect(edited.contentDigest).toBe(base.contentDigest);
    expect(edited.mutable.description).toBe("Better model");

    const retyped = only(await desired(root, [["models/model.yml", "model", MODEL.replace("custom_model", "mlflow_model")]]), "credit-model");
    expect(retyped.contentDigest).not.toBe(base.contentDigest);
  });

  it("moving or renaming an unchanged artifact is a no-op; changing its bytes is not", async () => {
    const root = makeRepo({ "models/model.pkl": "weights", "elsewhere/renamed.pkl": "weights", "models/v2.pkl": "weights v2" });
    const base = only(await desired(root, [["models/model.yml", "model", MODEL]]), "credit-model");
    const moved = only(
      await desired(root, [["models/model.yml", "model", MODEL.replace("./model.pkl", "../elsewhere/renamed.pkl")]]),
      "credit-model",
    );
    expect(moved.contentDigest).toBe(base.contentDigest);
    expect(moved.artifacts[0]?.source).toBe("elsewhere/renamed.pkl");
    const changed = only(await desired(root, [["models/model.yml", "model", MODEL.replace("./model.pkl", "v2.pkl")]]), "credit-model");
    expect(changed.contentDigest).not.toBe(base.contentDigest);
  });

  it("a manifest inside its own artifact folder is not content: a description edit stays an update", async () => {
    const yaml = "name: nyc-taxi\ntype: mlflow_model\npath: .\ndescription: first\n";
    const root = makeRepo({ "model/MLmodel": "flavors: {}\n", "model/model.pkl": "w", "model/model.yml": yaml });
    const before = only(await desired(root, [["model/model.yml", "model", yaml]]), "nyc-taxi");
    expect(before.artifacts[0]?.files.map((f) => f.path)).toEqual(["MLmodel", "model.pkl"]);
    const edited = yaml.replace("first", "second");
    writeFiles(root, { "model/model.yml": edited });
    const after = only(await desired(root, [["model/model.yml", "model", edited]]), "nyc-taxi");
    expect(after.contentDigest).toBe(before.contentDigest);
    expect(after.mutable.description).toBe("second");
  });

  it("a data folder, a datastore reference, and an auto-versioned asset", async () => {
    const root = makeRepo({ "data/raw/a.csv": "1,2\n", "data/raw/part/b.csv": "3,4\n" });
    const state = await desired(root, [
      [
        "data/data.yml",
        "data",
        `name: raw-data
type: uri_folder
path: raw
datastore: azureml:workspaceblobstore
`,
      ],
    ]);
    const data = only(state, "raw-data");
    expect(data.version).toBeUndefined();
    expect(data.artifacts[0]).toMatchObject({ pointer: "/path", source: "data/raw", type: "folder", size: 8 });
    expect(data.artifacts[0]?.files.map((f) => f.path)).toEqual(["a.csv", "part/b.csv"]);
    expect(data.spec["path"]).toBe(data.artifacts[0]?.digest);
    expect(data.references).toEqual([
      { kind: "datastore", name: "workspaceblobstore", version: "latest", pointer: "/datastore", raw: "azureml:workspaceblobstore", line: 4, column: 12 },
    ]);
  });

  it("URIs and references are not local paths", async () => {
    const root = makeRepo();
    const state = await desired(root, [
      ["a.yml", "data", "name: remote\ntype: uri_file\npath: https://example.com/x.csv\n"],
      ["b.yml", "model", "name: from-job\npath: azureml://jobs/123/outputs/artifacts/paths/model/\n"],
      ["c.yml", "data", "name: derived\npath: azureml:raw-data:2\n"],
    ]);
    expect(state.diagnostics).toEqual([]);
    expect(state.assets.flatMap((a) => a.artifacts)).toEqual([]);
    expect(only(state, "remote").spec["path"]).toBe("https://example.com/x.csv");
    expect(only(state, "derived").references).toMatchObject([{ kind: "data", name: "raw-data", version: "2", pointer: "/path" }]);
  });

  it("an environment's build context folder and a conda file are artifacts", async () => {
    const root = makeRepo({
      "envs/context/Dockerfile": "FROM python:3.11\n",
      "envs/context/requirements.txt": "numpy\n",
      "envs/conda.yml": "dependencies: [python=3.11]\n",
    });
    const state = await desired(root, [
      ["envs/docker.yml", "environment", "name: docker-env\nbuild:\n  path: ./context\n  dockerfile_path: Dockerfile\n"],
      ["envs/conda-env.yml", "environment", "name: conda-env\nversion: 1\nimage: mcr.microsoft.com/azureml/base:latest\nconda_file: conda.yml\n"],
    ]);
    expect(state.diagnostics).toEqual([]);
    const docker = only(state, "docker-env");
    expect(docker.artifacts.map((a) => [a.pointer, a.source, a.type])).toEqual([["/build/path", "envs/context", "folder"]]);
    expect(docker.spec).toEqual({ build: { path: docker.artifacts[0]?.digest, dockerfile_path: "Dockerfile" } });
    const conda = only(state, "conda-env");
    expect(conda.artifacts.map((a) => [a.pointer, a.source, a.type])).toEqual([["/conda_file", "envs/conda.yml", "file"]]);
    expect(conda.spec["conda_file"]).toBe(sha256("dependencies: [python=3.11]\n"));
  });

  it("a command component: code folder with .amlignore, inline environment files, display_name is mutable", async () => {
    const root = makeRepo({
      "comp/src/train.py": "print('train')\n",
      "comp/src/.amlignore": "*.ckpt\n",
      "comp/src/big.ckpt": "not uploaded",
      "comp/env/conda.yml": "dependencies: []\n",
      "shared/helpers.py": "def h(): pass\n",
    });
    const yaml = `$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
name: train_model
display_name: Train
version: 1
type: command
code: ./src
additional_includes:
  - ../shared/helpers.py
command: python train.py
environment:
  image: mcr.microsoft.com/azureml/base:latest
  conda_file: env/conda.yml
`;
    const input = manifests([["comp/train.yml", "command_component", yaml]]);
    const state = await buildDesiredState(input, new WorkTree(root), { source: SOURCE, workers: 1 });
    expect(state.diagnostics).toEqual([]);
    const comp = only(state, "train_model");
    // The manifest itself is left as it was: digests replace paths in copies only.
    expect(input[0]?.spec).toMatchObject({ code: "./src", additional_includes: ["../shared/helpers.py"] });
    expect((input[0]?.spec["environment"] as Record<string, unknown>)["conda_file"]).toBe("env/conda.yml");
    expect(comp.kind).toBe("component");
    expect(comp.mutable).toEqual({ display_name: "Train" });
    expect(comp.artifacts.map((a) => [a.pointer, a.source, a.type])).toEqual([
      ["/code", "comp/src", "folder"],
      ["/additional_includes/0", "shared/helpers.py", "file"],
      ["/environment/conda_file", "comp/env/conda.yml", "file"],
    ]);
    expect(comp.artifacts[0]?.files.map((f) => f.path)).toEqual([".amlignore", "train.py"]);
    expect(comp.spec).toEqual({
      type: "command",
      code: comp.artifacts[0]?.digest,
      additional_includes: [sha256("def h(): pass\n")],
      command: "python train.py",
      environment: { image: "mcr.microsoft.com/azureml/base:latest", conda_file: sha256("dependencies: []\n") },
    });

    // An ignored file changing does not make a new version; an uploaded one does.
    writeFiles(root, { "comp/src/big.ckpt": "still not uploaded" });
    const again = only(await desired(root, [["comp/train.yml", "command_component", yaml]]), "train_model");
    expect(again.contentDigest).toBe(comp.contentDigest);
    writeFiles(root, { "comp/src/train.py": "print('train v2')\n" });
    const changed = only(await desired(root, [["comp/train.yml", "command_component", yaml]]), "train_model");
    expect(changed.contentDigest).not.toBe(comp.contentDigest);
  });

  it("references to environments name their position", async () => {
    const root = makeRepo({ "src/x.py": "x" });
    const state = await desired(root, [
      ["c.yml", "command_component", "name: a\ncode: src\ncommand: python x.py\nenvironment: azureml:sklearn-env:4\n"],
      ["d.yml", "command_component", "name: b\ncommand: echo\nenvironment: azureml:sklearn-env@latest\n"],
    ]);
    expect(only(state, "a").references).toEqual([
      { kind: "environment", name: "sklearn-env", version: "4", pointer: "/environment", raw: "azureml:sklearn-env:4", line: 4, column: 14 },
    ]);
    expect(only(state, "b").references[0]).toMatchObject({ name: "sklearn-env", version: "latest" });
  });

  it("a pipeline component's local component file is an anonymous asset, referenced by its digest version", async () => {
    const files: Record<string, FileSpec> = {
      "pipe/steps/prep/prep.py": "print('prep')\n",
      "pipe/steps/train.py": "print('train')\n",
    };
    const root = makeRepo(files);
    const prep = `name: prep_data
version: 1
type: command
code: ./prep
command: python prep.py
environment: azureml:base-env:1
`;
    const unnamed = "type: command\ncode: ./train.py\ncommand: python train.py\nenvironment: azureml:base-env:1\n";
    const pipeline = `$schema: https://azuremlschemas.azureedge.net/latest/pipelineComponent.schema.json
name: training_pipeline
type: pipeline
jobs:
  prep:
    type: command
    component: ./steps/prep.yml
    inputs:
      raw:
        type: uri_folder
        path: azureml:raw-data@latest
  train:
    type: command
    component: file:steps/train-step.yml
  score:
    type: command
    component: azureml:scorer:2
`;
    const docs: Doc[] = [
      ["pipe/pipeline.yml", "pipeline_component", pipeline],
      ["pipe/steps/prep.yml", "command_component", prep],
      ["pipe/steps/train-step.yml", "command_component", unnamed],
    ];
    const state = await desired(root, docs);
    expect(state.diagnostics).toEqual([]);
    expect(state.assets.map((a) => `${a.name}:${a.version ?? "by-digest-or-auto"}:${a.anonymous}`)).toEqual([
      "prep_data:by-digest-or-auto:true", // its own `version: 1` is dropped, as Azure ML does
      "train_step:by-digest-or-auto:true",
      "training_pipeline:by-digest-or-auto:false",
    ]);
    const prepAsset = only(state, "prep_data");
    expect(prepAsset.manifest).toEqual({ file: "pipe/steps/prep.yml", line: 1 });
    expect(prepAsset.references).toMatchObject([{ kind: "environment", name: "base-env", version: "1" }]);
    const trainAsset = only(state, "train_step");
    expect(trainAsset.artifacts.map((a) => a.source)).toEqual(["pipe/steps/train.py"]);

    const pipe = only(state, "training_pipeline");
    const jobs = pipe.spec["jobs"] as Record<string, Record<string, unknown>>;
    expect(jobs["prep"]?.["component"]).toBe(prepAsset.contentDigest);
    expect(jobs["train"]?.["component"]).toBe(trainAsset.contentDigest);
    expect(jobs["score"]?.["component"]).toBe("azureml:scorer:2");
    expect(pipe.references.map((r) => `${r.kind} ${r.name}:${r.version} ${r.pointer} ${r.raw} @${r.line}`)).toEqual([
      "data raw-data:latest /jobs/prep/inputs/raw/path azureml:raw-data@latest @11",
      "component scorer:2 /jobs/score/component azureml:scorer:2 @17",
      `component prep_data:${prepAsset.contentDigest} /jobs/prep/component ./steps/prep.yml @7`,
      `component train_step:${trainAsset.contentDigest} /jobs/train/component file:steps/train-step.yml @14`,
    ]);

    // A change inside a step's code reaches the pipeline's digest through the step's digest.
    writeFiles(root, { "pipe/steps/prep/prep.py": "print('prep v2')\n" });
    const after = await desired(root, docs);
    expect(only(after, "prep_data").contentDigest).not.toBe(prepAsset.contentDigest);
    expect(only(after, "train_step").contentDigest).toBe(trainAsset.contentDigest);
    expect(only(after, "training_pipeline").contentDigest).not.toBe(pipe.contentDigest);
  });

  it("the planner names anonymous components by digest and resolves the pipeline's references to them", async () => {
    const root = makeRepo({ "steps/x.py": "x" });
    const state = await desired(root, [
      ["pipe.yml", "pipeline_component", "name: pipe\njobs:\n  a:\n    component: ./steps/step.yml\n"],
      ["steps/step.yml", "command_component", "name: step\ncode: x.py\ncommand: python x.py\nenvironment: azureml:e:1\n"],
      ["env.yml", "environment", "name: e\nversion: 1\nimage: python:3.11\n"],
    ]);
    const p = plan(state, { serial: 0, versions: [] }, { registryUrl: "memory:" });
    expect(p.errors).toEqual([]);
    const step = p.changes.find((c) => c.name === "step");
    expect(step?.version).toMatch(/^[0-9a-f]{16}$/);
    expect(p.changes.find((c) => c.name === "pipe")?.record?.dependencies).toEqual([`component:step:${step?.version}`]);
  });

  it("two files with the same anonymous component are one asset; cycles are reported, not hung on", async () => {
    const root = makeRepo({ "x.py": "x" });
    const step = "name: step\ncode: ./x.py\ncommand: python x.py\nenvironment: azureml:e:1\n";
    const state = await desired(root, [
      ["p1.yml", "pipeline_component", "name: p1\njobs:\n  a:\n    component: ./s1.yml\n"],
      ["p2.yml", "pipeline_component", "name: p2\njobs:\n  a:\n    component: ./s2.yml\n"],
      ["s1.yml", "command_component", step],
      ["s2.yml", "command_component", step],
    ]);
    expect(state.assets.filter((a) => a.name === "step")).toHaveLength(1);
    expect(state.assets.map((a) => a.name)).toEqual(["p1", "p2", "step"]);

    const cyclic = await desired(root, [
      ["a.yml", "pipeline_component", "name: a\njobs:\n  n:\n    component: ./b.yml\n"],
      ["b.yml", "pipeline_component", "name: b\njobs:\n  n:\n    component: ./c.yml\n"],
      ["c.yml", "pipeline_component", "name: c\njobs:\n  n:\n    component: ./b.yml\n"],
    ]);
    expect(cyclic.assets).toEqual([]);
    expect(cyclic.diagnostics.map((d) => `${d.code} ${d.file}:${d.line}`)).toContain("component-cycle a.yml:4");
  });

  it("skips pipeline jobs and their local components; warns about data imports only when asked", async () => {
    const root = makeRepo({ "x.py": "x" });
    const docs: Doc[] = [
      ["job.yml", "pipeline_job", "type: pipeline\njobs:\n  a:\n    component: ./step.yml\n"],
      ["step.yml", "command_component", "name: hello_python_world\nversion: 1\ncode: ./x.py\ncommand: python x.py\n"],
      ["import.yml", "data_import", "type: mltable\nname: imported\n"],
    ];
    const quiet = await desired(root, docs);
    expect(quiet.assets).toEqual([]);
    expect(quiet.diagnostics).toEqual([]);
    const loud = await desired(root, docs, new WorkTree(root), { reportUnsupported: true });
    expect(loud.diagnostics).toMatchObject([{ code: "apply-unsupported", severity: "warning", file: "import.yml", line: 1 }]);
  });

  it("an unreadable artifact is a located diagnostic and its asset is left out", async () => {
    const root = makeRepo({ "ok.pkl": "ok", "loop": { link: "loop" } });
    const state = await desired(root, [
      ["bad.yml", "model", "name: bad\npath: ./missing.pkl\n"],
      ["loop.yml", "model", "name: looped\npath: loop\n"],
      ["good.yml", "model", "name: good\npath: ok.pkl\n"],
    ]);
    expect(state.assets.map((a) => a.name)).toEqual(["good"]);
    expect(state.diagnostics.map((d) => `${d.code} ${d.file}:${d.line}:${d.column}`).sort()).toEqual([
      "artifact-missing bad.yml:2:7",
      "artifact-symlink-loop loop.yml:2:7",
    ]);
  });

  it("records how git sees each artifact, and an untracked manifest makes the source dirty", async () => {
    const root = makeRepo({
      ".gitignore": "outputs/\n",
      "tracked/model.pkl": "t",
      "m1.yml": "x",
    });
    commitAll(root);
    writeFiles(root, { "outputs/model.pkl": "trained", "fresh/model.pkl": "new" });
    const docs: Doc[] = [
      ["m1.yml", "model", "name: a\npath: tracked/model.pkl\n"],
      ["m2.yml", "model", "name: b\npath: outputs/model.pkl\n"],
      ["m3.yml", "model", "name: c\npath: fresh\n"],
    ];
    const source = await readSourceInfo(root);
    expect(source.dirty).toBe(false);
    const state = await buildDesiredState(manifests(docs), new WorkTree(root), { source, workers: 1 });
    expect(state.assets.map((a) => `${a.name}:${a.artifacts[0]?.git}`)).toEqual(["a:tracked", "b:ignored", "c:untracked"]);
    expect(state.source.dirty).toBe(true); // m2.yml and m3.yml are not in the commit
  });

  it("reads the same desired state from a git ref as from the clean working tree it was committed from", async () => {
    const root = makeRepo({
      "comp/src/main.py": "print()\n",
      "comp/src/.gitignore": "*.pyc\n",
      "comp/src/cache.pyc": "x",
      "comp/src/run.sh": { content: "#!/bin/sh\n", mode: 0o755 },
      "models/weights.bin": "w",
    });
    commitAll(root);
    const docs: Doc[] = [
      ["comp/c.yml", "command_component", "name: c\ncode: src\ncommand: sh run.sh\nenvironment: azureml:e:1\n"],
      ["models/m.yml", "model", "name: m\npath: weights.bin\n"],
    ];
    const fromDisk = await desired(root, docs);
    const tree = await GitTree.open(root, "HEAD");
    try {
      const fromGit = await desired(root, docs, tree);
      expect(fromGit.assets).toEqual(fromDisk.assets.map((a) => ({ ...a, artifacts: a.artifacts.map((x) => ({ ...x, git: "tracked" })) })));
      expect(fromGit.assets.every((a) => a.artifacts.every((x) => x.git === "tracked"))).toBe(true);
    } finally {
      await tree.close();
    }
  });
});

describe("nameFromFile", () => {
  it.each([
    ["pipe/steps/train-step.yml", "train_step"],
    ["Prep Data.yaml", "prep_data"],
    ["2-score.yml", "c_2_score"],
  ])("%s → %s", (file, name) => expect(nameFromFile(file)).toBe(name));
});
