// The OpenAPI fixture holds what mfe.json (2024-10-01) says, not less: bodies the real definitions
// accept pass, and what they refuse fails. Each case below is one the spec settles.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain ES module, shared with the stand-in
import { openApiValidator } from "./openapi-schema.mjs";

const validator = openApiValidator() as { validate(name: string, body: unknown): string[] };
const valid = (name: string, body: unknown): string[] => validator.validate(name, body);
const common = { description: null, tags: {}, properties: {} };

describe("the Azure ML OpenAPI fixture", () => {
  it("names the commits its definitions are copied from", () => {
    const source = JSON.parse(readFileSync(new URL("./openapi-2024-10-01.json", import.meta.url), "utf8"))._source;
    expect(source["mfe.json"].commit).toMatch(/^[0-9a-f]{40}$/);
    expect(source["common-types"].commit).toMatch(/^[0-9a-f]{40}$/);
    expect(source["mfe.json"].copied).toContain("copied");
  });

  it("accepts an environment's startup route and refuses a route the spec does not have", () => {
    const env = (inferenceConfig: unknown) => ({ properties: { ...common, image: "python:3.12", inferenceConfig } });
    expect(valid("EnvironmentVersionResource", env({ startupRoute: { path: "/ready", port: 5001 } }))).toEqual([]);
    expect(valid("EnvironmentVersionResource", env({ startupRoute: null }))).toEqual([]);
    expect(valid("EnvironmentVersionResource", env({ shutdownRoute: { path: "/x", port: 1 } }))).not.toEqual([]);
  });

  it("accepts a model flavor that is null", () => {
    expect(valid("ModelVersionResource", { properties: { ...common, modelUri: "azureml://x", flavors: { python_function: null } } })).toEqual([]);
    expect(valid("ModelVersionResource", { properties: { ...common, flavors: { python_function: "no" } } })).not.toEqual([]);
  });

  it("reads every datastore type, credential and secret the spec defines", () => {
    const none = { credentialsType: "None" };
    const store = (props: Record<string, unknown>) => ({ properties: { ...common, credentials: none, ...props } });
    expect(valid("DatastoreResource", store({ datastoreType: "AzureDataLakeGen1", storeName: "lake1" }))).toEqual([]);
    expect(valid("DatastoreResource", store({ datastoreType: "AzureDataLakeGen1" }))).not.toEqual([]);
    expect(
      valid("DatastoreResource", store({ datastoreType: "OneLake", oneLakeWorkspaceName: "ws", artifact: { artifactType: "LakeHouse", artifactName: "lh" } })),
    ).toEqual([]);
    const principal = { clientId: "00000000-0000-0000-0000-000000000001", tenantId: "00000000-0000-0000-0000-000000000002" };
    const blob = (credentials: unknown) => ({ properties: { ...common, datastoreType: "AzureBlob", accountName: "a", containerName: "c", credentials } });
    expect(valid("DatastoreResource", blob({ credentialsType: "ServicePrincipal", ...principal, secrets: { secretsType: "ServicePrincipal", clientSecret: "s" } }))).toEqual([]);
    expect(
      valid("DatastoreResource", blob({ credentialsType: "Certificate", ...principal, thumbprint: "ab12", secrets: { secretsType: "Certificate", certificate: "c" } })),
    ).toEqual([]);
    expect(valid("DatastoreResource", blob({ credentialsType: "Certificate", ...principal, secrets: { secretsType: "Certificate" } }))).not.toEqual([]);
    expect(valid("DatastoreSecrets", { secretsType: "ServicePrincipal", clientSecret: "s" })).toEqual([]);
    expect(valid("DatastoreSecrets", { secretsType: "Certificate", certificate: "c" })).toEqual([]);
    expect(valid("DatastoreSecrets", { secretsType: "Password", password: "p" })).not.toEqual([]);
  });

  it("reads a registry's getBlobReferenceSAS answer with every credential type the spec defines", () => {
    // The spec's own example (examples/DataReference/getBlobReferenceSAS.json), then each other subtype.
    const answer = (credential: unknown) => ({ blobReferenceForConsumption: { blobUri: "https://www.contoso.com/example", storageAccountArmId: "string", credential } });
    expect(valid("GetBlobReferenceSASRequestDto", { assetId: "string", blobUri: "https://www.contoso.com/example" })).toEqual([]);
    expect(valid("GetBlobReferenceSASResponseDto", answer({ credentialType: "NoCredentials" }))).toEqual([]);
    expect(valid("GetBlobReferenceSASResponseDto", answer({ credentialType: "SAS", sasUri: "https://a.blob.core.windows.net/c/b?sig=x" }))).toEqual([]);
    expect(valid("GetBlobReferenceSASResponseDto", answer({ credentialType: "ManagedIdentity", managedIdentityType: "SystemManaged", userManagedIdentityClientId: null }))).toEqual([]);
    expect(valid("GetBlobReferenceSASResponseDto", answer({ credentialType: "DockerCredentials", userName: "u", password: "p" }))).toEqual([]);
    expect(valid("GetBlobReferenceSASResponseDto", answer({ credentialType: "SAS", sasToken: "x" }))).not.toEqual([]);
    expect(valid("GetBlobReferenceSASResponseDto", answer({ credentialType: "AccountKey" }))).not.toEqual([]);
    expect(valid("GetBlobReferenceSASRequestDto", { assetId: "a", blobUri: "b", extra: 1 })).not.toEqual([]);
  });
});
