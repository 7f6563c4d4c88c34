import { describe, expect, it } from "vitest";
import { checkEnvironments } from "./environment.js";
import { runRule } from "./fixture.test-helper.js";

const ENV = "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json";
const COMPONENT = "$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json";
const PIPELINE = "$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json";

describe("environments", () => {
  it("accepts image, image with conda_file, build, and references", async () => {
    const out = await runRule(checkEnvironments, {
      "a.yml": `${ENV}\nname: a\nimage: python:3.11\n`,
      "b.yml": `${ENV}\nname: b\nimage: python:3.11\nconda_file: conda.yml\n`,
      "c.yml": `${ENV}\nname: c\nbuild:\n  path: ./context\n`,
      "d.yml": `${COMPONENT}\nname: d\ncommand: x\nenvironment: azureml:a:1\n`,
      "e.yml": `${COMPONENT}\nname: e\ncommand: x\nenvironment:\n  image: python\n  conda_file: conda.yml\n`,
    });
    expect(out).toBe("");
  });

  it("reports both or neither of image and build, and conda_file with build, in manifests and inline", async () => {
    const out = await runRule(checkEnvironments, {
      "both.yml": `${ENV}\nname: both\nimage: python\nbuild:\n  path: ./context\n`,
      "neither.yml": `${ENV}\nname: neither\ndescription: forgot it\n`,
      "conda.yml": `${ENV}\nname: conda\nbuild: {path: ./context}\nconda_file: conda.yml\n`,
      "comp.yml": `${COMPONENT}\nname: comp\ncommand: x\nenvironment:\n  conda_file: conda.yml\n`,
      "pipe.yml": [
        PIPELINE,
        "jobs:",
        "  inline_job:",
        "    command: echo",
        "    environment: {image: python, build: {path: ctx}}",
        "  parallel:",
        "    task:",
        "      environment: {conda_file: c.yml}",
        "  inline_component:",
        "    component:",
        "      command: echo",
        "      environment: {name: x}",
      ].join("\n"),
    });
    expect(out).toMatchInlineSnapshot(`
      "both.yml:5:3 error environment-image-and-build: the environment has both image and build; Azure ML builds an environment one way only
          hint: Keep image to run a published Docker image, or build to build one from a Dockerfile in the repository.
      comp.yml:5:3 error environment-image-or-build: environment has neither image nor build
          hint: Add image: <docker image> (with an optional conda_file), or build: {path: <folder with a Dockerfile>}.
      conda.yml:4:13 error environment-conda-without-image: the environment has conda_file with build; a conda file only applies on top of an image
          hint: Install the packages in the Dockerfile of the build context, or replace build with image.
      neither.yml:2:7 error environment-image-or-build: the environment has neither image nor build
          hint: Add image: <docker image> (with an optional conda_file), or build: {path: <folder with a Dockerfile>}.
      pipe.yml:5:41 error environment-image-and-build: jobs.inline_job.environment has both image and build; Azure ML builds an environment one way only
          hint: Keep image to run a published Docker image, or build to build one from a Dockerfile in the repository.
      pipe.yml:8:20 error environment-image-or-build: jobs.parallel.task.environment has neither image nor build
          hint: Add image: <docker image> (with an optional conda_file), or build: {path: <folder with a Dockerfile>}.
      pipe.yml:12:20 error environment-image-or-build: jobs.inline_component.component.environment has neither image nor build
          hint: Add image: <docker image> (with an optional conda_file), or build: {path: <folder with a Dockerfile>}."
    `);
  });
});
