import { describe, expect, it } from "vitest";
import { DEFAULT_RETENTION, type RetentionPolicy } from "../manifest/config.js";
import { sampleArtifact, sampleRecord } from "../registry/sample-records.test-helper.js";
import type { AliasRecord, StoredVersion, VersionRecord } from "../registry/types.js";
import { gcHasWork, planGc, reasonText, type GcInput } from "./plan.js";

const DAY = 86_400_000;
const NOW = new Date("2026-12-01T00:00:00.000Z");
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY).toISOString();
const strict: RetentionPolicy = { ...DEFAULT_RETENTION, keepLast: 1, keepWithinMs: DAY, aliasHistoryMs: 30 * DAY, graceMs: DAY };

function stored(overrides: Partial<VersionRecord>, state: Partial<StoredVersion> = {}): StoredVersion {
  const record = sampleRecord(overrides);
  return { record, mutable: record.mutable, archived: false, updated_at: record.created_at, ...state };
}

/** model:m versions 1..n, version i created 101-i days ago: 1 is the oldest. */
function models(n: number, extra: (i: number) => Partial<VersionRecord> = () => ({})): StoredVersion[] {
  return Array.from({ length: n }, (_, i) => stored({ name: "m", version: String(i + 1), created_at: daysAgo(100 - i), ...extra(i + 1) }));
}

function input(versions: StoredVersion[], overrides: Partial<GcInput> = {}): GcInput {
  return {
    snapshot: { serial: 7, versions },
    registryUrl: "memory:",
    aliasHistory: [],
    declared: new Set(),
    ref: "main",
    retention: strict,
    now: NOW,
    objects: undefined,
    ...overrides,
  };
}

const verdicts = (plan: ReturnType<typeof planGc>) => Object.fromEntries(plan.versions.map((v) => [v.version, v.action === "delete" ? "delete" : v.reasons.map(reasonText).join("; ")]));

