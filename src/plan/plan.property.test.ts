// Properties of the planner over generated desired states and registries (fast-check): applying a plan
// and planning again changes nothing; the same inputs, in any order, give the same plan; an immutable
// change makes a new version or a conflict, never an in-place update; and no plan ever creates an
// address twice or one the registry has. The registry here is the planner's own view of one: a snapshot
// that a plan's creates and updates are added to, as apply would.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson, jsonDigest } from "../digest.js";
import type { AssetKind } from "../manifest/types.js";
import type { JsonObject, JsonValue, MutableFields, RegistrySnapshot, StoredVersion } from "../registry/types.js";
import type { AssetReference, DesiredAsset, DesiredState } from "../source/types.js";
import { plan } from "./plan.js";
import { snapshotAfter as applyPlan } from "./snapshot-after.test-helper.js";
import type { Change, Plan } from "./types.js";

const OPTIONS = { registryUrl: "memory:" };
const KINDS: AssetKind[] = ["datastore", "environment", "model", "data", "component"];
const NAMES = ["alpha", "beta", "gamma"];

interface AssetSeed {
  kind: AssetKind;
  name: string;
  version: string | undefined;
  spec: JsonObject;
  mutable: MutableFields;
  /** Components may use an environment of the same state, by name. */
  environment: string | undefined;
}

const json: fc.Arbitrary<JsonValue> = fc.oneof(fc.string({ maxLength: 6 }), fc.integer({ min: -3, max: 3 }), fc.boolean(), fc.constant(null));
const spec: fc.Arbitrary<JsonObject> = fc.dictionary(fc.constantFrom("image", "type", "command", "path", "inputs", "x"), json, { maxKeys: 3 });
const mutable: fc.Arbitrary<MutableFields> = fc.record(
  { description: fc.string({ maxLength: 5 }), tags: fc.dictionary(fc.constantFrom("team", "stage"), fc.string({ maxLength: 3 }), { maxKeys: 2 }) },
  { requiredKeys: [] },
);
const seed: fc.Arbitrary<AssetSeed> = fc.record({
  kind: fc.constantFrom(...KINDS),
  name: fc.constantFrom(...NAMES),
  version: fc.option(fc.constantFrom("1", "2", "3", "v1"), { nil: undefined, freq: 3 }),
  spec,
  mutable,
  environment: fc.option(fc.constantFrom(...NAMES), { nil: undefined }),
});

/** A desired state: one definition per kind and name, as validation guarantees. */
const desiredState: fc.Arbitrary<DesiredState> = fc.uniqueArray(seed, { selector: (s) => `${s.kind}:${s.name}`, maxLength: 8 }).map(toState);
/** Like a desired state, but only auto-versioned assets (no pinned version can conflict). */
const autoVersioned: fc.Arbitrary<DesiredState> = fc
  .uniqueArray(seed, { selector: (s) => `${s.kind}:${s.name}`, maxLength: 8 })
  .map((seeds) => toState(seeds.map((s) => ({ ...s, version: undefined }))));

function toState(seeds: readonly AssetSeed[]): DesiredState {
  const environments = new Set(seeds.filter((s) => s.kind === "environment").map((s) => s.name));
  return {
    assets: seeds.map((s, i) => asset(s, i, environments)),
    source: { commit: "c".repeat(40), dirty: false, ref: null, branch: "main", remote: null },
    diagnostics: [],
  };
}

function asset(s: AssetSeed, i: number, environments: ReadonlySet<string>): DesiredAsset {
  const references: AssetReference[] =
    s.kind === "component" && s.environment !== undefined && environments.has(s.environment)
      ? [{ kind: "environment", name: s.environment, version: "latest", pointer: "/environment", raw: `azureml:${s.environment}@latest`, line: 4, column: 14 }]
      : [];
  return {
    kind: s.kind,
    name: s.name,
    version: s.version,
    spec: s.spec,
    mutable: s.mutable,
    artifacts: [],
    contentDigest: jsonDigest({ kind: s.kind, name: s.name, spec: s.spec }),
    references,
    anonymous: false,
    manifest: { file: `${s.kind}/${s.name}-${i}.yml`, line: 1 },
  };
}

const EMPTY: RegistrySnapshot = { serial: 0, versions: [] };


function applicable(p: Plan): boolean {
  return p.errors.length === 0 && p.summary.conflict === 0;
}

/** A registry made by applying `states` in turn (skipping any whose plan apply would refuse). */
function registryAfter(...states: DesiredState[]): RegistrySnapshot {
  let snapshot = EMPTY;
  for (const state of states) {
    const p = plan(state, snapshot, OPTIONS);
    if (applicable(p)) snapshot = applyPlan(p, snapshot);
  }
  return snapshot;
}

function shuffled<T>(items: readonly T[], order: readonly number[]): T[] {
  return items
    .map((item, i) => ({ item, key: order[i % Math.max(1, order.length)] ?? 0, i }))
    .sort((a, b) => a.key - b.key || a.i - b.i)
    .map((x) => x.item);
}

const RUNS = { numRuns: 300 };

