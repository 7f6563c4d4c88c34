import { describe, expect, it } from "vitest";
import { jsonDigest, sha256 } from "../digest.js";
import type { AssetKind } from "../manifest/types.js";
import type { JsonObject, MutableFields } from "../registry/types.js";
import type { AssetReference, DesiredAsset, DesiredState } from "../source/types.js";
import { renderPlanText } from "../cli/render/plan-text.js";
import { nextVersion, plan, planHasChanges, versionDigest } from "./plan.js";
import { snapshotAfter as applied } from "./snapshot-after.test-helper.js";

function asset(
  kind: AssetKind,
  name: string,
  spec: JsonObject,
  extra: { version?: string; mutable?: MutableFields; references?: AssetReference[]; anonymous?: boolean } = {},
): DesiredAsset {
  return {
    kind,
    name,
    version: extra.version,
    spec,
    mutable: extra.mutable ?? {},
    artifacts: [],
    contentDigest: jsonDigest({ kind, name, spec }),
    references: extra.references ?? [],
    anonymous: extra.anonymous ?? false,
    manifest: { file: `${kind}/${name}.yml`, line: 1 },
  };
}

function ref(kind: AssetKind, name: string, version: string): AssetReference {
  return { kind, name, version, pointer: "/environment", raw: `azureml:${name}:${version}`, line: 3, column: 14 };
}

function desired(...assets: DesiredAsset[]): DesiredState {
  return { assets, source: { commit: "a".repeat(40), dirty: false, ref: null, branch: "main", remote: null }, diagnostics: [] };
}


const opts = { registryUrl: "mem" };

