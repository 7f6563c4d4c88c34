// What the Azure ML driver does when the service misbehaves: throttling (429 with Retry-After) and
// server errors are retried by Microsoft's pipeline; an expired token is a clear refusal that names no
// token; a version made out of band moves the serial (a saved plan goes stale); two handles applying at
// once never both create one version; an upload cut mid-way writes no object and is resumed.
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { sha256 } from "../../src/digest.js";
import { RegistryError } from "../../src/registry/driver.js";
import { AzureMlDriver } from "../../src/registry/drivers/azureml/driver.js";
import { sampleArtifact, sampleRecord } from "../../src/registry/sample-records.test-helper.js";
import { azureEnv, freshWorkspaceUrl, standIn, tokenCredential, workspaceDriver, type StandIn } from "./support.js";

let server: StandIn;
beforeAll(async () => {
  server = await standIn();
});
afterAll(async () => {
  await server?.stop();
});
afterEach(() => {
  vi.useRealTimers();
});

async function opened(url = freshWorkspaceUrl()): Promise<AzureMlDriver> {
  const driver = workspaceDriver(server, url);
  await driver.open({ create: true });
  return driver;
}

describe("azure ml driver under faults", () => {
  it("waits out a 429 with Retry-After and retries a 500, then succeeds", async () => {
    const driver = await opened();
    server.inject({ status: 429, retryAfter: 1, method: "GET", path: /\/models$/ });
    server.inject({ status: 500, times: 2, method: "PUT", path: /\/versions\/1$/ });
    const started = Date.now();
    await driver.createVersion(sampleRecord());
    const snapshot = await driver.snapshot();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(snapshot.versions.map((v) => v.record.version)).toEqual(["1"]);
    expect(server.violations).toEqual([]);
  });

  it("refuses with a clear message when the token has expired, and prints no token", async () => {
    const url = freshWorkspaceUrl();
    const env = azureEnv(server, -1000);
    const driver = new AzureMlDriver({ url, env });
    const error = await driver.open({ create: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe("unavailable");
    expect((error as RegistryError).message).toMatch(/expir/i);
    expect((error as RegistryError).hint).toMatch(/sign in again/);
    const token = env["ASSETCTL_AZUREML_ACCESS_TOKEN"] as string;
    expect(`${(error as Error).message} ${(error as RegistryError).hint ?? ""}`).not.toContain(token);
  });

  it("moves the serial when a version is created out of band, so a saved plan goes stale", async () => {
    const url = freshWorkspaceUrl();
    const driver = await opened(url);
    await driver.createVersion(sampleRecord({ version: "1" }));
    const before = await driver.snapshot();
    // Only Date is faked: the window of the default state token starts now, and turns when told.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Math.ceil(Date.now() / 60_000) * 60_000 + 1_000);
    const token = await driver.stateToken();
    const listing = new AzureMlDriver({ url, credential: tokenCredential(server), env: { ...azureEnv(server), ASSETCTL_AZUREML_REUSE_WINDOW: "0" } });
    await listing.open();
    const listed = await listing.stateToken();
    // `az ml model create` would do this: a version without assetctl's properties.
    const path = url.replace("azureml://", "/").replace("resourceGroups", "resourceGroups") + "/models/mnist/versions/2";
    const armPath = path.replace(/\/workspaces\//, "/providers/Microsoft.MachineLearningServices/workspaces/");
    const response = await fetch(`${server.endpoint}${armPath}?api-version=${server.apiVersion}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${server.mintToken().token}`, "content-type": "application/json" },
      body: JSON.stringify({ properties: { modelType: "custom_model", modelUri: "azureml://datastores/workspaceblobstore/paths/elsewhere/model.pkl" } }),
    });
    expect(response.status).toBe(201);
    const after = await driver.snapshot();
    expect(after.serial).toBeGreaterThan(before.serial);
    // The default state token reads the journal only: it sees the out-of-band version when its window
    // turns; the listing one at once.
    expect(await listing.stateToken()).not.toBe(listed);
    expect(await driver.stateToken()).toBe(token);
    vi.setSystemTime(Date.now() + 60_000);
    expect(await driver.stateToken()).not.toBe(token);
    vi.useRealTimers();
    // Auto-versioning continues from the service's highest version: the unmanaged one is in the snapshot.
    expect(after.versions.map((v) => [v.record.version, v.record.provenance.tool_version === ""])).toEqual([
      ["1", false],
      ["2", true],
    ]);
  });

  it("lets exactly one of two handles create a version at once; the other is told it exists", async () => {
    const url = freshWorkspaceUrl();
    const a = await opened(url);
    const b = workspaceDriver(server, url);
    await b.open();
    const results = await Promise.allSettled([a.createVersion(sampleRecord({ spec: { attempt: 1 } })), b.createVersion(sampleRecord({ spec: { attempt: 2 } }))]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(results.filter((r) => r.status === "rejected").map((r) => ((r as PromiseRejectedResult).reason as RegistryError).code)).toEqual(["version-exists"]);
  });

  it("stores nothing when an upload is cut mid-way, and a retry finishes it without sending every block again", async () => {
    const driver = await opened();
    const data = randomBytes(9 * 1024 * 1024);
    const digest = sha256(data);
    // The second block upload fails for good (the pipeline's retries included).
    server.setLatency(0);
    const blobs = (await import("@azure/storage-blob")) as typeof import("@azure/storage-blob");
    const original = blobs.BlockBlobClient.prototype.stageBlock;
    let calls = 0;
    blobs.BlockBlobClient.prototype.stageBlock = function (this: InstanceType<typeof blobs.BlockBlobClient>, ...args: Parameters<typeof original>) {
      if (++calls === 2) return Promise.reject(Object.assign(new Error("connection reset"), { code: "ECONNRESET" }));
      return original.apply(this, args);
    };
    try {
      await expect(driver.putObject(digest, { kind: "bytes", data })).rejects.toMatchObject({ code: "unavailable" });
      expect(await driver.hasObject(digest)).toBe(false);
      await expect(driver.createVersion(sampleRecord({ artifacts: [sampleArtifact(data)] }))).rejects.toMatchObject({ code: "object-missing" });
      calls = 100;
      const before = calls;
      await driver.putObject(digest, { kind: "bytes", data });
      // Only the block that failed is sent again: the others were staged already.
      expect(calls - before).toBeLessThan(3);
      expect(await driver.hasObject(digest)).toBe(true);
    } finally {
      blobs.BlockBlobClient.prototype.stageBlock = original;
    }
  });
});
