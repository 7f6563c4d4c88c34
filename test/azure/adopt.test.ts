// Versions made outside assetctl (`az ml model create`: a blob uploaded to the workspace's default
// datastore, then a version pointing at it), through the built CLI on the stand-in: one whose content
// equals a manifest plans as an adoption (`=`), not a conflict; one with other bytes is a conflict; after
// apply the adopted version is managed and the next plan has no changes. A blob uploaded in blocks
// carries no Content-MD5: equality is then not decided, and the plan says so.
import { afterEach, describe, expect, it } from "vitest";
import { AzureMlDriver } from "../../src/registry/drivers/azureml/driver.js";
import { TempRepo } from "../e2e/harness.js";
import { azureWorkspace } from "./workspace-env.js";

const WEIGHTS = "weights of the model\n".repeat(40);

function model(name: string): string {
  return `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\nname: ${name}\nversion: "1"\npath: ./model.pkl\n`;
}

/** What `az ml model create --path` does: the file into the default datastore, then a version pointing at it. */
async function createOutOfBand(workspace: ReturnType<typeof azureWorkspace>, name: string, bytes: string, blocks = false): Promise<void> {
  const env = workspace.env as Record<string, string>;
  const token = env["ASSETCTL_AZUREML_ACCESS_TOKEN"] as string;
  const arm = `${env["ASSETCTL_AZUREML_ENDPOINT"]}${workspace.url.replace("azureml://", "/").replace("/workspaces/", "/providers/Microsoft.MachineLearningServices/workspaces/")}`;
  const api = "?api-version=2024-10-01";
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const datastore = (await (await fetch(`${arm}/datastores/workspaceblobstore${api}`, { headers })).json()) as { properties: { containerName: string } };
  const { BlobServiceClient, StorageSharedKeyCredential } = await import("@azure/storage-blob");
  // @ts-expect-error: a plain ES module
  const { AZURITE_ACCOUNT, AZURITE_KEY } = (await import("./standin.mjs")) as { AZURITE_ACCOUNT: string; AZURITE_KEY: string };
  const blobs = new BlobServiceClient((env["ASSETCTL_AZUREML_STORAGE_ENDPOINT"] as string).replace("{account}", AZURITE_ACCOUNT), new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  const path = `LocalUpload/${name}/model.pkl`;
  const blob = blobs.getContainerClient(datastore.properties.containerName).getBlockBlobClient(path);
  if (blocks) {
    // Staged blocks and a block list, as large uploads go: the blob has no Content-MD5.
    const id = Buffer.from("block-0").toString("base64");
    await blob.stageBlock(id, bytes, Buffer.byteLength(bytes));
    await blob.commitBlockList([id]);
  } else {
    // A single-shot upload: the service stores its Content-MD5.
    await blob.upload(bytes, Buffer.byteLength(bytes));
  }
  const modelUri = `${workspace.url.replace("resourceGroups", "resourcegroups")}/datastores/workspaceblobstore/paths/${path}`;
  const response = await fetch(`${arm}/models/${name}/versions/1${api}`, { method: "PUT", headers, body: JSON.stringify({ properties: { modelType: "custom_model", modelUri } }) });
  expect(response.status).toBe(201);
}

describe("adopting versions made outside assetctl", () => {
  const repos: TempRepo[] = [];
  afterEach(() => {
    for (const repo of repos.splice(0)) repo.remove();
  });

  it("plans an equal one as an adoption and a different one as a conflict; apply makes it managed", { timeout: 240_000 }, async () => {
    const workspace = azureWorkspace();
    const setup = new AzureMlDriver({ url: workspace.url, env: { ...process.env, ...workspace.env } });
    await setup.open({ create: true });
    await setup.close();
    await createOutOfBand(workspace, "same", WEIGHTS);
    await createOutOfBand(workspace, "other", "other weights\n".repeat(40));
    await createOutOfBand(workspace, "blocks", WEIGHTS, true);
    const repo = new TempRepo({ "models/same/model.pkl": WEIGHTS, "models/same/model.yml": model("same"), "models/other/model.pkl": WEIGHTS, "models/other/model.yml": model("other"), "models/blocks/model.pkl": WEIGHTS, "models/blocks/model.yml": model("blocks") });
    repos.push(repo);
    repo.commit("models");
    const env = { ...workspace.env, NO_COLOR: "1" };

    const plan = await repo.run(["plan"], { env });
    expect(plan.code).toBe(1);
    expect(plan.stdout).toMatch(/= {2}model:same:1 +adopt: made outside assetctl with the same content; apply records it as managed/);
    expect(plan.stdout).toMatch(/! {2}model:other:1 +version 1 already exists with different content/);
    expect(plan.stdout).not.toMatch(/model:other:1 .*without downloading/);
    // Equal bytes, but nothing to compare them by without downloading: a conflict that says so.
    expect(plan.stdout).toMatch(/! {2}model:blocks:1 +version 1 already exists with different content \(.*\) \(made outside assetctl; its files carry no MD5, so equal content cannot be verified without downloading\)/);
    expect(plan.stdout).toContain("Plan: 0 new assets, 0 new versions, 0 updates, 2 conflicts, 1 to adopt, 0 unchanged.");
    const json = JSON.parse((await repo.run(["plan", "--json", "--target", "model:same"], { env })).stdout) as { changes: { address: string; action: string; adopt?: boolean }[]; summary: { adopt?: number } };
    expect(json.changes.map((c) => [c.address, c.action, c.adopt])).toEqual([["model:same:1", "noop", true]]);
    expect(json.summary.adopt).toBe(1);

    // The conflicting manifest goes; the equal one is adopted.
    repo.git("rm", "-q", "models/other/model.yml", "models/blocks/model.yml");
    repo.commit("other is az ml's");
    const apply = await repo.run(["apply", "--auto-approve"], { env });
    expect(apply.code, apply.stderr).toBe(0);
    const after = await repo.run(["plan"], { env });
    // Adopted: unchanged from now on (az ml's other version, no longer declared, is an orphan as before).
    expect(after.stdout).toContain("Plan: 0 new assets, 0 new versions, 0 updates, 0 conflicts, 2 orphaned, 1 unchanged.");
    expect(after.stdout).not.toContain("model:same");

    const driver = new AzureMlDriver({ url: workspace.url, env: { ...process.env, ...workspace.env } });
    await driver.open();
    const versions = (await driver.snapshot()).versions.map((v) => [v.record.name, v.unmanaged === true, v.record.provenance.manifest]);
    expect(versions).toEqual([
      ["blocks", true, ""],
      ["other", true, ""],
      ["same", false, "models/same/model.yml"],
    ]);
    expect((await driver.journal()).map((r) => r.entry.op)).toContain("adopt");
    await driver.close();
  });
});