describe("gc plan, phase 1: a version is deleted only when no rule keeps it", () => {
  it("keeps the latest, and deletes the rest when the policy keeps nothing else", () => {
    const plan = planGc(input(models(3)));
    expect(verdicts(plan)).toEqual({ "1": "delete", "2": "delete", "3": "latest; keep_last 1" });
    expect(gcHasWork(plan)).toBe(true);
  });

  it("keeps what a manifest of the default branch declares", () => {
    expect(verdicts(planGc(input(models(3), { declared: new Set(["model:m:1"]) })))["1"]).toBe("declared on main");
  });

  it("keeps what an alias points at now, or did within alias_history, and nothing an alias left before that", () => {
    const move = (to: string | null, from: string | null, at: string, serial: number): AliasRecord => ({
      kind: "model",
      name: "m",
      alias: "production",
      from,
      to,
      commit: null,
      author: null,
      message: null,
      at,
      serial,
    });
    const history = [move("1", null, daysAgo(90), 1), move("2", "1", daysAgo(60), 2), move("3", "2", daysAgo(10), 3), move("4", "3", daysAgo(5), 4)];
    const v = verdicts(planGc(input(models(5), { aliasHistory: history })));
    expect(v).toMatchObject({ "1": "delete", "2": "aliased @production", "3": "aliased @production", "4": "aliased @production" });
  });

  it("keeps what a kept version depends on, transitively, and nothing a deleted one depends on", () => {
    const env = [stored({ kind: "environment", name: "e", version: "1", created_at: daysAgo(99) }), stored({ kind: "environment", name: "e", version: "2", created_at: daysAgo(98) }), stored({ kind: "environment", name: "e", version: "3", created_at: daysAgo(97) })];
    const comp = [
      stored({ kind: "component", name: "c", version: "1", created_at: daysAgo(90), dependencies: ["environment:e:2"] }),
      stored({ kind: "component", name: "c", version: "2", created_at: daysAgo(80), dependencies: ["environment:e:1"] }),
    ];
    const pipe = [stored({ kind: "component", name: "p", version: "1", created_at: daysAgo(70), dependencies: ["component:c:1"] })];
    const plan = planGc(input([...env, ...comp, ...pipe], { declared: new Set(["component:p:1"]) }));
    const byAddress = Object.fromEntries(plan.versions.map((v) => [v.address, v.action === "delete" ? "delete" : v.reasons.map(reasonText).join("; ")]));
    expect(byAddress).toEqual({
      "environment:e:1": "dependency of component:c:2",
      "environment:e:2": "dependency of component:c:1",
      "environment:e:3": "latest; keep_last 1",
      "component:c:1": "dependency of component:p:1",
      "component:c:2": "latest; keep_last 1",
      "component:p:1": "latest; keep_last 1; declared on main",
    });
  });

  it("keeps the newest keep_last and everything created within keep_within, per kind when the policy says so", () => {
    const policy: RetentionPolicy = { ...strict, keepLast: 2, keepWithinMs: 98.5 * DAY, kinds: { data: { keepLast: 1, keepWithinMs: DAY } } };
    expect(verdicts(planGc(input(models(5), { retention: policy })))).toEqual({
      "1": "delete",
      "2": "delete",
      "3": "created since 2026-08-24 (keep_within)",
      "4": "keep_last 2; created since 2026-08-24 (keep_within)",
      "5": "latest; keep_last 2; created since 2026-08-24 (keep_within)",
    });
    const data = models(3, () => ({ kind: "data" }));
    expect(verdicts(planGc(input(data, { retention: policy })))).toEqual({ "1": "delete", "2": "delete", "3": "latest; keep_last 1" });
  });

  it("keeps the version @latest names when newer ones are archived; counts versions deleted before apart", () => {
    const versions = models(3);
    const [first, second, third] = versions as [StoredVersion, StoredVersion, StoredVersion];
    const plan = planGc(input([{ ...first, deleted: true }, second, { ...third, archived: true }]));
    expect(verdicts(plan)).toEqual({ "2": "latest", "3": "latest; keep_last 1" });
    expect(plan.summary).toMatchObject({ versions_delete: 0, versions_keep: 2, versions_deleted_before: 1 });
    expect(gcHasWork(plan)).toBe(false);
  });
});

describe("gc plan, phase 2: objects", () => {
  const a = sampleArtifact(Buffer.from("a"));
  const b = sampleArtifact(Buffer.from("b"));
  const c = sampleArtifact(Buffer.from("c"));
  const old = daysAgo(10);

  it("sweeps an object no live record uses once it is older than the grace period, judged after the deletions", () => {
    const versions = models(2, (i) => ({ artifacts: [i === 1 ? a : b] }));
    const objects = [
      { digest: a.digest, size: 1, stored_at: old },
      { digest: b.digest, size: 1, stored_at: old },
      { digest: c.digest, size: 1, stored_at: new Date(NOW.getTime() - 3600_000).toISOString() },
    ];
    const plan = planGc(input(versions, { objects }));
    expect(plan.objects).toEqual([
      { digest: a.digest, size: 1, stored_at: old, action: "sweep" },
      { digest: c.digest, size: 1, stored_at: objects[2]?.stored_at, action: "keep", reason: "grace" },
    ]);
    expect(plan.summary).toMatchObject({ objects_sweep: 1, bytes_sweep: 1, objects_in_grace: 1, objects_used: 1 });
  });

  it("never sweeps an object a kept version uses, even when a deleted version used it too", () => {
    const versions = models(2, () => ({ artifacts: [a] }));
    const plan = planGc(input(versions, { objects: [{ digest: a.digest, size: 1, stored_at: old }] }));
    expect(plan.summary.versions_delete).toBe(1);
    expect(plan.objects).toEqual([]);
  });

  it("leaves objects to the store's own collector when it cannot sweep, and says so", () => {
    const plan = planGc(input(models(1), { objects: undefined, objectsNote: "the OCI registry's own GC frees the bytes" }));
    expect(plan.objects).toBeNull();
    expect(plan.objects_note).toBe("the OCI registry's own GC frees the bytes");
  });
});
