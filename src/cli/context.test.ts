// Which registry a command talks to: --registry, then ASSETCTL_REGISTRY, then assetctl.yaml (where a
// team registry's two halves become one address), then the embedded default.
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, realpath, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connectRegistry, DEFAULT_REGISTRY, registryLocation, registrySpec, resolveRoot } from "./context.js";

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

describe("resolveRoot and registryLocation", () => {
  let top: string;
  beforeEach(async () => {
    top = await realpath(await mkdtemp(path.join(tmpdir(), "assetctl-root-")));
    execFileSync("git", ["init", "-q"], { cwd: top });
  });
  afterEach(async () => {
    await rm(top, { recursive: true, force: true });
  });

  it("is the nearest folder with assetctl.yaml, never above the git top; else the git top; --dir wins", async () => {
    await mkdir(path.join(top, "ml", "sub", "deeper"), { recursive: true });
    expect(await resolveRoot(undefined, path.join(top, "ml", "sub"))).toBe(top);
    await writeFile(path.join(top, "ml", "assetctl.yaml"), "exclude: []\n");
    expect(await resolveRoot(undefined, path.join(top, "ml", "sub", "deeper"))).toBe(path.join(top, "ml"));
    expect(await resolveRoot(undefined, path.join(top, "ml"))).toBe(path.join(top, "ml"));
    expect(await resolveRoot(undefined, top)).toBe(top);
    expect(await resolveRoot("sub", path.join(top, "ml"))).toBe(path.join(top, "ml", "sub"));
  });

  it("agrees with git where it answers without git: nested repositories, worktrees", async () => {
    const gitTop = (cwd: string): string => execFileSync("git", ["rev-parse", "--show-toplevel"], { cwd, encoding: "utf8" }).trim();
    const inner = path.join(top, "vendor", "inner");
    await mkdir(path.join(inner, "models"), { recursive: true });
    execFileSync("git", ["init", "-q"], { cwd: inner });
    await writeFile(path.join(top, "assetctl.yaml"), "exclude: []\n");
    // A repository nested below the config: its own top, not the config's folder.
    expect(await resolveRoot(undefined, path.join(inner, "models"))).toBe(gitTop(path.join(inner, "models")));
    expect(await resolveRoot(undefined, path.join(inner, "models"))).toBe(inner);
    await rm(path.join(top, "assetctl.yaml"));
    expect(await resolveRoot(undefined, path.join(top, "vendor"))).toBe(gitTop(path.join(top, "vendor")));
    // A worktree has a `.git` file: git is asked, and names the worktree.
    execFileSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", "first"], { cwd: top });
    const worktree = path.join(top, "..", path.basename(top) + "-wt");
    execFileSync("git", ["worktree", "add", "-q", worktree], { cwd: top });
    try {
      expect(await resolveRoot(undefined, worktree)).toBe(await realpath(worktree));
    } finally {
      await rm(worktree, { recursive: true, force: true });
    }
  });

  it("names an embedded registry by its absolute path, any other address as given", () => {
    expect(registryLocation(".assetctl/registry", "/repo/ml")).toBe("/repo/ml/.assetctl/registry");
    expect(registryLocation("/srv/registry", "/repo")).toBe("/srv/registry");
    expect(registryLocation("postgres://db/assets?objects=oci://r/ns", "/repo")).toBe("postgres://db/assets?objects=oci://r/ns");
    expect(registryLocation("memory:x", "/repo")).toBe("memory:x");
  });
});
