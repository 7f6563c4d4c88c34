import { describe, expect, it } from "vitest";
import { manifestFromYaml } from "../manifest/rules/fixture.test-helper.js";
import { impactOf } from "./impact.js";

const schema = (name: string): string => `$schema: https://azuremlschemas.azureedge.net/latest/${name}.schema.json`;

const manifests = [
  manifestFromYaml("envs/train.yml", `${schema("environment")}\nname: train-env\nimage: python:3.11\nconda_file: ./conda.yml\n`),
  manifestFromYaml("components/train/train.yml", `${schema("commandComponent")}\nname: train\ncode: ./src\nenvironment: azureml:train-env@latest\ncommand: python train.py\n`),
  manifestFromYaml("components/score.yml", `${schema("commandComponent")}\nname: score\nversion: 2\ncode: ./score\nenvironment: azureml:train-env:1\ncommand: python score.py\n`),
  manifestFromYaml(
    "pipelines/p.yml",
    `${schema("pipelineComponent")}\nname: pipe\njobs:\n  a:\n    component: azureml:train@latest\n  b:\n    component: ../components/local.yml\n`,
  ),
  manifestFromYaml("components/local.yml", `${schema("commandComponent")}\nname: local_step\ncode: ./local\nenvironment: azureml:train-env@latest\ncommand: python x.py\n`, { anonymous: true }),
];

describe("impact", () => {
  it("follows a changed file through @latest references and local component files, not pinned ones", () => {
    const hits = impactOf(manifests, { path: "envs/conda.yml" });
    expect(hits.map((h) => [h.id, h.depth, h.because])).toEqual([
      ["environment:train-env", 0, "envs/conda.yml"],
      ["component:train", 1, "environment:train-env"],
      ["components/local.yml", 1, "environment:train-env"],
      ["component:pipe", 2, "component:train"],
    ]);
  });

  it("takes a file inside an artifact folder, a folder holding artifacts, the manifest itself, or an asset", () => {
    expect(impactOf(manifests, { path: "components/train/src/train.py" }).map((h) => h.id)).toEqual(["component:train", "component:pipe"]);
    expect(impactOf(manifests, { path: "components" }).map((h) => h.id)).toEqual([
      "component:score",
      "component:train",
      "components/local.yml",
      "component:pipe",
    ]);
    expect(impactOf(manifests, { path: "components/score.yml" })).toMatchObject([{ id: "component:score", pinned: true }]);
    expect(impactOf(manifests, { asset: "component:train" }).map((h) => h.id)).toEqual(["component:train", "component:pipe"]);
  });

  it("finds nothing for a file no manifest names", () => {
    expect(impactOf(manifests, { path: "README.md" })).toEqual([]);
    expect(impactOf(manifests, { asset: "model:none" })).toEqual([]);
  });
});
