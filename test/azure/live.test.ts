// Against a real Azure ML workspace, when ASSETCTL_LIVE_AZUREML names one (azureml://subscriptions/…/
// workspaces/…) and the identity comes from the standard AZURE_* variables (DefaultAzureCredential).
// Skipped otherwise; see docs/azure.md for the role the identity needs and how to run it.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256 } from "../../src/digest.js";
import { AzureMlDriver } from "../../src/registry/drivers/azureml/driver.js";
import { sampleArtifact, sampleRecord } from "../../src/registry/sample-records.test-helper.js";
import { addressOf } from "../../src/registry/types.js";

const workspace = process.env["ASSETCTL_LIVE_AZUREML"];

describe.skipIf(!workspace)("live Azure ML workspace", () => {
  it("stores an object, creates a version, sees it in the snapshot, and archives it", { timeout: 300_000 }, async () => {
    const driver = new AzureMlDriver({ url: workspace as string });
    await driver.open({ create: true });
    try {
      const data = randomBytes(1024);
      const name = `assetctl-live-${randomBytes(4).toString("hex")}`;
      const record = sampleRecord({ name, artifacts: [sampleArtifact(data)], spec: { name, type: "custom_model", path: sha256(data) } });
      await driver.putObject(sha256(data), { kind: "bytes", data });
      await driver.createVersion(record);
      await expect(driver.createVersion(record)).rejects.toMatchObject({ code: "version-exists" });
      const stored = (await driver.snapshot()).versions.find((v) => addressOf(v.record) === addressOf(record));
      expect(stored?.record.digest).toBe(record.digest);
      await driver.updateVersion({ kind: "model", name, version: "1", archived: true, provenance: record.provenance, updated_at: new Date().toISOString() });
      expect((await driver.snapshot()).versions.find((v) => addressOf(v.record) === addressOf(record))?.archived).toBe(true);
    } finally {
      await driver.close();
    }
  });
});
