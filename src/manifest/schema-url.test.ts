import { describe, expect, it } from "vitest";
import { classify, declaredSchema } from "./discover.js";
import { classifySchemaUrl } from "./schema-url.js";

describe("what a $schema says a file is", () => {
  it("knows every managed schema on every Azure ML host, in any casing", () => {
    const kinds = [
      "https://azuremlschemas.azureedge.net/latest/model.schema.json",
      "https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json",
      "https://azuremlsdk2.blob.core.windows.net/preview/0.0.1/pipelineJob.schema.json",
      "https://azuremlschemasprod.azureedge.net/latest/environment.schema.json",
      "http://azureml/sdk-2-0/CommandComponent.json",
      "http://azureml/sdk-2-0/SparkComponent.json",
      "http://azureml/sdk-2-0/PipelineJob.json",
      "http://azureml/sdk-2-0/DataImport.json",
      "HTTPS://AZUREMLSCHEMAS.AZUREEDGE.NET/latest/AzureDataLakeGen2.schema.json",
      "../../schemas/data.schema.json",
    ].map((url) => {
      const cls = classifySchemaUrl(url);
      return cls?.class === "managed" ? `${cls.kind}${cls.datastoreType ? `/${cls.datastoreType}` : ""}` : cls?.class;
    });
    expect(kinds).toEqual([
      "model",
      "command_component",
      "pipeline_job",
      "environment",
      "command_component",
      "spark_component",
      "pipeline_job",
      "data_import",
      "datastore/azure_data_lake_gen2",
      "data",
    ]);
  });

  it("leaves other Azure ML schemas alone and flags names it does not know", () => {
    expect(classifySchemaUrl("https://azuremlschemas.azureedge.net/latest/managedOnlineEndpoint.schema.json")?.class).toBe("unmanaged");
    expect(classifySchemaUrl("https://azuremlschemas.azureedge.net/latest/commandJob.schema.json")?.class).toBe("unmanaged");
    expect(classifySchemaUrl("https://azuremlschemas.azureedge.net/promptflow/latest/Flow.schema.json")?.class).toBe("unmanaged");
    expect(classifySchemaUrl("https://azuremlschemas.azureedge.net/latest/modle.schema.json")).toEqual({ class: "unknown", name: "modle" });
    expect(classifySchemaUrl("https://json.schemastore.org/github-workflow.json")).toBeUndefined();
  });

  it("finds $schema at the top level, quoted or not, as JSON, or in the editor modeline", () => {
    expect(declaredSchema("# c\n$schema: https://x/model.schema.json # note\nname: m\n")?.url).toBe("https://x/model.schema.json");
    expect(declaredSchema("'$schema': \"https://x/data.schema.json\"\n")?.url).toBe("https://x/data.schema.json");
    expect(declaredSchema('{"$schema": "https://x/data.schema.json", "name": "d"}')?.url).toBe("https://x/data.schema.json");
    expect(declaredSchema("# yaml-language-server: $schema=../schemas/model.schema.json\nname: m\n")?.url).toBe("../schemas/model.schema.json");
    expect(declaredSchema("inputs:\n  $schema: https://x/model.schema.json\n")).toBeUndefined();
  });

  it("maps a file without $schema by assetctl.yaml, never one with another Azure ML schema", () => {
    const mapping = { glob: "**", kind: "model" as const };
    expect(classify("name: m\n", mapping)).toMatchObject({ manifest: true, kind: "model", source: "mapping" });
    expect(classify("name: m\n", undefined)).toMatchObject({ manifest: false });
    expect(classify("$schema: https://azuremlschemas.azureedge.net/latest/batchEndpoint.schema.json\n", mapping)).toMatchObject({ manifest: false });
  });
});