describe("plan", () => {
  it("creates new assets in dependency order and is empty once applied", () => {
    const env = asset("environment", "train-env", { image: "python:3.11" });
    const comp = asset("component", "train", { command: "python train.py" }, { references: [ref("environment", "train-env", "latest")] });
    const store = asset("datastore", "blob", { type: "azure_blob" });
    const state = desired(comp, env, store);
    const first = plan(state, { serial: 0, versions: [] }, opts);
    expect(first.changes.map((c) => [c.action, c.address])).toEqual([
      ["create", "datastore:blob:1"],
      ["create", "environment:train-env:1"],
      ["create", "component:train:1"],
    ]);
    expect(first.changes[2]?.record?.dependencies).toEqual(["environment:train-env:1"]);
    expect(first.summary).toMatchObject({ create: 3, new_assets: 3 });
    expect(first.changes.some((c) => "caused_by" in c)).toBe(false); // new assets are nobody's cascade
    const second = plan(state, applied(first), opts);
    expect(second.changes.every((c) => c.action === "noop")).toBe(true);
    expect(renderPlanText(second)).toMatchInlineSnapshot(`
      "Registry mem (serial 3); manifests from commit aaaaaaaaaaaa.

      No changes. The registry matches the manifests."
    `);
  });

  it("auto-versions changed content as max(numeric)+1 and a dependency change cascades", () => {
    const env = asset("environment", "e", { image: "python:3.11" });
    const comp = asset("component", "c", { command: "x" }, { references: [ref("environment", "e", "latest")] });
    const registry = applied(plan(desired(env, comp), { serial: 0, versions: [] }, opts));
    const env2 = asset("environment", "e", { image: "python:3.12" });
    const next = plan(desired(env2, comp), registry, opts);
    expect(next.changes.map((c) => [c.action, c.address, c.reason])).toEqual([
      ["create", "environment:e:2", "new version (previous 1)"],
      ["create", "component:c:2", "new version (previous 1)"],
    ]);
    // The component's new version is caused by the environment's: a cascade, with its root.
    expect(next.changes.map((c) => c.caused_by)).toEqual([undefined, ["environment:e:2"]]);
    expect(renderPlanText(next)).toMatchInlineSnapshot(`
      "Registry mem (serial 2); manifests from commit aaaaaaaaaaaa.

      +v environment:e:2  new version (previous 1)
            ~ /spec/image: "python:3.11" → "python:3.12"
      +v component:c:2    new version (previous 1)
            ~ /dependencies/0: "environment:e:1" → "environment:e:2"

      Cascades (a new version re-versions what uses it):
        environment:e:2 (image) ⇒ component:c:2

      Plan: 0 new assets, 2 new versions, 0 updates, 0 conflicts, 0 unchanged."
    `);
  });

  it("reports a pinned version with new content as a conflict naming the fields", () => {
    const m1 = asset("model", "m", { path: sha256("a"), type: "custom_model" }, { version: "1" });
    const registry = applied(plan(desired(m1), { serial: 0, versions: [] }, opts));
    const m2 = asset("model", "m", { path: sha256("b"), type: "custom_model" }, { version: "1" });
    const p = plan(desired(m2), registry, opts);
    expect(p.changes[0]?.action).toBe("conflict");
    expect(p.changes[0]?.fields).toEqual(["path"]);
    expect(p.summary.conflict).toBe(1);
    expect(renderPlanText(p).split("\n").slice(2, 4).join("\n")).toMatchInlineSnapshot(`
      "!  model:m:1  version 1 already exists with different content (path); versions are immutable: bump "version" or remove it to let assetctl pick the next one
            ~ /spec/path: "sha256:ca978112ca1b…" → "sha256:3e23e8160039…""
    `);
  });

  it("adopts an unmanaged version judged equal, and says when equality could not be decided", () => {
    const m1 = asset("model", "m", { path: sha256("a"), type: "custom_model" }, { version: "1" });
    const registry = applied(plan(desired(m1), { serial: 0, versions: [] }, opts));
    const made = registry.versions[0];
    if (made === undefined) throw new Error("no version");
    // As a driver shows a version made by `az ml`: its own digest, no assetctl record.
    const elsewhere = { ...made, record: { ...made.record, digest: sha256("azure fields") }, unmanaged: true as const };
    const equal = plan(desired(m1), { ...registry, versions: [{ ...elsewhere, adoption: "equal" as const }] }, opts);
    expect(equal.changes.map((c) => [c.action, c.adopt, c.record !== undefined])).toEqual([["noop", true, true]]);
    expect(equal.summary).toMatchObject({ noop: 1, adopt: 1 });
    expect(planHasChanges(equal)).toBe(true);
    expect(renderPlanText(equal).split("\n").slice(2).join("\n")).toMatchInlineSnapshot(`
      "=  model:m:1  adopt: made outside assetctl with the same content; apply records it as managed

      Plan: 0 new assets, 0 new versions, 0 updates, 0 conflicts, 1 to adopt, 0 unchanged."
    `);
    const unsure = plan(desired(m1), { ...registry, versions: [{ ...elsewhere, adoption: "undecidable" as const }] }, opts);
    expect(unsure.changes[0]?.action).toBe("conflict");
    expect(unsure.changes[0]?.reason).toContain("cannot be verified without downloading");
    const different = plan(desired(m1), { ...registry, versions: [{ ...elsewhere, adoption: "different" as const }] }, opts);
    expect(different.changes[0]?.action).toBe("conflict");
    expect(different.changes[0]?.reason).not.toContain("downloading");
  });

  it("updates mutable fields in place, never creating a version", () => {
    const m = asset("model", "m", { type: "custom_model" }, { mutable: { description: "old" } });
    const registry = applied(plan(desired(m), { serial: 0, versions: [] }, opts));
    const edited = asset("model", "m", { type: "custom_model" }, { mutable: { description: "new", tags: { stage: "prod" } } });
    const p = plan(desired(edited), registry, opts);
    expect(p.changes.map((c) => [c.action, c.address])).toEqual([["update", "model:m:1"]]);
    expect(p.changes[0]?.patch).toEqual([
      { op: "replace", path: "/description", old: "old", value: "new" },
      { op: "add", path: "/tags", value: { stage: "prod" } },
    ]);
    expect(plan(desired(edited), applied(p, registry), opts).summary.update).toBe(0);
  });

  it("creates a new version when a file is reverted, with the older digest", () => {
    const v1 = asset("data", "d", { path: sha256("one") });
    const v2 = asset("data", "d", { path: sha256("two") });
    let registry = applied(plan(desired(v1), { serial: 0, versions: [] }, opts));
    registry = applied(plan(desired(v2), registry, opts), registry);
    const p = plan(desired(v1), registry, opts);
    expect(p.changes[0]).toMatchObject({ action: "create", address: "data:d:3", reason: "new version (previous 2; same content as 1)" });
    expect(p.changes[0]?.digest).toBe(registry.versions[0]?.record.digest);
  });

  it("lists orphans and archives them only with prune", () => {
    const m = asset("model", "m", {});
    const registry = applied(plan(desired(m), { serial: 0, versions: [] }, opts));
    expect(plan(desired(), registry, opts).changes.map((c) => [c.action, c.address])).toEqual([["orphan", "model:m:1"]]);
    expect(plan(desired(), registry, { ...opts, prune: true }).summary.archive).toBe(1);
  });

  it("treats a version gc deleted as gone for latest and references, and never gives its number again", () => {
    const env = asset("environment", "e", { image: "python:3.11" });
    const first = applied(plan(desired(env), { serial: 0, versions: [] }, opts));
    const second = applied(plan(desired(asset("environment", "e", { image: "python:3.12" })), first, opts), first);
    const deleted = { ...second, versions: second.versions.map((v) => (v.record.version === "2" ? { ...v, deleted: true as const } : v)) };
    // Content equal to the deleted latest makes a new number, not 2 again.
    expect(plan(desired(asset("environment", "e", { image: "python:3.12" })), deleted, opts).changes.map((c) => [c.action, c.address])).toEqual([["create", "environment:e:3"]]);
    const pinned = plan(desired(asset("environment", "e", { image: "python:3.12" }, { version: "2" })), deleted, opts).changes[0];
    expect(pinned).toMatchObject({ action: "conflict", reason: expect.stringContaining("deleted by gc") });
    const user = asset("component", "c", { command: "x" }, { references: [ref("environment", "e", "2")] });
    expect(plan(desired(user), deleted, opts).errors.map((e) => e.code)).toEqual(["reference-deleted"]);
    const latest = plan(desired(asset("component", "c", { command: "x" }, { references: [ref("environment", "e", "latest")] })), deleted, opts);
    expect(latest.changes[0]?.record?.dependencies).toEqual(["environment:e:1"]);
  });

  it("plans an unarchive when a manifest declares an archived version again, pinned or auto-versioned", () => {
    const auto = asset("model", "m", { path: "a" }, { mutable: { description: "d" } });
    const pinned = asset("model", "p", { path: "b" }, { version: "4" });
    const live = applied(plan(desired(auto, pinned), { serial: 0, versions: [] }, opts));
    const archived = { ...live, versions: live.versions.map((v) => ({ ...v, archived: true })) };
    const restored = plan(desired(auto, pinned), archived, opts);
    expect(restored.changes.map((c) => [c.action, c.address, c.patch])).toEqual([
      ["unarchive", "model:m:1", [{ op: "replace", path: "/archived", old: true, value: false }]],
      ["unarchive", "model:p:4", [{ op: "replace", path: "/archived", old: true, value: false }]],
    ]);
    expect(restored.summary).toMatchObject({ unarchive: 2, noop: 0 });
    expect(planHasChanges(restored)).toBe(true);
    expect(renderPlanText(restored)).toContain("^  model:m:1");
    expect(renderPlanText(restored)).toContain("Plan: 0 new assets, 0 new versions, 0 updates, 0 conflicts, 2 to unarchive, 0 unchanged.");
    // A manifest that says the version is archived keeps it archived.
    expect(plan(desired({ ...pinned, archived: true }), archived, opts).changes.map((c) => c.action)).toEqual(["noop"]);
    // Restored with new mutable fields: one change carries both.
    const edited = plan(desired({ ...auto, mutable: { description: "new" } }), archived, opts).changes[0];
    expect(edited).toMatchObject({ action: "unarchive", mutable: { description: "new" } });
    expect(edited?.patch).toEqual([
      { op: "replace", path: "/archived", old: true, value: false },
      { op: "replace", path: "/description", old: "d", value: "new" },
    ]);
  });

  it("versions anonymous assets by digest and resolves references to them", () => {
    const anon = asset("component", "step", { command: "echo" }, { anonymous: true });
    const pipe = asset("component", "pipe", { jobs: {} }, { references: [{ ...ref("component", "step", anon.contentDigest), pointer: "/jobs/a/component" }] });
    const p = plan(desired(pipe, anon), { serial: 0, versions: [] }, opts);
    const version = versionDigest(anon.contentDigest, []).slice(7, 23);
    expect(p.changes.map((c) => c.address)).toEqual([`component:step:${version}`, "component:pipe:1"]);
    expect(p.changes[1]?.record?.dependencies).toEqual([`component:step:${version}`]);
  });

  it("reports a reference to an asset nobody defines and a reference cycle", () => {
    const comp = asset("component", "c", {}, { references: [ref("environment", "missing", "3")] });
    const p = plan(desired(comp), { serial: 0, versions: [] }, opts);
    expect(p.errors).toMatchInlineSnapshot(`
      [
        {
          "code": "reference-missing",
          "column": 14,
          "file": "component/c.yml",
          "hint": "define environment missing in a manifest; \`assetctl list\` shows the registry's assets",
          "line": 3,
          "message": "azureml:missing:3 refers to environment missing version 3, which neither the manifests nor the registry define",
          "severity": "error",
        },
      ]
    `);
    // A near name the manifests define is suggested.
    const env = asset("environment", "missinh", { image: "python" });
    expect(plan(desired(env, comp), { serial: 0, versions: [] }, opts).errors[0]?.hint).toBe("did you mean environment missinh?");
    const a = asset("component", "a", {}, { references: [ref("component", "b", "latest")] });
    const b = asset("component", "b", {}, { references: [ref("component", "a", "latest")] });
    expect(plan(desired(a, b), { serial: 0, versions: [] }, opts).errors.map((e) => e.code)).toContain("reference-cycle");
  });

  it("restricts a plan to targets and what they depend on", () => {
    const env = asset("environment", "e", {});
    const comp = asset("component", "c", {}, { references: [ref("environment", "e", "latest")] });
    const other = asset("model", "m", {});
    const p = plan(desired(env, comp, other), { serial: 0, versions: [] }, { ...opts, targets: ["component:c"] });
    expect(p.changes.map((c) => c.address)).toEqual(["environment:e:1", "component:c:1"]);
  });

  it("is deterministic", () => {
    const state = desired(asset("model", "a", { x: 1 }), asset("data", "b", { y: 2 }));
    expect(plan(state, { serial: 0, versions: [] }, opts)).toEqual(plan(state, { serial: 0, versions: [] }, opts));
  });
});

