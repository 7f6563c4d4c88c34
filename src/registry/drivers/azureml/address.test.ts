// Which Azure ML workspace or registry an `azureml://` address names, and where it is reached.
import { describe, expect, it } from "vitest";
import { RegistryError } from "../../driver.js";
import { parseAzureMlAddress, PUBLIC_ARM_ENDPOINT } from "./address.js";

const WS = "azureml://subscriptions/0000-1111/resourceGroups/rg-ml/workspaces/team-ws";

describe("parseAzureMlAddress", () => {
  it("reads a workspace address, on Azure's public cloud by default", () => {
    expect(parseAzureMlAddress(WS, {})).toEqual({
      kind: "workspaces",
      subscription: "0000-1111",
      resourceGroup: "rg-ml",
      name: "team-ws",
      endpoint: PUBLIC_ARM_ENDPOINT,
      storageEndpoint: undefined,
      resourcePath: "/subscriptions/0000-1111/resourceGroups/rg-ml/providers/Microsoft.MachineLearningServices/workspaces/team-ws",
    });
  });

  it("reads a registry address, long or short (subscription and group from the query or the environment)", () => {
    expect(parseAzureMlAddress("azureml://subscriptions/s1/resourceGroups/g1/registries/shared", {})).toMatchObject({ kind: "registries", subscription: "s1", resourceGroup: "g1", name: "shared" });
    expect(parseAzureMlAddress("azureml://registries/shared?subscription=s2&resourceGroup=g2", {})).toMatchObject({ kind: "registries", subscription: "s2", resourceGroup: "g2" });
    expect(parseAzureMlAddress("azureml://registries/shared", { AZURE_SUBSCRIPTION_ID: "s3", ASSETCTL_AZUREML_RESOURCE_GROUP: "g3" })).toMatchObject({ subscription: "s3", resourceGroup: "g3" });
  });

  it("takes endpoint overrides from the query first, then the environment", () => {
    const env = { ASSETCTL_AZUREML_ENDPOINT: "https://management.usgovcloudapi.net/", ASSETCTL_AZUREML_STORAGE_ENDPOINT: "https://{account}.blob.core.usgovcloudapi.net" };
    expect(parseAzureMlAddress(WS, env)).toMatchObject({ endpoint: "https://management.usgovcloudapi.net", storageEndpoint: env.ASSETCTL_AZUREML_STORAGE_ENDPOINT });
    expect(parseAzureMlAddress(`${WS}?endpoint=http://127.0.0.1:8080`, env).endpoint).toBe("http://127.0.0.1:8080");
  });

  it.each([
    ["not azureml", "https://example.com/x"],
    ["no workspace", "azureml://subscriptions/s/resourceGroups/g"],
    ["another resource type", "azureml://subscriptions/s/resourceGroups/g/computes/c"],
    ["a short registry without a subscription", "azureml://registries/shared"],
    ["a bad name", "azureml://subscriptions/s/resourceGroups/g/workspaces/-x"],
    ["plain http to another machine", `${WS}?endpoint=http://management.example.com`],
  ])("refuses %s with an invalid-address error", (_what, spec) => {
    let error: unknown;
    try {
      parseAzureMlAddress(spec, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe("invalid");
    expect((error as RegistryError).hint).toContain("azureml://subscriptions/");
  });
});
