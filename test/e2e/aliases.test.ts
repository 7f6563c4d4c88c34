// Aliases declared in git, end to end on the built CLI: promotion through commits, the policy's
// refusals located in aliases.yaml, protected aliases, rollback in the file, and "which version was it then".
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TempRepo } from "./harness.js";

const MODEL = `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json
name: churn
path: ./model.pkl
`;

const POLICY = `policy:
  order: [staging, production]
  protected: [production]
`;

function aliases(entries: Record<string, number>, policy = POLICY): string {
  const lines = Object.entries(entries).map(([alias, version]) => `    ${alias}: ${version}`);
  return ["# Which churn model serves where.", "aliases:", "  model:churn:", ...lines, policy].join("\n");
}

describe("aliases declared in git", () => {
  let repo: TempRepo;
  beforeEach(async () => {
    repo = new TempRepo({ "models/model.yml": MODEL, "models/model.pkl": "v1", "aliases.yaml": aliases({ staging: 1 }) });
    repo.commit("churn 1 in staging");
    expect((await repo.run(["apply", "--auto-approve"])).code).toBe(0);
    repo.write({ "models/model.pkl": "v2" });
    repo.commit("churn 2");
    expect((await repo.run(["apply", "--auto-approve"])).code).toBe(0);
  });
  afterEach(() => repo.remove());

  it("promotes staging → production through commits, journaling each move with its commit, author and message", async () => {
    repo.write({ "aliases.yaml": aliases({ staging: 2 }) });
    const staged = repo.commit("stage churn 2");
    const plan = await repo.run(["plan", "--detailed-exitcode"]);
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain("→  model:churn@staging 1 → 2");
    expect(plan.stdout).toContain("1 alias move, 0 new, 0 removed, 0 refused.");
    expect((await repo.run(["apply", "--auto-approve"])).stdout).toContain("moved model:churn@staging 1 → 2");

    repo.write({ "aliases.yaml": aliases({ staging: 2, production: 2 }) });
    const promoted = repo.commit("promote churn 2");
    const apply = await repo.run(["apply", "--auto-approve", "--allow-protected"]);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toMatch(/\+@ model:churn@production → 2 \(staging since \d\d-\d\d, 0m\) \[protected\]/);
    expect(apply.stdout).toContain("set model:churn@production → 2");
    expect((await repo.run(["plan"])).stdout).toContain("No changes. The registry matches the manifests and aliases.yaml.");

    const history = JSON.parse((await repo.run(["history", "model:churn@staging", "--json"])).stdout) as { moves: { from: string | null; to: string; commit: string; author: string; message: string }[] };
    expect(history.moves.map((m) => [m.from, m.to, m.message, m.author])).toEqual([
      [null, "1", "churn 1 in staging", "Test <test@example.com>"],
      ["1", "2", "stage churn 2", "Test <test@example.com>"],
    ]);
    expect(history.moves[1]?.commit).toBe(staged);
    const production = await repo.run(["history", "model:churn@production"]);
    expect(production.stdout).toMatch(new RegExp(`Z  → 2 +${promoted.slice(0, 12)}  Test <test@example.com>  promote churn 2\n?$`));
    expect((await repo.run(["show", "model:churn@production"])).stdout.split("\n")[0]).toBe("model:churn:2  (model:churn@production)");
    expect((await repo.run(["diff", "model:churn@staging", "model:churn:1"])).stdout).toContain("~ /spec/path");
  });

  it("refuses moves that break the order, the soak time, the protection, or name no version, located in aliases.yaml", async () => {
    // production only takes a version staging has held: staging never held 2.
    repo.write({ "aliases.yaml": aliases({ staging: 1, production: 2 }) });
    let plan = await repo.run(["plan", "--allow-protected"]);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain("aliases.yaml:5:17: error model:churn@production: production only takes a version staging has held, and staging never held 2 [alias-order]");

    // Protected: without --allow-protected, even a move the order allows is refused.
    repo.write({ "aliases.yaml": aliases({ staging: 1, production: 1 }) });
    plan = await repo.run(["plan"]);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain("aliases.yaml:5:17: error model:churn@production: production is protected: it moves only with --allow-protected");
    expect((await repo.run(["apply", "--auto-approve"])).code).toBe(1);
    expect((await repo.run(["history", "model:churn@production"])).code).toBe(1);

    // Soak: staging must have held the version for 3 days.
    repo.write({ "aliases.yaml": aliases({ staging: 1, production: 1 }, `${POLICY}  soak: { production: 3d }\n`) });
    plan = await repo.run(["plan", "--allow-protected"]);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(/aliases\.yaml:5:17: error model:churn@production: staging has held 1 for \d+m; production takes a version only after 3d in staging \[alias-soak\]/);

    // A version nobody made.
    repo.write({ "aliases.yaml": aliases({ staging: 7 }) });
    plan = await repo.run(["plan", "--json"]);
    expect(plan.code).toBe(1);
    const json = JSON.parse(plan.stdout) as { errors: { code: string; file: string; line: number; column: number }[]; aliases: { action: string }[]; summary: { aliases: { refused: number } } };
    expect(json.errors).toEqual([expect.objectContaining({ code: "alias-target-missing", file: "aliases.yaml", line: 4, column: 14 })]);
    expect(json.aliases.map((a) => a.action)).toEqual(["refused"]);
    expect(json.summary.aliases.refused).toBe(1);
  });

  it("validate checks aliases.yaml: reserved and unknown names, located, with a did-you-mean", async () => {
    repo.write({ "aliases.yaml": aliases({ latest: 1, prodution: 1 }, `${POLICY}  names: [staging, production]\n`) });
    const validate = await repo.run(["validate"]);
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain("aliases.yaml:4:5: error \"latest\" is reserved");
    expect(validate.stdout).toContain('did you mean "production"?');
    expect((await repo.run(["plan"])).code).toBe(1);
  });

  it("moves a protected alias never from watch --apply: the plan there has no --allow-protected", async () => {
    repo.write({ "aliases.yaml": aliases({ staging: 1, production: 1 }) });
    const watch = await repo.run(["watch", "--apply", "--help"]);
    expect(watch.stdout).not.toContain("allow-protected");
    expect((await repo.run(["watch", "--apply", "--allow-protected"])).code).toBe(1);
  });

  it("rolls back in aliases.yaml (comments kept, registry untouched), and --at answers which version it was then", async () => {
    repo.write({ "aliases.yaml": aliases({ staging: 2 }) });
    repo.commit("stage 2");
    expect((await repo.run(["apply", "--auto-approve"])).code).toBe(0);
    const between = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    repo.write({ "aliases.yaml": aliases({ staging: 2, production: 2 }) });
    repo.commit("promote 2");
    expect((await repo.run(["apply", "--auto-approve", "--allow-protected"])).code).toBe(0);
    const before = repo.registryFingerprint();

    const rollback = await repo.run(["alias", "rollback", "model:churn", "staging"]);
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toContain("model:churn@staging: 2 → 1 in aliases.yaml");
    expect(rollback.stdout).toContain("~ /spec/path");
    expect(rollback.stdout).toMatch(/artifact \/path: models\/model\.pkl \w+ → \w+ \(2 bytes\)/);
    expect(repo.read("aliases.yaml")).toBe(aliases({ staging: 1, production: 2 }));
    expect(repo.registryFingerprint()).toBe(before);
    expect((await repo.run(["alias", "rollback", "model:churn", "production", "--to", "9"])).stderr).toContain("The registry has no model churn version 9.");

    expect((await repo.run(["show", "model:churn@staging", "--at", between])).stdout).toMatch(/^model:churn:2 /);
    const first = await repo.run(["show", "model:churn@production", "--at", between]);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain("model:churn@production names no version at");
    expect(first.stderr).toContain("its aliases then: staging");
    const old = await repo.run(["show", "model:churn@staging", "--at", "2000-01-01"]);
    expect(old.code).toBe(1);
  });
});
