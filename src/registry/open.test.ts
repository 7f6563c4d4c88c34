// openRegistry: which driver a `--registry` value selects, and what it refuses.
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RegistryError } from "./driver.js";
import { FsDriver } from "./drivers/fs.js";
import { MemoryDriver } from "./drivers/memory.js";
import { openRegistry } from "./open.js";
import { sampleRecord } from "./sample-records.js";

describe("openRegistry", () => {
  let repoRoot: string;

  beforeEach(async () => {
    repoRoot = await mkdtemp(path.join(tmpdir(), "assetctl-open-"));
  });

  afterEach(async () => {
    await rm(repoRoot, { recursive: true, force: true });
  });

  async function refusal(spec: string): Promise<RegistryError> {
    const error = await openRegistry(spec, { repoRoot, create: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RegistryError);
    return error as RegistryError;
  }

  it("opens a path relative to the repository root as the embedded registry, named as given", async () => {
    const registry = await openRegistry(".assetctl/registry", { repoRoot, create: true });
    expect(registry).toBeInstanceOf(FsDriver);
    expect(registry.url).toBe(".assetctl/registry");
    expect((await stat(path.join(repoRoot, ".assetctl", "registry", "format.json"))).isFile()).toBe(true);
    await registry.close();
  });

  it("accepts file:// URLs and absolute paths", async () => {
    const location = path.join(repoRoot, "shared");
    const viaUrl = await openRegistry(`file://${location}`, { repoRoot, create: true });
    await viaUrl.createVersion(sampleRecord());
    const viaPath = await openRegistry(location, { repoRoot });
    expect((await viaPath.snapshot()).versions).toHaveLength(1);
    await viaUrl.close();
    await viaPath.close();
  });

  it("does not create a registry unless asked", async () => {
    const error = await openRegistry(".assetctl/registry", { repoRoot }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "not-found" });
  });

  it("gives a fresh in-memory registry for memory:, and a shared one per name for memory:NAME", async () => {
    const fresh = await openRegistry("memory:", { repoRoot, create: true });
    expect(fresh).toBeInstanceOf(MemoryDriver);
    await fresh.createVersion(sampleRecord());
    expect((await (await openRegistry("memory:", { repoRoot, create: true })).snapshot()).versions).toEqual([]);
    const named = await openRegistry("memory:open-test", { repoRoot, create: true });
    await named.createVersion(sampleRecord());
    expect((await (await openRegistry("memory:open-test", { repoRoot })).snapshot()).versions).toHaveLength(1);
  });

  it("says PostgreSQL and OCI registries are not supported yet, without echoing a password", async () => {
    const postgres = await refusal("postgres://ci:s3cret@db.example.com/assets");
    expect(postgres.code).toBe("unavailable");
    expect(postgres.message).toContain("not supported yet");
    expect(postgres.message).not.toContain("s3cret");
    expect((await refusal("oci://ghcr.io/team/assets")).code).toBe("unavailable");
    expect((await refusal("s3://bucket/x")).message).toContain('Unknown registry scheme "s3://"');
  });
});
