import { describe, expect, it } from "vitest";
import { componentFileReferences } from "../manifest/anonymous.js";
import { localPathOf, specFields } from "./spec-fields.js";
import { localPathIn, specSites } from "./spec-sites.js";

/** How one value reads in a field of each role: the local path it names, else its reference form, else "-". */
function table(values: string[]): string[] {
  return values.map((value) =>
    [JSON.stringify(value), ...(["data", "code", "environment", "component", "datastore"] as const).map((role) => {
      const site = specSites("pipeline_job", pipelineWith(role, value)).find((s) => s.role === role);
      return `${role}=${site?.local ?? site?.reference?.form ?? "-"}`;
    })].join(" "),
  );
}

function pipelineWith(role: "data" | "code" | "environment" | "component" | "datastore", value: string): Record<string, unknown> {
  if (role === "datastore") return { settings: { default_datastore: value } };
  if (role === "data") return { jobs: { step: { inputs: { x: { type: "uri_folder", path: value } } } } };
  return { jobs: { step: { [role]: value } } };
}

describe("the spec walk", () => {
  it("decides once, by the reference grammar, whether a value names a local file", () => {
    expect(
      table(["./src", "file:./src", "file://./src", "", "azureml:env:1", "azureml://datastores/ws/paths/x", "models:/m/1", "C:\\data", "./out/${{name}}", "sha256:0a"]),
    ).toMatchInlineSnapshot(`
      [
        ""./src" data=./src code=./src environment=- component=./src datastore=-",
        ""file:./src" data=./src code=./src environment=./src component=./src datastore=local",
        ""file://./src" data=./src code=./src environment=./src component=./src datastore=local",
        """ data=- code=- environment=- component=- datastore=-",
        ""azureml:env:1" data=asset code=asset environment=asset component=asset datastore=asset",
        ""azureml://datastores/ws/paths/x" data=datastore-path code=datastore-path environment=datastore-path component=datastore-path datastore=datastore-path",
        ""models:/m/1" data=models:/m/1 code=models:/m/1 environment=- component=models:/m/1 datastore=-",
        ""C:\\\\data" data=C:\\data code=C:\\data environment=- component=C:\\data datastore=-",
        ""./out/\${{name}}" data=expression code=expression environment=expression component=expression datastore=expression",
        ""sha256:0a" data=sha256:0a code=sha256:0a environment=- component=sha256:0a datastore=-",
      ]
    `);
  });

  it("gives the desired-state builder the local paths the rules check: file:// too, and never an empty value", () => {
    const spec = { code: "file://./src", additional_includes: ["../shared", ""], environment: { conda_file: "file:conda.yml", build: { path: "" } } };
    const sites = specSites("command_component", spec);
    const fields = specFields("command_component", spec);
    expect(fields.paths.map((p) => `${p.at.join(".")}=${p.local}${p.ignoreFiles ? " (ignore files)" : ""}`)).toEqual([
      "code=./src (ignore files)",
      "additional_includes.0=../shared (ignore files)",
      "environment.conda_file=conda.yml",
    ]);
    expect(sites.filter((s) => s.local !== undefined).map((s) => s.path.join("."))).toEqual(fields.paths.map((p) => p.at.join(".")));
  });

  it("finds the same component files for the loader (anonymous) as for the builder, inside inline pipelines too", () => {
    const spec = {
      component: "./pipeline.yml",
      jobs: {
        outer: { component: { jobs: { inner: { component: "file:../inner.yml" } } } },
        train: { component: "azureml:train:1", trial: "./trial.yml" },
      },
    };
    const loader = componentFileReferences("pipelines/job.yml", spec).map((r) => `${r.at.join(".")} → ${r.target ?? "outside"}`);
    expect(loader).toEqual(["jobs.outer.component.jobs.inner.component → inner.yml", "jobs.train.trial → pipelines/trial.yml", "component → pipelines/pipeline.yml"]);
    expect(specFields("pipeline_job", spec).componentFiles.map((c) => c.at.join("."))).toEqual(
      componentFileReferences("pipelines/job.yml", spec).map((r) => r.at.join(".")),
    );
  });

  it("reads the references the planner resolves, datastores by bare name", () => {
    const fields = specFields("model", { path: "azureml:base-model@latest", datastore: "workspaceblobstore" });
    expect(fields.references.map((r) => `${r.kind}:${r.name}@${r.version}`)).toEqual(["model:base-model@latest", "datastore:workspaceblobstore@latest"]);
    expect(specFields("data", { path: "./d", datastore: "azureml:ws:1" }).references).toEqual([]);
  });

  it("never reads a stored digest as remote content", () => {
    expect(localPathOf("sha256:0a1b")).toBe("sha256:0a1b");
    expect(localPathOf("https://account.blob.core.windows.net/c/x")).toBeUndefined();
    expect(localPathIn("output", "./out")).toBeUndefined();
  });
});
