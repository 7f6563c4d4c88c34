import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FsDriver } from "../../registry/drivers/fs.js";
import { sampleRecord } from "../../registry/sample-records.test-helper.js";
import { ResidentLineage } from "./lineage-resident.js";

const ENV = "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: env\nimage: python:3.11\nconda_file: ./conda.yml\n";
const STEP = (name: string) =>
  `$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json\nname: ${name}\ncode: ./src\nenvironment: azureml:env@latest\ncommand: python x.py\n`;

describe("the resident answers of impact and dependents", () => {
  let root: string | undefined;
  let resident: ResidentLineage | undefined;
  afterEach(async () => {
    await resident?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  async function repo(): Promise<string> {
    root = await mkdtemp(path.join(tmpdir(), "assetctl-resident-"));
    execFileSync("git", ["init", "-q"], { cwd: root });
    await mkdir(path.join(root, "envs"));
    await mkdir(path.join(root, "steps", "src"), { recursive: true });
    await writeFile(path.join(root, "envs", "env.yml"), ENV);
    await writeFile(path.join(root, "envs", "conda.yml"), "dependencies: []\n");
    await writeFile(path.join(root, "steps", "a.yml"), STEP("a"));
    return root;
  }

  it("answers impact from the manifests in memory, and reads them again after a change it was told of", async () => {
    const dir = await repo();
    resident = new ResidentLineage(dir, {});
    const first = await resident.answer({ kind: "impact", target: { path: "envs/conda.yml" } });
    expect(first).toMatchObject({ errorFiles: 0, hits: [{ id: "environment:env", depth: 0 }, { id: "component:a", depth: 1 }] });
    await writeFile(path.join(dir, "steps", "b.yml"), STEP("b"));
    // Not told: the manifests in memory answer.
    expect((await resident.answer({ kind: "impact", target: { asset: "environment:env" } }))).toEqual({ ...first, hits: (first as { hits: { because: string }[] }).hits.map((h, i) => (i === 0 ? { ...h, because: "environment:env" } : h)) });
    resident.touched();
    const after = (await resident.answer({ kind: "impact", target: { asset: "environment:env" } })) as { hits: { id: string }[] };
    expect(after.hits.map((h) => h.id)).toEqual(["environment:env", "component:a", "component:b"]);
  });

  it("answers dependents from the registry's compact lineage, again after the registry moved, and leaves errors to the one-shot path", async () => {
    const dir = await repo();
    const registry = new FsDriver({ path: path.join(dir, ".assetctl", "registry") });
    await registry.open({ create: true });
    await registry.createVersion(sampleRecord({ kind: "environment", name: "env", version: "1" }));
    await registry.createVersion(sampleRecord({ kind: "component", name: "a", version: "1", dependencies: ["environment:env:1"] }));
    resident = new ResidentLineage(dir, {});
    const query = { kind: "dependents", address: "environment:env", depth: null, latest: false, registry: null, envRegistry: null };
    expect(await resident.answer(query)).toEqual({ address: "environment:env:1", dependents: [{ address: "component:a:1", depth: 1, latest: true, archived: false, commit: expect.any(String) }] });
    await registry.createVersion(sampleRecord({ kind: "component", name: "b", version: "1", dependencies: ["environment:env:1"] }));
    expect(((await resident.answer(query)) as { dependents: { address: string }[] }).dependents.map((d) => d.address)).toEqual(["component:a:1", "component:b:1"]);
    expect(await resident.answer({ ...query, address: "environment:env:7" })).toBeUndefined();
    expect(await resident.answer({ ...query, address: "environment:env@production" })).toBeUndefined();
    expect(await resident.answer({ kind: "unknown" })).toBeUndefined();
    await registry.close();
  });
});
