// Which registry a command talks to: --registry, then ASSETCTL_REGISTRY, then assetctl.yaml (where a
// team registry's two halves become one address), then the embedded default.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connectRegistry, DEFAULT_REGISTRY, registrySpec } from "./context.js";

describe("registrySpec", () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), "assetctl-context-"));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("takes the flag, then the environment, then assetctl.yaml, then the default", async () => {
    await writeFile(path.join(root, "assetctl.yaml"), "registry: ./from-config\n");
    expect(await registrySpec(root, "./from-flag", { ASSETCTL_REGISTRY: "./from-env" })).toBe("./from-flag");
    expect(await registrySpec(root, undefined, { ASSETCTL_REGISTRY: "./from-env" })).toBe("./from-env");
    expect(await registrySpec(root, undefined, {})).toBe("./from-config");
    await rm(path.join(root, "assetctl.yaml"));
    expect(await registrySpec(root, undefined, {})).toBe(DEFAULT_REGISTRY);
  });

  it("joins a team registry's records and objects from assetctl.yaml into one address", async () => {
    await writeFile(
      path.join(root, "assetctl.yaml"),
      "registry:\n  records: postgres://ci@db.example.com/assets?sslmode=verify-full\n  objects: oci://registry.example.com/ml/assets\n",
    );
    expect(await registrySpec(root, undefined, {})).toBe("postgres://ci@db.example.com/assets?sslmode=verify-full&objects=oci://registry.example.com/ml/assets");
    await writeFile(path.join(root, "assetctl.yaml"), "registry:\n  records: ./records\n  objects: ./objects\n");
    expect(await registrySpec(root, undefined, {})).toBe("./records?objects=./objects");
  });

  it("reads a registry nobody applied to yet as empty, named as it will be once created", async () => {
    const registry = await connectRegistry(root, "./records?objects=./objects", {});
    expect(registry.url).toBe("./records?objects=./objects");
    expect(await registry.snapshot()).toEqual({ serial: 0, versions: [] });
    await registry.close();
  });
});
