// How assetctl reads where it stands and says who did what, end to end on the built CLI: a damaged
// object found by verify and restored from the working tree, who applied a version, applies outside git
// or from a dirty tree, a monorepo's root, and artifacts git ignores.
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCli, TempRepo } from "./harness.js";

const MODEL = `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json
name: churn-model
description: First model.
path: ./model.pkl
`;
const BYTES = "pickled-bytes-v1";

/** Where the embedded registry keeps the object of these bytes. */
function objectFile(registry: string, bytes: string): string {
  const hex = createHash("sha256").update(bytes).digest("hex");
  return path.join(registry, "objects", "sha256", hex.slice(0, 2), hex.slice(2));
}

/** CI variables a developer's shell or a CI runner may set: cleared, so each test says which it has. */
const NO_CI: NodeJS.ProcessEnv = { GITHUB_ACTIONS: "", GITHUB_ACTOR: "", GITLAB_CI: "", GITLAB_USER_LOGIN: "", TF_BUILD: "", BUILD_REQUESTEDFOR: "", CI: "" };

describe("verify names what a damaged object affects, and apply --repair restores it", () => {
  let repo: TempRepo;
  afterEach(() => repo.remove());

  it("a corrupt object: verify names the version and the file; apply --repair rewrites it from the working tree", async () => {
    repo = new TempRepo({ "models/model.yml": MODEL, "models/model.pkl": BYTES });
    repo.commit("a model");
    expect((await repo.run(["apply", "--auto-approve"])).code).toBe(0);
    const object = objectFile(path.join(repo.root, ".assetctl/registry"), BYTES);
    chmodSync(object, 0o644);
    writeFileSync(object, "bit rot");

    const verify = await repo.run(["verify"]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain("used by model:churn-model:1 (models/model.pkl)");
    expect(verify.stdout).toContain("assetctl apply --repair");
    const json = JSON.parse((await repo.run(["verify", "--json"])).stdout) as { problems: { code: string; affects?: { address: string; file: string }[] }[] };
    expect(json.problems[0]?.affects).toEqual([{ address: "model:churn-model:1", file: "models/model.pkl", size: BYTES.length }]);

    const repair = await repo.run(["apply", "--repair", "--auto-approve"]);
    expect(repair.stderr).toBe("");
    expect(repair.code).toBe(0);
    expect(repair.stdout).toContain("restored object");
    expect(repair.stdout).toContain("from models/model.pkl (model:churn-model:1)");
    expect((await repo.run(["verify"])).code).toBe(0);
    expect((await repo.run(["pull", "model:churn-model:1", "out"])).code).toBe(0);
  });

  it("a missing object is restored too; bytes in the working tree that hash otherwise are refused, naming the file", async () => {
    repo = new TempRepo({ "models/model.yml": MODEL, "models/model.pkl": BYTES });
    repo.commit("a model");
    expect((await repo.run(["apply", "--auto-approve"])).code).toBe(0);
    rmSync(objectFile(path.join(repo.root, ".assetctl/registry"), BYTES), { force: true });
    const verify = await repo.run(["verify"]);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain("used by model:churn-model:1 (models/model.pkl)");

    repo.write({ "models/model.pkl": "retrained" });
    const refused = await repo.run(["apply", "--repair", "--auto-approve", "--allow-dirty"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("models/model.pkl");
    expect(refused.stderr).toContain("[object-unrepaired]");

    repo.write({ "models/model.pkl": BYTES });
    const repaired = await repo.run(["apply", "--repair", "--auto-approve"]);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toContain("restored object");
    expect((await repo.run(["verify"])).code).toBe(0);
  });
});

describe("who applied", () => {
  let repo: TempRepo;
  afterEach(() => repo.remove());

  it("provenance records the commit's author and the CI actor; show and history print them", async () => {
    repo = new TempRepo({ "models/model.yml": MODEL, "models/model.pkl": BYTES });
    repo.commit("a model");
    const ci = { ...NO_CI, GITHUB_ACTIONS: "true", GITHUB_ACTOR: "octocat" };
    expect((await repo.run(["apply", "--auto-approve"], { env: ci })).code).toBe(0);
    const show = await repo.run(["show", "model:churn-model:1"]);
    expect(show.stdout).toContain("  author:      Test <test@example.com>");
    expect(show.stdout).toContain("  applied by:  octocat (GitHub Actions)");
    const shown = JSON.parse((await repo.run(["show", "model:churn-model:1", "--json"])).stdout) as { provenance: unknown };
    expect(shown.provenance).toMatchObject({ author: "Test <test@example.com>", applied_by: { user: "octocat", via: "github-actions" } });

    repo.write({ "models/model.yml": MODEL.replace("First model.", "Better.") });
    repo.commit("describe it");
    expect((await repo.run(["apply", "--auto-approve"], { env: NO_CI })).code).toBe(0);
    const history = await repo.run(["history", "model:churn-model"]);
    expect(history.stdout).toContain("by octocat (GitHub Actions)");
    expect(history.stdout).toContain(`by ${os.userInfo().username}@${os.hostname()}`);
  });
});

describe("git state", () => {
  let dir: string | undefined;
  let repo: TempRepo | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    repo?.remove();
    dir = undefined;
    repo = undefined;
  });

  it("outside a git repository, plan says so and apply needs --no-git (or --allow-dirty) to record no commit", async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "assetctl-nogit-"));
    mkdirSync(path.join(dir, "models"));
    writeFileSync(path.join(dir, "models/model.yml"), MODEL);
    writeFileSync(path.join(dir, "models/model.pkl"), BYTES);
    const env = { GIT_CEILING_DIRECTORIES: path.dirname(dir) };

    const plan = await runCli(["plan"], { cwd: dir, env });
    expect(plan.code).toBe(0);
    expect(plan.stderr).toContain("not in a git repository");

    const refused = await runCli(["apply", "--auto-approve"], { cwd: dir, env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("[no-git]");
    expect(refused.stderr).toContain("--no-git");
    expect(existsSync(path.join(dir, ".assetctl/registry"))).toBe(false);

    const applied = await runCli(["apply", "--auto-approve", "--no-git"], { cwd: dir, env });
    expect(applied.code).toBe(0);
    expect((await runCli(["show", "model:churn-model:1"], { cwd: dir, env })).stdout).toContain("  commit:      (no commit)");
  });

  it("the dirty-tree refusal lists the changed files, untracked manifests included", async () => {
    repo = new TempRepo({ "models/model.yml": MODEL, "models/model.pkl": BYTES });
    repo.commit("a model");
    repo.write({ "models/model.pkl": "retrained", "models/other.yml": MODEL.replace("churn-model", "other-model") });
    const refused = await repo.run(["apply", "--auto-approve"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("[tree-dirty]");
    expect(refused.stderr).toContain("  modified   models/model.pkl");
    expect(refused.stderr).toContain("  untracked  models/other.yml (a manifest)");
  });
});

describe("a monorepo", () => {
  let repo: TempRepo;
  afterEach(() => repo.remove());

  it("the nearest assetctl.yaml above the current folder is the root; the registry lives and is ignored there; headers say both", async () => {
    repo = new TempRepo({
      ".gitignore": "/.assetctl/\n",
      "README.md": "the rest of the company\n",
      "ml/assetctl.yaml": "exclude: []\n",
      "ml/models/model.yml": MODEL,
      "ml/models/model.pkl": BYTES,
      "ml/sub/notes.txt": "work here\n",
    });
    repo.commit("a monorepo");
    const cwd = path.join(repo.root, "ml", "sub");
    const root = path.join(repo.root, "ml");
    const plan = await repo.run(["plan"], { cwd });
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain(`Registry ${path.join(root, ".assetctl/registry")} (serial 0); manifests from commit `);
    expect(plan.stdout).toContain(`, root ${root}.`);
    expect(plan.stdout).toContain("+  model:churn-model:1");

    const apply = await repo.run(["apply", "--auto-approve"], { cwd });
    expect(apply.code).toBe(0);
    expect(existsSync(path.join(root, ".assetctl/registry"))).toBe(true);
    expect(existsSync(path.join(repo.root, ".assetctl/registry"))).toBe(false);
    expect(repo.git("status", "--porcelain")).toBe("");
    expect((await repo.run(["show", "model:churn-model:1"], { cwd })).stdout).toContain("  manifest:    models/model.yml");
    expect((await repo.run(["plan"], { cwd })).stdout).toContain("No changes.");
    expect((await repo.run(["lock", "status"], { cwd })).stdout).toBe(`The registry ${path.join(root, ".assetctl/registry")} is not locked.\n`);
  });
});

describe("git-ignored artifacts", () => {
  let repo: TempRepo;
  afterEach(() => repo.remove());

  it("a working-tree plan warns that an ignored file is not in the commit; a --ref plan names the ignore rule", async () => {
    repo = new TempRepo({ ".gitignore": ".assetctl/\n*.pkl\n", "models/model.yml": MODEL, "models/model.pkl": BYTES });
    repo.commit("a model, its weights ignored");

    const plan = await repo.run(["plan"]);
    expect(plan.code).toBe(0);
    expect(plan.stderr).toContain("models/model.pkl is ignored by git (.gitignore:2: *.pkl)");
    expect(plan.stderr).toContain("[artifact-ignored]");

    const ref = await repo.run(["plan", "--ref", "HEAD"]);
    expect(ref.code).toBe(1);
    expect(ref.stderr).toContain("ignored by git (.gitignore:2: *.pkl)");
  });
});
