import { describe, expect, it } from "vitest";
import { UserError } from "../diagnostics.js";
import { compileConfig, DEFAULT_RETENTION, loadConfig, readRegistrySetting, readRetention } from "./config.js";
import { MemoryTree } from "./memory-tree.test-helper.js";

const load = (text: string) => loadConfig(new MemoryTree({ "assetctl.yaml": text }));

describe("assetctl.yaml", () => {
  it("is optional", async () => {
    expect(await loadConfig(new MemoryTree({}))).toEqual({ config: { exclude: [], kinds: [], azuremlAssets: true, registry: undefined }, diagnostics: [] });
  });

  it("reads excludes, kinds by manifest kind or Azure ML schema name, and either registry form", async () => {
    const { config, diagnostics } = await load(
      'exclude: ["**/templates/**", "scratch/"]\nkinds:\n  "components/**/*.yml": command_component\n  "stores/*.yml": azureBlob\nregistry: {records: "postgres://db/assets", objects: "oci://ghcr.io/acme"}\n',
    );
    expect(diagnostics).toEqual([]);
    expect(config).toEqual({
      exclude: ["**/templates/**", "scratch/"],
      kinds: [
        { glob: "components/**/*.yml", kind: "command_component" },
        { glob: "stores/*.yml", kind: "datastore", datastoreType: "azure_blob" },
      ],
      azuremlAssets: true,
      registry: { records: "postgres://db/assets", objects: "oci://ghcr.io/acme" },
    });
    const { isExcluded, mappedKind } = compileConfig(config);
    expect(isExcluded("a/templates/b.yml")).toBe(true);
    expect(isExcluded("scratch/deep/x.yml")).toBe(true);
    expect(isExcluded("models/m.yml")).toBe(false);
    expect(mappedKind("components/train/train.yml")?.kind).toBe("command_component");
  });

  it("turns the azureml-assets layout off, or scopes it to the asset.yaml files some globs match", async () => {
    expect((await load("layouts:\n  azureml-assets: false\n")).config.azuremlAssets).toBe(false);
    const scoped = await load('layouts:\n  azureml-assets: ["assets/models/**"]\n');
    expect(scoped.diagnostics).toEqual([]);
    const { inLayout } = compileConfig(scoped.config);
    expect(inLayout("assets/models/phi/asset.yaml")).toBe(true);
    expect(inLayout("assets/environments/x/asset.yaml")).toBe(false);
    expect(compileConfig((await load("")).config).inLayout("anywhere/asset.yaml")).toBe(true);
  });

  it("reports mistakes where they are", async () => {
    const { diagnostics } = await load("exclud: [x]\nkinds:\n  a.yml: modle\n  b.yml: 3\nregistry: {records: x}\n");
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}${d.hint ? ` (${d.hint})` : ""}`)).toMatchInlineSnapshot(`
      [
        "1:1 schema-unknown-key unknown key "exclud" (did you mean "exclude"?)",
        "3:10 schema-enum "modle" is not a manifest kind (did you mean "model"?)",
        "4:10 schema-type "b.yml" in "kinds" must be a string, not the integer 3",
        "5:11 schema-required missing required key "objects" in "registry"",
      ]
    `);
  });

  it("gives the CLI the registry, and refuses a broken file as a user error", async () => {
    expect(await readRegistrySetting(new MemoryTree({ "assetctl.yaml": "registry: ./shared/registry\n" }))).toBe("./shared/registry");
    expect(await readRegistrySetting(new MemoryTree({}))).toBeUndefined();
    await expect(readRegistrySetting(new MemoryTree({ "assetctl.yaml": "registry: [x]\n" }))).rejects.toBeInstanceOf(UserError);
  });

  it("reads the retention block, kind rules falling back to its defaults, durations in ms", async () => {
    const day = 86_400_000;
    const text = "retention:\n  keep_last: 3\n  keep_within: 2w\n  kinds:\n    model: {keep_last: 20}\n    data: {keep_within: 12h}\n  alias_history: 90m\n  grace: 2d\n  trash_days: 3\n";
    expect(await readRetention(new MemoryTree({ "assetctl.yaml": text }))).toEqual({
      keepLast: 3,
      keepWithinMs: 14 * day,
      kinds: { model: { keepLast: 20, keepWithinMs: 14 * day }, data: { keepLast: 3, keepWithinMs: 12 * 3_600_000 } },
      aliasHistoryMs: 90 * 60_000,
      graceMs: 2 * day,
      trashDays: 3,
    });
    expect(await readRetention(new MemoryTree({}))).toEqual(DEFAULT_RETENTION);
    expect((await load("")).config.retention).toBeUndefined();
  });

  it("locates a bad retention block", async () => {
    const { diagnostics } = await load("retention:\n  keep_last: 0\n  keep_within: 30 days\n  kinds: {modle: {keep_last: 1}}\n  grace: 1y\n");
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.code}`)).toEqual([
      "2:14 schema-value",
      "3:16 config-duration-invalid",
      "4:11 schema-unknown-key",
      "5:10 config-duration-invalid",
    ]);
    await expect(readRetention(new MemoryTree({ "assetctl.yaml": "retention: {grace: soon}\n" }))).rejects.toBeInstanceOf(UserError);
  });
});