describe("plan properties", () => {
  it("applying a plan and planning again leaves nothing to do", () => {
    fc.assert(
      fc.property(desiredState, desiredState, (earlier, now) => {
        const before = registryAfter(earlier);
        const first = plan(now, before, OPTIONS);
        fc.pre(applicable(first));
        const again = plan(now, applyPlan(first, before), OPTIONS);
        expect(again.errors).toEqual([]);
        expect(again.summary).toMatchObject({ create: 0, update: 0, conflict: 0 });
        // What the registry has and the manifests no longer declare stays listed (as orphans), untouched.
        expect(again.changes.filter((c) => c.action !== "noop" && c.action !== "orphan")).toEqual([]);
      }),
      RUNS,
    );
  });

  it("is deterministic: the same inputs in any order give the same plan", () => {
    fc.assert(
      fc.property(desiredState, desiredState, fc.array(fc.nat(), { minLength: 1 }), (earlier, now, order) => {
        const before = registryAfter(earlier);
        const reference = canonicalJson(plan(now, before, OPTIONS));
        expect(canonicalJson(plan(now, before, OPTIONS))).toBe(reference);
        const reordered = plan({ ...now, assets: shuffled(now.assets, order) }, { ...before, versions: shuffled(before.versions, order) }, OPTIONS);
        expect(canonicalJson(reordered)).toBe(reference);
      }),
      RUNS,
    );
  });

  it("turns a change of an immutable field into a new version or a conflict, never an update", () => {
    fc.assert(
      fc.property(desiredState, fc.nat(), fc.string({ minLength: 1, maxLength: 4 }), (state, pick, value) => {
        fc.pre(state.assets.length > 0);
        const registry = registryAfter(state);
        fc.pre(applicable(plan(state, EMPTY, OPTIONS)));
        const i = pick % state.assets.length;
        const target = state.assets[i] as DesiredAsset;
        // The content changes (a new key, or a new value under an old one); the mutable fields do not.
        const changedSpec = { ...target.spec, immutable_edit: `${canonicalJson(target.spec["immutable_edit"] ?? null)}${value}` };
        const changed: DesiredAsset = { ...target, spec: changedSpec, contentDigest: jsonDigest({ kind: target.kind, name: target.name, spec: changedSpec }) };
        const next = plan({ ...state, assets: state.assets.map((a, j) => (j === i ? changed : a)) }, registry, OPTIONS);
        const change = next.changes.find((c) => c.kind === target.kind && c.name === target.name) as Change;
        expect(["create", "conflict"]).toContain(change.action);
        if (target.version === undefined) expect(change.action).toBe("create");
        else expect(change.action).toBe("conflict");
      }),
      RUNS,
    );
  });

  it("turns a change of mutable fields alone into an in-place update, never a new version", () => {
    fc.assert(
      fc.property(desiredState, fc.nat(), fc.string({ minLength: 1, maxLength: 4 }), (state, pick, text) => {
        fc.pre(state.assets.length > 0 && applicable(plan(state, EMPTY, OPTIONS)));
        const registry = registryAfter(state);
        const i = pick % state.assets.length;
        const target = state.assets[i] as DesiredAsset;
        const changed: DesiredAsset = { ...target, mutable: { ...target.mutable, description: `${target.mutable.description ?? ""}${text}` } };
        const next = plan({ ...state, assets: state.assets.map((a, j) => (j === i ? changed : a)) }, registry, OPTIONS);
        const change = next.changes.find((c) => c.kind === target.kind && c.name === target.name) as Change;
        expect(change.action).toBe("update");
        expect(next.summary.create).toBe(0);
      }),
      RUNS,
    );
  });

  it("never creates an address twice in one plan, nor one the registry has", () => {
    // Any definitions at all, duplicates included (a pinned and an unversioned one of the same name).
    const anyDefinitions = fc.array(seed, { maxLength: 8 }).map(toState);
    fc.assert(
      fc.property(desiredState, anyDefinitions, (earlier, now) => {
        const before = registryAfter(earlier);
        const p = plan(now, before, OPTIONS);
        const creates = p.changes.filter((c) => c.action === "create").map((c) => c.address);
        expect(new Set(creates).size).toBe(creates.length);
        const held = new Set(before.versions.map((v) => `${v.record.kind}:${v.record.name}:${v.record.version}`));
        expect(creates.filter((a) => held.has(a))).toEqual([]);
      }),
      RUNS,
    );
  });

  it("numbers auto-versions 1..n without gaps, each differing from the one before", () => {
    fc.assert(
      fc.property(fc.array(autoVersioned, { minLength: 1, maxLength: 6 }), (history) => {
        const registry = registryAfter(...history);
        const byAsset = new Map<string, StoredVersion[]>();
        for (const v of registry.versions) {
          const key = `${v.record.kind}:${v.record.name}`;
          byAsset.set(key, [...(byAsset.get(key) ?? []), v]);
        }
        for (const versions of byAsset.values()) {
          const ordered = [...versions].sort((a, b) => a.record.created_at.localeCompare(b.record.created_at));
          expect(ordered.map((v) => v.record.version)).toEqual(ordered.map((_, i) => String(i + 1)));
          for (let i = 1; i < ordered.length; i++) expect(ordered[i]?.record.digest).not.toBe(ordered[i - 1]?.record.digest);
        }
      }),
      RUNS,
    );
  });
});
