// openRegistry: which driver a `--registry` value selects, and what it refuses.
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RegistryError } from "./driver.js";
import { FsDriver } from "./drivers/fs.js";
import { MemoryDriver } from "./drivers/memory.js";
import { sha256 } from "../digest.js";
import { openRegistry, redact, registryDriver, splitSpec } from "./open.js";
import { sampleArtifact, sampleRecord } from "./sample-records.test-helper.js";

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

  it("asks for both halves of a team registry, without echoing a password", async () => {
    const postgres = await refusal("postgres://ci:s3cret@db.example.com/assets");
    expect(postgres.code).toBe("invalid");
    expect(postgres.message).toContain("not where objects go");
    expect(postgres.message).not.toContain("s3cret");
    expect(postgres.message).toContain("postgres://ci:***@db.example.com/assets");
    expect((await refusal("oci://ghcr.io/team/assets")).message).toContain("objects, not its records");
    expect((await refusal("s3://bucket/x")).message).toContain('Unknown registry scheme "s3://"');
    expect((await refusal("s3://bucket/x?objects=./objects")).message).toContain("Records cannot be kept at s3://bucket/x");
    expect((await refusal("./records?objects=s3://bucket")).message).toContain("Objects cannot be kept at s3://bucket");
  });

  it("splits RECORDS?objects=OBJECTS, the objects address whole even with a query of its own", () => {
    expect(splitSpec("postgres://u@db/assets?sslmode=require&objects=oci://reg.example.com/ml?insecure=true")).toEqual({
      records: "postgres://u@db/assets?sslmode=require",
      objects: "oci://reg.example.com/ml?insecure=true",
    });
    expect(splitSpec("./records?objects=oci%3A%2F%2Freg.example.com%2Fml")).toEqual({ records: "./records", objects: "oci://reg.example.com/ml" });
    expect(splitSpec(".assetctl/registry")).toBeUndefined();
    expect(() => splitSpec("?objects=./x")).toThrow(RegistryError);
  });

  it("names a team registry by both halves, with the password left out", async () => {
    const driver = await registryDriver("postgres://ci:s3cret@db.example.com:5432/assets?objects=oci://reg.example.com/ml", repoRoot);
    expect(driver.url).toBe("postgres://ci:***@db.example.com:5432/assets?objects=oci://reg.example.com/ml");
    expect(redact("postgres://ci:s3cret@db/x?objects=oci://h/n")).toBe("postgres://ci:***@db/x?objects=oci://h/n");
  });

  it("keeps a split registry in two directories: records in one, objects in the other", async () => {
    const registry = await openRegistry("./records?objects=./objects", { repoRoot, create: true });
    const data = Buffer.from("weights");
    await registry.putObject(sha256(data), { kind: "bytes", data });
    await registry.createVersion(sampleRecord({ artifacts: [sampleArtifact(data)] }));
    expect(registry.url).toBe("./records?objects=./objects");
    expect((await stat(path.join(repoRoot, "objects", "format.json"))).isFile()).toBe(true);
    expect((await stat(path.join(repoRoot, "records", "versions", "model", "mnist", "1.json"))).isFile()).toBe(true);
    expect(await registry.verify()).toEqual([]);
    await registry.close();
  });
});
