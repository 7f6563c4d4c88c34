import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserError } from "../../diagnostics.js";
import { sha256 } from "../../digest.js";
import type { ProgressUpdate } from "../../progress.js";
import { FsDriver } from "../../registry/drivers/fs.js";
import { sampleArtifact, sampleRecord } from "../../registry/sample-records.test-helper.js";
import { recordingIo } from "../io.test-helper.js";
import { forceUnlockCommand, lockCommand, verifyCommand } from "./registry-admin.js";

describe("verify", () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), "assetctl-verify-"));
  });

  afterEach(async () => {
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
    const io = { ...recordingIo({ cwd: root }), progress: (update: ProgressUpdate) => void told.push({ ...update }) };
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

describe("lock status and force-unlock", () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), "assetctl-unlock-"));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** A lock taken on the registry by `identity`, as that process would take it. */
  async function lockedBy(identity: { host: string; pid: number }): Promise<string> {
    const registry = new FsDriver({ path: path.join(root, "registry"), identity });
    await registry.open({ create: true });
    const held = await registry.lock({ owner: "alice@build-7", operation: "apply", timeoutMs: 0 });
    await registry.close();
    return held.info.id;
  }

  async function currentLockId(): Promise<string | undefined> {
    const registry = new FsDriver({ path: path.join(root, "registry") });
    await registry.open();
    try {
      return (await registry.currentLock())?.id;
    } finally {
      await registry.close();
    }
  }

  const target = () => ({ dir: root, registry: "./registry" });

  it("lock status names the holder, its process and the ID to paste into force-unlock", async () => {
    const io = recordingIo({ cwd: root });
    await lockedBy({ host: "build-agent-7", pid: 4242 });
    const id = await currentLockId();
    expect(await lockCommand.run(target(), ["status"], io)).toBe(0);
    const text = io.lines.join("\n");
    expect(text).toContain(`ID:        ${id}`);
    expect(text).toContain("Holder:    alice@build-7, pid 4242 on build-agent-7 (on another host)");
    expect(text).toContain(`assetctl force-unlock ${id}`);
  });

  it("lock status says when the registry is not locked", async () => {
    const registry = new FsDriver({ path: path.join(root, "registry") });
    await registry.open({ create: true });
    await registry.close();
    const io = recordingIo({ cwd: root });
    expect(await lockCommand.run(target(), [], io)).toBe(0);
    expect(io.lines).toEqual([`The registry ${path.join(root, "registry")} is not locked.`]);
  });

  it("force-unlock refuses a lock whose holder is a running process on this host, unless --force", async () => {
    // This very test process holds it: alive, on this host.
    const id = await lockedBy({ host: hostname(), pid: process.pid });
    const io = recordingIo({ cwd: root });
    const refused = await forceUnlockCommand.run(target(), [id], io).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as UserError).code).toBe("lock-holder-running");
    expect((refused as UserError).message).toContain(`pid ${process.pid} on this host, which is still running`);
    expect(await currentLockId()).toBe(id);

    expect(await forceUnlockCommand.run({ ...target(), force: true }, [id], io)).toBe(0);
    expect(await currentLockId()).toBeUndefined();
  });

  it("force-unlock asks on a terminal, and frees the lock only on 'yes'", async () => {
    const id = await lockedBy({ host: "build-agent-7", pid: 4242 });
    const questions: string[] = [];
    const no = recordingIo({ cwd: root, interactive: true, ask: async (q) => (questions.push(q), "no") });
    expect(await forceUnlockCommand.run(target(), [id], no)).toBe(1);
    expect(no.lines.join("\n")).toContain("Do you really want to force-unlock?");
    expect(no.lines.at(-1)).toContain("Force-unlock cancelled");
    expect(await currentLockId()).toBe(id);

    const yes = recordingIo({ cwd: root, interactive: true, ask: async (q) => (questions.push(q), "yes") });
    expect(await forceUnlockCommand.run(target(), [id], yes)).toBe(0);
    expect(questions).toHaveLength(2);
    expect(questions[0]).toContain("Only 'yes' will be accepted");
    expect(await currentLockId()).toBeUndefined();
  });
});
