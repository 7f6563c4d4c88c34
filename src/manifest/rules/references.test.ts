import { describe, expect, it } from "vitest";
import { runRule } from "./fixture.test-helper.js";
import { checkReferences } from "./references.js";

const MODEL = "$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json";
const DATA = "$schema: https://azuremlschemas.azureedge.net/latest/data.schema.json";
const ENV = "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json";
const COMPONENT = "$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json";
const PIPELINE = "$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json";

const DEFINED = {
  "env/env.yml": `${ENV}\nname: sklearn\nversion: 2\nimage: python\n`,
  "data/raw.yml": `${DATA}\nname: raw\nversion: "1"\npath: azureml://datastores/ws/paths/raw\n`,
  "data/raw2.yml": `${DATA}\nname: raw\nversion: "2"\npath: azureml://datastores/ws/paths/raw2\n`,
  "data/auto.yml": `${DATA}\nname: auto\npath: azureml://datastores/ws/paths/auto\n`,
  "models/m.yml": `${MODEL}\nname: clf\nversion: 3\npath: azureml://jobs/j1/outputs/artifacts/paths/model/\n`,
};

describe("references", () => {
  it("warns at @latest of a name no manifest defines, with a did-you-mean among the names of that kind", async () => {
    const out = await runRule(checkReferences, {
      ...DEFINED,
      "c.yml": `${COMPONENT}\nname: train\ncommand: echo\nenvironment: azureml:sklaern@latest\n`,
      "d.yml": `${COMPONENT}\nname: other\ncommand: echo\nenvironment: azureml:nowhere@latest\n`,
    });
    expect(out).toContain("c.yml:4:14 warning reference-undefined: environment: azureml:sklaern@latest refers to environment sklaern, which no manifest defines; plan will look for it in the registry");
    expect(out).toContain('hint: did you mean "sklearn"?');
    expect(out).toContain("d.yml:4:14 warning reference-undefined: environment: azureml:nowhere@latest refers to environment nowhere");
  });

  it("accepts every documented form in the fields that take it", async () => {
    const out = await runRule(checkReferences, {
      ...DEFINED,
      "c/train.yml": [
        COMPONENT,
        "name: train",
        "code: git+https://github.com/org/repo",
        "environment: azureml:sklearn:2",
        "command: echo",
      ].join("\n"),
      "c/other.yml": `${COMPONENT}\nname: other\ncommand: echo\nenvironment: azureml://registries/azureml/environments/sklearn-1.5/labels/latest\n`,
      "c/bare.yml": `${COMPONENT}\nname: bare\ncommand: echo\nenvironment: azureml:AzureML-sklearn-0.24-ubuntu18.04-py37-cpu\n`,
      "c/file.yml": `${COMPONENT}\nname: filed\ncommand: echo\nenvironment: file:../env/env.yml\n`,
      "p.yml": [
        PIPELINE,
        "settings: {default_datastore: azureml:workspaceblobstore}",
        "inputs:",
        "  a: {type: uri_folder, path: azureml:raw:2}",
        "  b: {type: uri_folder, path: azureml:raw@latest}",
        "  c: {type: uri_file, path: 'https://example.com/x.csv'}",
        "  d: {type: uri_folder, path: 'wasbs://data@acct.blob.core.windows.net/x/'}",
        "  e: {type: uri_folder, path: 'abfss://fs@acct.dfs.core.windows.net/x'}",
        "  f: {type: uri_folder, path: 'adl://acct.azuredatalakestore.net/x'}",
        "  g: {type: uri_folder, path: 's3://bucket/key'}",
        "  h: {type: mlflow_model, path: 'runs:/abc123/model'}",
        "  i: {type: custom_model, path: azureml:clf:3}",
        "  j: {type: uri_folder, path: 'azureml://subscriptions/s/resourcegroups/rg/workspaces/w/datastores/d/paths/p'}",
        "  k: {type: uri_folder, path: azureml:auto:7}",
        "  l: {type: custom_model, path: azureml://registries/azureml/models/phi/versions/3}",
        "  m: {type: uri_folder, path: azureml:never_defined_here:9}",
        "outputs:",
        "  o: {type: uri_folder, path: 'azureml://datastores/ws/paths/out/${{name}}'}",
        "jobs:",
        "  s1: {component: 'azureml:train@latest'}",
        "  s2: {component: 'azureml://registries/azureml/components/train/versions/0.0.1'}",
        "  s3: {component: azureml:train}",
        "  s4: {component: 'azureml:/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/w/components/train/versions/1'}",
      ].join("\n"),
    });
    expect(out).toBe("");
  });

  it("reports a pinned version the repository does not define for a name it does define", async () => {
    const out = await runRule(checkReferences, {
      ...DEFINED,
      "c.yml": `${COMPONENT}\nname: c\ncommand: echo\nenvironment: azureml:sklearn:3\n`,
      "p.yml": [
        PIPELINE,
        "inputs:",
        "  a: {type: uri_folder, path: 'azureml:raw:5'}",
        "  b: {type: mlflow_model, path: 'azureml:clf:latest'}",
      ].join("\n"),
    });
    expect(out).toMatchInlineSnapshot(`
      "c.yml:4:14 warning reference-unresolved: environment: azureml:sklearn:3 names version 3, but the repository defines environment sklearn only at version 2 (env/env.yml); plan will look for it in the registry
          hint: Reference one of those versions or azureml:sklearn@latest, or define version 3.
      p.yml:3:31 warning reference-unresolved: inputs.a.path: azureml:raw:5 names version 5, but the repository defines data raw only at version 1, 2 (data/raw.yml, data/raw2.yml); plan will look for it in the registry
          hint: Reference one of those versions or azureml:raw@latest, or define version 5.
      p.yml:4:33 error reference-unresolved: inputs.b.path: azureml:clf:latest names version latest, but the repository defines model clf only at version 3 (models/m.yml)
          hint: Write azureml:clf@latest: after a colon, latest is read as a version number."
    `);
  });

  it("reports malformed references, wrong kinds and missing versions; lenient wasbs is a warning", async () => {
    const out = await runRule(checkReferences, {
      "d1.yml": `${DATA}\nname: d1\npath: wasbs://account-name.blob.core.windows.net/container-name/x/\n`,
      "d2.yml": `${DATA}\nname: d2\npath: "azureml:"\n`,
      "d3.yml": `${DATA}\nname: d3\npath: azureml:raw\n`,
      "d4.yml": `${DATA}\nname: d4\npath: azureml://datastore/ws/paths/x\n`,
      "d5.yml": `${DATA}\nname: d5\npath: ftp://host/x\n`,
      "c.yml": `${COMPONENT}\nname: c\ncommand: echo\nenvironment: sklearn-env\n`,
      "c2.yml": `${COMPONENT}\nname: c2\ncommand: echo\nenvironment: azureml://registries/azureml/components/train/labels/latest\n`,
      "c3.yml": `${COMPONENT}\nname: c3\ncommand: echo\nenvironment: https://example.com/env.yml\ncode: azureml://registries/r/widgets/x\n`,
      "p.yml": [
        PIPELINE,
        "settings: {default_datastore: 'azureml:blobs:1'}",
        "outputs:",
        "  o: {type: uri_folder, path: ./out}",
        "jobs:",
        "  s: {component: 'azureml:train:'}",
      ].join("\n"),
    });
    expect(out).toMatchInlineSnapshot(`
      "c.yml:4:14 error reference-invalid: environment: sklearn-env is neither a reference nor a file: Azure ML reads environment names only after azureml:
          hint: Write azureml:sklearn-env@latest, azureml:sklearn-env:<version>, or file:sklearn-env for an environment YAML file.
      c2.yml:4:14 error reference-kind-mismatch: environment: azureml://registries/azureml/components/train/labels/latest names a component, where an environment is expected
          hint: Write azureml:<name>:<version>, azureml:<name>@latest, azureml://registries/<registry>/environments/<name>/versions/<version>, file:<environment YAML> or an inline mapping with image/build.
      c3.yml:4:14 error reference-kind-mismatch: environment: https://example.com/env.yml is a storage URI, which cannot name an environment
          hint: Write azureml:<name>:<version>, azureml:<name>@latest, azureml://registries/<registry>/environments/<name>/versions/<version>, file:<environment YAML> or an inline mapping with image/build.
      c3.yml:5:7 error reference-invalid: code: azureml://registries/r/widgets/x is not a valid reference: "widgets" is not a registry asset type
          hint: Write azureml://registries/<registry>/<models|data|environments|components>/<name>[/versions/<version> | /labels/<label>].
      d1.yml:3:7 warning reference-invalid: path: wasbs://account-name.blob.core.windows.net/container-name/x/ has no container@ before the account; the documented form is wasbs://<container>@<account>.blob.core.windows.net/<path>
          hint: Azure ML may read the account name as the container; write the documented form to be sure.
      d2.yml:3:7 error reference-invalid: path: azureml: is not a valid reference: there is no name after azureml:
          hint: Write azureml:<name>:<version>, azureml:<name>@latest or azureml://registries/<registry>/<type>/<name>/versions/<version>.
      d3.yml:3:7 error reference-invalid: path: azureml:raw gives neither a version nor a label, which Azure ML requires for data
          hint: Write azureml:raw:<version> or azureml:raw@latest.
      d4.yml:3:7 error reference-invalid: path: azureml://datastore/ws/paths/x is not a valid reference: azureml:// is followed by neither registries/, datastores/, jobs/ nor subscriptions/
          hint: Write azureml://registries/…, azureml://datastores/<datastore>/paths/<path> or azureml://jobs/<job>/outputs/<output>/paths/<path>.
      d5.yml:3:7 error reference-invalid: path: ftp://host/x is not a valid reference: Azure ML does not read ftp:// URIs
          hint: Write https://…, wasbs://<container>@<account>.blob.core.windows.net/<path>, abfss://<filesystem>@<account>.dfs.core.windows.net/<path>, adl://<account>.azuredatalakestore.net/<path> or s3://<bucket>/<key>.
      p.yml:2:31 error reference-invalid: settings.default_datastore: azureml:blobs:1 gives a version, but datastores are not versioned
          hint: Write azureml:blobs.
      p.yml:4:31 error reference-kind-mismatch: outputs.o.path: ./out is a local path, but a job writes its outputs to storage, not into the repository
          hint: Write azureml://datastores/<datastore>/paths/<path> (with \${{name}} and \${{output_name}} if the path should vary per run) or a storage URI, or leave path out to use the default datastore.
      p.yml:6:18 error reference-invalid: jobs.s.component: azureml:train: is not a valid reference: the version after the colon is empty
          hint: Write azureml:<name>:<version>, azureml:<name>@latest or azureml://registries/<registry>/<type>/<name>/versions/<version>."
    `);
  });

  it("never prints a URL's query string, where a SAS signature lives", async () => {
    const out = await runRule(checkReferences, {
      "d.yml": `${DATA}\nname: d\npath: "wasbs://acct.blob.core.windows.net/c/x?sv=2020&sig=SECRETSIGNATURE"\n`,
    });
    expect(out).toContain("?…");
    expect(out).not.toContain("SECRETSIGNATURE");
  });
});
