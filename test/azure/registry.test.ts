// An Azure ML registry (azureml://…/registries/NAME) through the built CLI, and what the driver does
// there that a workspace does not: versions whose files went up through pending uploads and Azure ML
// can read, a datastore manifest refused with a clear message, and the bookkeeping assets hidden.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RegistryError } from "../../src/registry/driver.js";
import { sampleRecord } from "../../src/registry/sample-records.test-helper.js";
import { TempRepo } from "../e2e/harness.js";
import { azureEnv, freshRegistryUrl, freshWorkspaceUrl, standIn, workspaceDriver, type StandIn } from "./support.js";

let server: StandIn;
beforeAll(async () => {
  server = await standIn();
});
afterAll(async () => {
  await server?.stop();
});

describe("an Azure ML registry through the CLI", () => {
  const repos: TempRepo[] = [];
  afterEach(() => {
    for (const repo of repos.splice(0)) repo.remove();
  });

  it("applies models with their files, then plans no change; the bookkeeping assets are not listed", { timeout: 120_000 }, async () => {
    const repo = new TempRepo({
      "models/m/model.pkl": "weights\n".repeat(100),
      "models/m/model.yml": "$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\nname: m\npath: ./model.pkl\n",
      "models/d/weights/a.bin": "a\n",
      "models/d/weights/sub/b.bin": "b\n",
      "models/d/model.yml": "$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\nname: d\npath: ./weights\n",
    });
    repo.commit("models");
    repos.push(repo);
    const url = freshRegistryUrl();
    const env = { ...azureEnv(server), ASSETCTL_REGISTRY: url, NO_COLOR: "1" };
    const apply = await repo.run(["apply", "--auto-approve"], { env });
    expect(apply.code, apply.stderr).toBe(0);
    const plan = await repo.run(["plan"], { env });
    expect(plan.stdout).toContain("No changes. The registry matches the manifests.");
    const list = await repo.run(["list", "--json"], { env });
    const { assets } = JSON.parse(list.stdout) as { assets: { address: string }[] };
    expect(assets.map((a) => a.address).sort()).toEqual(["model:d:1", "model:m:1"]);
    expect(server.violations).toEqual([]);

    // Each version's files are in the registry's storage, under its own pending upload, readable there.
    const driver = workspaceDriver(server, url);
    await driver.open();
    const { versions } = await driver.snapshot();
    expect(versions.map((v) => v.record.name).sort()).toEqual(["d", "m"]);
    const { BlobServiceClient, StorageSharedKeyCredential } = await import("@azure/storage-blob");
    // @ts-expect-error: a plain ES module
    const { AZURITE_ACCOUNT, AZURITE_KEY } = (await import("./standin.mjs")) as { AZURITE_ACCOUNT: string; AZURITE_KEY: string };
    const blobs = new BlobServiceClient(server.azurite, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
    const [, sub, , rg, , name] = new URL(url).pathname.split("/");
    const container = blobs.getContainerClient(await server.blobContainerOf(sub as string, rg as string, "registries", name as string));
    const uris = await Promise.all(
      ["m", "d"].map(async (n) => {
        const response = await fetch(`${server.endpoint}/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.MachineLearningServices/registries/${name}/models/${n}/versions/1?api-version=${server.apiVersion}`, {
          headers: { authorization: `Bearer ${server.mintToken().token}` },
        });
        return ((await response.json()) as { properties: { modelUri: string } }).properties.modelUri;
      }),
    );
    const blobName = (uri: string): string => decodeURIComponent(new URL(uri).pathname.split("/").slice(3).join("/"));
    expect((await container.getBlockBlobClient(blobName(uris[0] as string)).downloadToBuffer()).toString()).toBe("weights\n".repeat(100));
    expect(uris[1]).toMatch(/\/$/);
    expect((await container.getBlockBlobClient(`${blobName(uris[1] as string)}sub/b.bin`).downloadToBuffer()).toString()).toBe("b\n");
  });

  it("refuses a datastore manifest: a registry has no datastores", async () => {
    const driver = workspaceDriver(server, freshRegistryUrl());
    await driver.open({ create: true });
    const record = sampleRecord({ kind: "datastore", name: "store", spec: { type: "azure_blob", account_name: "acct", container_name: "c" } });
    const error = await driver.createVersion(record).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe("invalid");
    expect((error as RegistryError).message).toContain("registries hold no datastores");
  });
});

describe("reading a workspace: the journal instead of listing every container", () => {
  it("lists no container whose versions assetctl wrote, and lists one that changed outside assetctl", async () => {
    const url = freshWorkspaceUrl();
    const driver = workspaceDriver(server, url);
    await driver.open({ create: true });
    for (let i = 0; i < 3; i++) await driver.createVersion(sampleRecord({ name: `m${i}` }));
    await driver.updateVersion({ kind: "model", name: "m1", version: "1", mutable: { description: "new" }, provenance: sampleRecord().provenance, updated_at: new Date().toISOString() });
    const before = server.requests.length;
    const first = await driver.snapshot();
    const listed = (from: number): string[] => server.requests.slice(from).filter((r) => r.method === "GET" && /\/versions$/.test(r.path)).map((r) => r.path);
    expect(listed(before)).toEqual([]);
    expect(first.versions.map((v) => [v.record.name, v.mutable.description ?? null])).toEqual([
      ["m0", "a model"],
      ["m1", "new"],
      ["m2", "a model"],
    ]);

    // A tag edited outside assetctl (Studio, az ml): that container, and only it, is listed again.
    const [, , sub, , rg, , name] = new URL(url.replace("azureml://", "http://x/")).pathname.split("/");
    const path = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.MachineLearningServices/workspaces/${name}/models/m2/versions/1`;
    const headers = { authorization: `Bearer ${server.mintToken().token}`, "content-type": "application/json" };
    const current = (await (await fetch(`${server.endpoint}${path}?api-version=${server.apiVersion}`, { headers })).json()) as { properties: Record<string, unknown> };
    await new Promise((resolve) => setTimeout(resolve, 5));
    const props = { ...current.properties, tags: { owner: "studio" } };
    delete props["provisioningState"];
    const put = await fetch(`${server.endpoint}${path}?api-version=${server.apiVersion}`, { method: "PUT", headers, body: JSON.stringify({ properties: props }) });
    expect(put.status).toBe(200);
    const again = server.requests.length;
    const second = await driver.snapshot();
    expect(listed(again).map((p) => p.split("/").at(-2))).toEqual(["m2"]);
    expect(second.versions.find((v) => v.record.name === "m2")?.mutable.tags).toEqual({ owner: "studio" });
    expect(server.violations).toEqual([]);
  });

  it("keeps listing a container that held versions before assetctl's first: the journal does not know them", async () => {
    const url = freshWorkspaceUrl();
    const driver = workspaceDriver(server, url);
    await driver.open({ create: true });
    // Version 1 made by `az ml`: no assetctl properties, never journaled.
    const [, , sub, , rg, , name] = new URL(url.replace("azureml://", "http://x/")).pathname.split("/");
    const path = `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.MachineLearningServices/workspaces/${name}/models/m/versions/1`;
    const headers = { authorization: `Bearer ${server.mintToken().token}`, "content-type": "application/json" };
    const made = await fetch(`${server.endpoint}${path}?api-version=${server.apiVersion}`, { method: "PUT", headers, body: JSON.stringify({ properties: { modelType: "custom_model", modelUri: "azureml://datastores/workspaceblobstore/paths/m" } }) });
    expect(made.status).toBe(201);
    await driver.createVersion(sampleRecord({ name: "m", version: "2" }));
    const { versions, serial } = await driver.snapshot();
    expect(versions.map((v) => v.record.version)).toEqual(["1", "2"]);
    expect(serial).toBe(2); // one journaled create, one version made outside
  });
});
