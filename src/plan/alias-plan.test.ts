import { describe, expect, it } from "vitest";
import type { DeclaredAliases } from "../manifest/aliases.js";
import type { AliasRecord } from "../registry/types.js";
import { heldPeriods, planAliases, type AliasPlanInput, type TargetState } from "./alias-plan.js";

const DAY = 86_400_000;

function declared(aliases: Record<string, string>, policy: Partial<DeclaredAliases["policy"]> = {}): DeclaredAliases {
  return {
    file: "aliases.yaml",
    aliases: Object.entries(aliases).map(([alias, version], i) => ({ kind: "model", name: "churn", alias, version, at: { line: 3 + i, column: 5 } })),
    policy: { names: undefined, order: ["staging", "production"], soak: { production: 3 * DAY }, protected: [], ...policy },
    assetAt: { "model:churn": { line: 2, column: 3 } },
  };
}

function move(serial: number, alias: string, from: string | null, to: string | null, at: string): AliasRecord {
  return { kind: "model", name: "churn", alias, from, to, commit: null, author: null, message: null, at, serial };
}

/** staging held 3 from 11-20, production took 3 on 11-25; staging has held 4 since 11-30. */
const HISTORY = [
  move(1, "staging", null, "3", "2026-11-20T00:00:00.000Z"),
  move(2, "production", null, "3", "2026-11-25T00:00:00.000Z"),
  move(3, "staging", "3", "4", "2026-11-30T00:00:00.000Z"),
];

function input(d: DeclaredAliases | undefined, overrides: Partial<AliasPlanInput> = {}): AliasPlanInput {
  const live = new Set(["3", "4", "5"]);
  return {
    declared: d,
    history: HISTORY,
    target: (_k, _n, v): TargetState => (v === "6" ? "archived" : live.has(v) ? "live" : "missing"),
    now: "2026-12-03T00:00:00.000Z",
    allowProtected: false,
    declaredIn: { commit: "c0ffee", author: "Ada <ada@example.com>", message: "promote churn 4" },
    ...overrides,
  };
}

describe("planAliases", () => {
  it("moves production to a version staging has held for the soak time, saying since when", () => {
    const { changes, errors } = planAliases(input(declared({ staging: "4", production: "4" })));
    expect(errors).toEqual([]);
    expect(changes.map((c) => [c.address, c.action, c.from, c.to])).toEqual([
      ["model:churn@production", "move", "3", "4"],
      ["model:churn@staging", "noop", "4", "4"],
    ]);
    expect(changes[0]?.held).toEqual({ alias: "staging", since: "2026-11-30T00:00:00.000Z", ms: 3 * DAY });
    expect(changes[0]?.declared_in).toEqual({ commit: "c0ffee", author: "Ada <ada@example.com>", message: "promote churn 4" });
  });

  it("refuses a move before the soak time, located at the version in aliases.yaml", () => {
    const { changes, errors } = planAliases(input(declared({ staging: "4", production: "4" }), { now: "2026-12-01T12:00:00.000Z" }));
    expect(changes[0]?.action).toBe("refused");
    expect(errors).toEqual([
      {
        code: "alias-soak",
        severity: "error",
        message: "model:churn@production: staging has held 4 for 1d; production takes a version only after 3d in staging",
        file: "aliases.yaml",
        line: 4,
        column: 5,
      },
    ]);
  });

  it("refuses a version the alias before it in the order never held", () => {
    const { errors } = planAliases(input(declared({ staging: "4", production: "5" })));
    expect(errors.map((e) => [e.code, e.message])).toEqual([["alias-order", "model:churn@production: production only takes a version staging has held, and staging never held 5"]]);
  });

  it("refuses a missing or archived target", () => {
    expect(planAliases(input(declared({ staging: "9" }))).errors.map((e) => e.code)).toEqual(["alias-target-missing"]);
    expect(planAliases(input(declared({ staging: "6" }))).errors.map((e) => e.code)).toEqual(["alias-target-archived"]);
  });

  it("moves a protected alias only when allowed, and removes one no longer declared (protected: only when allowed)", () => {
    const d = declared({ staging: "4", production: "4" }, { protected: ["production"] });
    expect(planAliases(input(d)).errors.map((e) => e.code)).toEqual(["alias-protected"]);
    expect(planAliases(input(d, { allowProtected: true })).errors).toEqual([]);
    const removed = planAliases(input(declared({ production: "3" })));
    expect(removed.changes.map((c) => [c.address, c.action, c.from, c.to])).toEqual([
      ["model:churn@production", "noop", "3", "3"],
      ["model:churn@staging", "remove", "4", null],
    ]);
    expect(planAliases(input(declared({ staging: "4" }, { protected: ["production"] }))).errors.map((e) => [e.code, e.line])).toEqual([["alias-protected", 2]]);
  });

  it("manages nothing without aliases.yaml", () => {
    expect(planAliases(input(undefined))).toEqual({ changes: [], errors: [] });
  });

  it("counts each period an alias held a version", () => {
    const history = [...HISTORY, move(4, "staging", "4", "3", "2026-12-01T00:00:00.000Z"), move(5, "staging", "3", "4", "2026-12-02T00:00:00.000Z")];
    expect(heldPeriods(history, "model:churn@staging", "4", "2026-12-03T00:00:00.000Z")).toEqual([
      { since: "2026-11-30T00:00:00.000Z", ms: DAY },
      { since: "2026-12-02T00:00:00.000Z", ms: DAY },
    ]);
  });
});
