import { describe, expect, it } from "vitest";
import { displayReference, parseReference } from "./reference.js";

/** One line per input: the form and its parts, or the problem. */
function table(inputs: string[]): string {
  return inputs
    .map((raw) => {
      const ref = parseReference(raw);
      if (ref === undefined) return `${raw}  →  (not a reference)`;
      const { raw: _raw, form, ...parts } = ref;
      return `${raw}  →  ${form} ${JSON.stringify(parts)}`;
    })
    .join("\n");
}

describe("parseReference", () => {
  it("parses workspace asset references as Azure ML splits them", () => {
    expect(
      table(["azureml:iris:1", "azureml:iris:1.0.2", "azureml:iris@latest", "azureml:iris@prod", "azureml:AzureML-sklearn-0.24-ubuntu18.04-py37-cpu", "azureml:iris:", "azureml:", "azureml:<workspace_connection_name>", "azureml:a b:1"]),
    ).toMatchInlineSnapshot(`
      "azureml:iris:1  →  asset {"name":"iris","version":"1"}
      azureml:iris:1.0.2  →  asset {"name":"iris","version":"1.0.2"}
      azureml:iris@latest  →  asset {"name":"iris","label":"latest"}
      azureml:iris@prod  →  asset {"name":"iris","label":"prod"}
      azureml:AzureML-sklearn-0.24-ubuntu18.04-py37-cpu  →  asset {"name":"AzureML-sklearn-0.24-ubuntu18.04-py37-cpu"}
      azureml:iris:  →  malformed {"problem":"the version after the colon is empty","expected":"azureml:<name>:<version>, azureml:<name>@latest or azureml://registries/<registry>/<type>/<name>/versions/<version>"}
      azureml:  →  malformed {"problem":"there is no name after azureml:","expected":"azureml:<name>:<version>, azureml:<name>@latest or azureml://registries/<registry>/<type>/<name>/versions/<version>"}
      azureml:<workspace_connection_name>  →  malformed {"problem":"<workspace_connection_name> is a template placeholder that was never filled in","expected":"azureml:<name>:<version>, azureml:<name>@latest or azureml://registries/<registry>/<type>/<name>/versions/<version>"}
      azureml:a b:1  →  malformed {"problem":"a reference cannot contain spaces","expected":"azureml:<name>:<version>, azureml:<name>@latest or azureml://registries/<registry>/<type>/<name>/versions/<version>"}"
    `);
  });

  it("parses long ids, registry ids, datastore and job output URIs", () => {
    expect(
      table([
        "azureml:/subscriptions/s1/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/environments/env/versions/3",
        "azureml:/subscriptions/s1/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/datastores/blobs",
        "azureml:/subscriptions/s1/oops",
        "azureml://registries/azureml/components/train/versions/0.0.1",
        "azureml://registries/azureml/environments/sklearn-1.5/labels/latest",
        "azureml://registries/azureml/components/automl_step",
        "azureml://registries/azureml/widgets/x",
        "azureml://datastores/workspaceblobstore/paths/azureml/${{name}}/${{output_name}}/",
        "azureml://datastores/ws/paths",
        "azureml://subscriptions/s/resourcegroups/rg/workspaces/w/datastores/d/paths/p/q.csv",
        "azureml://jobs/job-1/outputs/artifacts/paths/model/",
        "azureml://locations/x",
      ]),
    ).toMatchInlineSnapshot(`
      "azureml:/subscriptions/s1/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/environments/env/versions/3  →  arm {"scope":{"subscription":"s1","resourceGroup":"rg","workspace":"ws"},"type":"environments","name":"env","version":"3"}
      azureml:/subscriptions/s1/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/datastores/blobs  →  arm {"scope":{"subscription":"s1","resourceGroup":"rg","workspace":"ws"},"type":"datastores","name":"blobs"}
      azureml:/subscriptions/s1/oops  →  malformed {"problem":"it does not follow the long-form id layout","expected":"azureml:/subscriptions/<subscription>/resourceGroups/<group>/providers/Microsoft.MachineLearningServices/workspaces/<workspace>/<type>/<name>/versions/<version>"}
      azureml://registries/azureml/components/train/versions/0.0.1  →  registry {"registry":"azureml","type":"components","name":"train","version":"0.0.1"}
      azureml://registries/azureml/environments/sklearn-1.5/labels/latest  →  registry {"registry":"azureml","type":"environments","name":"sklearn-1.5","label":"latest"}
      azureml://registries/azureml/components/automl_step  →  registry {"registry":"azureml","type":"components","name":"automl_step"}
      azureml://registries/azureml/widgets/x  →  malformed {"problem":"\\"widgets\\" is not a registry asset type","expected":"azureml://registries/<registry>/<models|data|environments|components>/<name>[/versions/<version> | /labels/<label>]"}
      azureml://datastores/workspaceblobstore/paths/azureml/\${{name}}/\${{output_name}}/  →  datastore-path {"datastore":"workspaceblobstore","path":"azureml/\${{name}}/\${{output_name}}/"}
      azureml://datastores/ws/paths  →  datastore-path {"datastore":"ws","path":""}
      azureml://subscriptions/s/resourcegroups/rg/workspaces/w/datastores/d/paths/p/q.csv  →  datastore-path {"datastore":"d","path":"p/q.csv","scope":{"subscription":"s","resourceGroup":"rg","workspace":"w"}}
      azureml://jobs/job-1/outputs/artifacts/paths/model/  →  job-output {"job":"job-1","output":"artifacts","path":"model/"}
      azureml://locations/x  →  malformed {"problem":"azureml:// is followed by neither registries/, datastores/, jobs/ nor subscriptions/","expected":"azureml://registries/…, azureml://datastores/<datastore>/paths/<path> or azureml://jobs/<job>/outputs/<output>/paths/<path>"}"
    `);
  });

  it("parses storage URIs, leniently for wasbs without a container", () => {
    expect(
      table([
        "https://example.com/data/x.csv",
        "http://example.com/x",
        "wasbs://data@acct.blob.core.windows.net/iris.csv",
        "wasbs://account-name.blob.core.windows.net/container-name/example-data/",
        "abfss://fs@acct.dfs.core.windows.net/p",
        "adl://acct.azuredatalakestore.net/p",
        "s3://bucket/key",
        "https:///nohost",
        "ftp://host/file",
      ]),
    ).toMatchInlineSnapshot(`
      "https://example.com/data/x.csv  →  storage {"scheme":"https","path":"data/x.csv","host":"example.com"}
      http://example.com/x  →  storage {"scheme":"http","path":"x","host":"example.com"}
      wasbs://data@acct.blob.core.windows.net/iris.csv  →  storage {"scheme":"wasbs","path":"iris.csv","host":"acct.blob.core.windows.net","container":"data"}
      wasbs://account-name.blob.core.windows.net/container-name/example-data/  →  storage {"scheme":"wasbs","path":"container-name/example-data/","host":"account-name.blob.core.windows.net","irregular":"has no container@ before the account; the documented form is wasbs://<container>@<account>.blob.core.windows.net/<path>"}
      abfss://fs@acct.dfs.core.windows.net/p  →  storage {"scheme":"abfss","path":"p","host":"acct.dfs.core.windows.net","container":"fs"}
      adl://acct.azuredatalakestore.net/p  →  storage {"scheme":"adl","path":"p","host":"acct.azuredatalakestore.net"}
      s3://bucket/key  →  storage {"scheme":"s3","path":"key","host":"bucket"}
      https:///nohost  →  malformed {"problem":"there is no host after https://","expected":"https://…, wasbs://<container>@<account>.blob.core.windows.net/<path>, abfss://<filesystem>@<account>.dfs.core.windows.net/<path>, adl://<account>.azuredatalakestore.net/<path> or s3://<bucket>/<key>"}
      ftp://host/file  →  malformed {"problem":"Azure ML does not read ftp:// URIs","expected":"https://…, wasbs://<container>@<account>.blob.core.windows.net/<path>, abfss://<filesystem>@<account>.dfs.core.windows.net/<path>, adl://<account>.azuredatalakestore.net/<path> or s3://<bucket>/<key>"}"
    `);
  });

  it("parses runs:/, git+, file: and expressions, and leaves plain paths and names alone", () => {
    expect(
      table(["runs:/abc123/model", "runs:/", "git+https://github.com/org/repo.git", "git+", "file:./env.yml", "file:", "file:///abs/x", "${{parent.inputs.x}}", "./model.pkl", "data", "workspaceblobstore"]),
    ).toMatchInlineSnapshot(`
      "runs:/abc123/model  →  mlflow-run {"runId":"abc123","path":"model"}
      runs:/  →  malformed {"problem":"it does not follow the MLflow run URI layout","expected":"runs:/<run-id>/<path>"}
      git+https://github.com/org/repo.git  →  git {"url":"https://github.com/org/repo.git"}
      git+  →  malformed {"problem":"there is no repository URL after git+","expected":"git+https://<host>/<repo>"}
      file:./env.yml  →  local {"path":"./env.yml"}
      file:  →  malformed {"problem":"there is no path after file:","expected":"file:./relative/path"}
      file:///abs/x  →  local {"path":"/abs/x"}
      \${{parent.inputs.x}}  →  expression {}
      ./model.pkl  →  (not a reference)
      data  →  (not a reference)
      workspaceblobstore  →  (not a reference)"
    `);
  });

  it("never throws, whatever the input", () => {
    for (const raw of ["", ":", "azureml:@", "azureml::", "azureml://", "://", "a://", "runs:/x/", "wasbs://@/", "${{"]) {
      expect(() => parseReference(raw)).not.toThrow();
    }
  });

  it("cuts query strings when printing, since they may carry a SAS signature", () => {
    expect(displayReference("https://a.blob.core.windows.net/c/x?sv=1&sig=abc")).toBe("https://a.blob.core.windows.net/c/x?…");
    expect(displayReference("azureml:iris:1")).toBe("azureml:iris:1");
  });
});
