import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sha256 } from "../../digest.js";
import { setDefaultProgress, type ProgressUpdate } from "../../progress.js";
import { FsDriver } from "../../registry/drivers/fs.js";
import { sampleArtifact, sampleRecord } from "../../registry/sample-records.test-helper.js";
import { recordingIo } from "../io.test-helper.js";
import { verifyCommand } from "./registry-admin.js";

describe("verify", () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), "assetctl-verify-"));
  });

  afterEach(async () => {
    setDefaultProgress(undefined);
    await rm(root, { recursive: true, force: true });
  });

  it("reports the bytes it re-hashes to the run's progress listener, as the terminal's line would show", async () => {
    const data = randomBytes(3 * 1024 * 1024);
    const registry = new FsDriver({ path: path.join(root, "registry") });
    await registry.open({ create: true });
    await registry.putObject(sha256(data), { kind: "bytes", data });
    await registry.createVersion(sampleRecord({ artifacts: [sampleArtifact(data)] }));
    await registry.close();

    const told: ProgressUpdate[] = [];
    setDefaultProgress((update) => told.push({ ...update }));
    const io = recordingIo({ cwd: root });
    const lines = io.lines;
    expect(await verifyCommand.run({ dir: root, registry: "./registry" }, [], io)).toBe(0);
    expect(lines).toEqual([expect.stringContaining("verified")]);
    // Byte by byte (1 MiB reads), not only once the object is done.
    expect(told.map((u) => `${u.phase} ${u.done}/${String(u.total)}${u.ended ? " ended" : ""}`)).toEqual([
      "verifying 0/3145728",
      "verifying 1048576/3145728",
      "verifying 2097152/3145728",
      "verifying 3145728/3145728",
      "verifying 3145728/3145728 ended",
    ]);
  });
});