describe("nextVersion", () => {
  it("is max numeric + 1, ignoring other versions", () => {
    expect(nextVersion([])).toBe("1");
    expect(nextVersion(["1", "10", "2", "1.5", "beta"])).toBe("11");
  });
});

describe("plan: references to an alias", () => {
  const pipelineUsing = () =>
    asset("component", "score", { command: "python score.py" }, { references: [{ kind: "model", name: "churn", version: "production", pointer: "/inputs/model", raw: "azureml:churn@production", line: 4, column: 12 }] });
  const models = [asset("model", "churn", { path: "v1" }, { version: "1" }), asset("model", "churn", { path: "v2" }, { version: "2" })];
  const withAliases = (production: string): DesiredState => ({
    ...desired(...models, pipelineUsing()),
    aliases: {
      file: "aliases.yaml",
      aliases: [{ kind: "model", name: "churn", alias: "production", version: production, at: { line: 3, column: 17 } }],
      policy: { names: undefined, order: [], soak: {}, protected: [] },
      assetAt: {},
    },
  });

  it("pins the version the alias names at plan time, so moving the alias re-versions what uses it", () => {
    const first = plan(withAliases("1"), { serial: 0, versions: [] }, opts);
    expect(first.errors).toEqual([]);
    expect(first.changes.find((c) => c.kind === "component")?.record?.dependencies).toEqual(["model:churn:1"]);
    const moved = plan(withAliases("2"), applied(first), opts);
    const score = moved.changes.find((c) => c.kind === "component");
    expect([score?.action, score?.version, score?.record?.dependencies]).toEqual(["create", "2", ["model:churn:2"]]);
    expect(moved.aliases?.map((a) => [a.address, a.action, a.to])).toEqual([["model:churn@production", "new", "2"]]);
  });

  it("falls back to the registry's alias journal, and is an error when nothing sets the alias", () => {
    const state = desired(...models, pipelineUsing());
    const history = [{ kind: "model" as const, name: "churn", alias: "production", from: null, to: "2", commit: null, author: null, message: null, at: "2026-01-01T00:00:00.000Z", serial: 3 }];
    expect(plan(state, { serial: 0, versions: [] }, { ...opts, aliasHistory: history }).changes.find((c) => c.kind === "component")?.record?.dependencies).toEqual(["model:churn:2"]);
    expect(plan(state, { serial: 0, versions: [] }, opts).errors).toEqual([
      { code: "reference-alias-missing", severity: "error", message: "azureml:churn@production names the alias production of model churn, which neither aliases.yaml nor the registry sets", file: "component/score.yml", line: 4, column: 12 },
    ]);
  });
});
