// The reusable workflow's jobs, run here by a stand-in runner on a real git repository with the built
// CLI and a fake GitHub API: a pull request gets one plan comment, updated on each push; its merge is
// applied exactly; a merge whose manifests were never planned, or a push no one reviewed, is refused.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TempRepo, treeFingerprint } from "../e2e/harness.js";
import { FakeGitHub, runJob, type JobResult, type RunOptions } from "./local-runner.js";
import { readWorkflows, type Workflow } from "./workflow-files.js";

const workflow = readWorkflows().find((w) => w.file === "assetctl.yml")?.workflow as Workflow;
const job = (id: string) => {
  const found = workflow.jobs[id];
  if (!found) throw new Error(`no job ${id}`);
  return found;
};

const MODEL = (description: string, pkl = "./credit.pkl") =>
  `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\nname: credit\ndescription: ${description}\npath: ${pkl}\ntype: custom_model\n`;
const ENVIRONMENT = `$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: train-env\nimage: python:3.11-slim\n`;

describe("the pull-request workflow, run locally", () => {
  let repo: TempRepo;
  let registry: string;
  const gh = new FakeGitHub();
  // Artifacts belong to one workflow run: the PR run's jobs share theirs, each apply run has its own.
  let lastPullRequestArtifacts = new Map<string, string>();

  beforeAll(() => {
    repo = new TempRepo({
      "README.md": "ML assets\n",
      "ml/assetctl.yaml": "exclude: []\n",
      "ml/models/credit.yml": MODEL("Credit risk."),
      "ml/models/credit.pkl": "weights v1\n",
    });
    repo.write({ ".gitignore": ".assetctl/\nregistry/\n" });
    repo.commit("initial manifests");
    registry = path.join(repo.root, "registry");
  });
  afterAll(() => repo.remove());

  const base = (event: RunOptions["event"], sha: string, extra: Partial<RunOptions> = {}): RunOptions => ({
    workspace: repo.root,
    inputs: { "working-directory": "ml", registry: "", "node-version": "20", "assetctl-version": "source", "require-reviewed-plan": true },
    secrets: { registry },
    event,
    sha,
    artifacts: new Map(),
    github: gh,
    ...extra,
  });

  /** The plan and comment jobs for the pull request at its current head. */
  async function pullRequestRun(number: number): Promise<{ plan: JobResult; comment: JobResult }> {
    const sha = repo.git("rev-parse", "HEAD").trim();
    gh.heads.set(number, sha);
    const payload = { pull_request: { number, head: { sha } } };
    const artifacts = (lastPullRequestArtifacts = new Map());
    const plan = await runJob(job("plan"), base("pull_request", sha, { payload, artifacts }));
    const comment = await runJob(job("comment"), base("pull_request", sha, { payload, artifacts, needs: { plan: { outputs: plan.outputs } } }));
    return { plan, comment };
  }

  /** Merges `branch` into main with a merge commit, as GitHub does, and links it to the pull request. */
  function merge(branch: string, number: number): string {
    repo.git("checkout", "-q", "main");
    repo.git("merge", "-q", "--no-ff", "-m", `Merge pull request #${number}`, branch);
    const sha = repo.git("rev-parse", "HEAD").trim();
    gh.associated.set(sha, [{ number, merged_at: "2026-01-01T00:00:00Z", merge_commit_sha: sha }]);
    return sha;
  }

  const comments = (issue: number) => gh.comments.filter((c) => c.issue === issue);
  const failure = (result: JobResult) => result.steps.find((s) => s.outcome === "failure");

  it("posts the plan as one comment on a pull request, and updates that comment on the next push", async () => {
    repo.git("checkout", "-q", "-b", "add-env");
    repo.write({ "ml/environments/train.yml": ENVIRONMENT, "ml/models/credit.yml": MODEL("Credit risk, v2 weights."), "ml/models/credit.pkl": "weights v2\n" });
    repo.commit("train environment, new weights");
    // Someone types the marker by hand: the workflow must neither update nor trust that comment.
    gh.addComment(7, "mallory", '<!-- assetctl-plan -->\n<!-- assetctl-plan-meta {"dir":"ml","desired_digest":"sha256:forged"} -->');

    const first = await pullRequestRun(7);
    expect(failure(first.plan)).toBeUndefined();
    expect(first.comment.ok).toBe(true);
    const posted = comments(7).filter((c) => c.user.login === "github-actions[bot]");
    expect(posted).toHaveLength(1);
    const body = posted[0]?.body ?? "";
    expect(body.split("\n")[0]).toBe("<!-- assetctl-plan -->");
    expect(body).toContain("**Plan: 2 new assets, 0 new versions, 0 updates, 0 conflicts, 0 unchanged.**");
    expect(body).toMatch(/<!-- assetctl-plan-meta \{"dir":"ml","desired_digest":"sha256:[0-9a-f]{64}",/);
    expect(first.plan.summary).toContain("### assetctl plan");

    repo.write({ "ml/models/credit.yml": MODEL("Credit risk, v2 weights (reviewed).") });
    repo.commit("wording");
    const second = await pullRequestRun(7);
    expect(second.comment.ok).toBe(true);
    const after = comments(7).filter((c) => c.user.login === "github-actions[bot]");
    expect(after).toHaveLength(1);
    expect(after[0]?.id).toBe(posted[0]?.id);
    expect(after[0]?.body).toContain("(reviewed)");
    expect(after[0]?.body).not.toBe(body);
  });

  it("does not bring the comment back to an older plan when an older push's run finishes late", async () => {
    const before = comments(7).map((c) => c.body);
    const sha = repo.git("rev-parse", "HEAD~1").trim(); // the previous push
    const payload = { pull_request: { number: 7, head: { sha } } };
    const artifacts = lastPullRequestArtifacts;
    const late = await runJob(job("comment"), base("pull_request", sha, { payload, artifacts, needs: { plan: { outputs: { artifact: "assetctl-plan-ml" } } } }));
    expect(late.ok).toBe(true);
    expect(late.log).toContain("Not posting");
    expect(comments(7).map((c) => c.body)).toEqual(before);
  });

  it("applies exactly the reviewed plan on merge, keeping the plan file as an artifact", async () => {
    const sha = merge("add-env", 7);
    const artifacts = new Map<string, string>();
    const result = await runJob(job("apply"), base("push", sha, { artifacts }));
    expect(failure(result)?.stderr ?? "").toBe("");
    expect(result.ok).toBe(true);
    expect(result.log).toContain("Pull request #7 reviewed exactly these manifests");
    expect(result.summary).toContain("Apply complete: 2 versions created");
    const kept = artifacts.get("assetctl-applied-plan-ml-1") ?? "";
    const saved = JSON.parse(readFileSync(path.join(kept, "plan.json"), "utf8")) as { source: { commit: string }; summary: { create: number } };
    expect(saved.source.commit).toBe(sha);
    expect(saved.summary.create).toBe(2);
  });

  it("refuses a merge whose manifests differ from the reviewed plan's, and writes nothing", async () => {
    repo.git("checkout", "-q", "-b", "retrain");
    repo.write({ "ml/models/credit.pkl": "weights v3\n" });
    repo.commit("retrain");
    const pr = await pullRequestRun(8);
    expect(pr.comment.ok).toBe(true);
    expect(comments(8)[0]?.body).toContain("1 new version");
    // The default branch moves after the plan: the merge holds manifests nobody planned.
    repo.git("checkout", "-q", "main");
    repo.write({ "ml/environments/train.yml": ENVIRONMENT.replace("3.11", "3.12") });
    repo.commit("direct change on main");
    const sha = merge("retrain", 8);

    const registryBefore = treeFingerprint(registry);
    const artifacts = new Map<string, string>();
    const result = await runJob(job("apply"), base("push", sha, { artifacts }));
    expect(result.ok).toBe(false);
    expect(failure(result)?.name).toBe("Check that this is the reviewed plan");
    expect(result.log).toMatch(/Apply refused: the manifests at [0-9a-f]{7} are not the ones pull request #8 planned/);
    expect(result.steps.at(-1)).toMatchObject({ name: "Apply the saved plan", outcome: "skipped" });
    expect(treeFingerprint(registry)).toBe(registryBefore);
    // The refused plan is still kept, for whoever investigates.
    expect(artifacts.has("assetctl-applied-plan-ml-1")).toBe(true);
  });

  it("refuses a push with changes that no pull request planned; a manual run applies it", async () => {
    const sha = repo.git("rev-parse", "HEAD").trim(); // the refused merge: its PR planned other manifests
    gh.associated.delete(sha);
    const refused = await runJob(job("apply"), base("push", sha));
    expect(refused.ok).toBe(false);
    expect(refused.log).toContain(`Apply refused: commit ${sha.slice(0, 7)} was not merged from a pull request`);

    const manual = await runJob(job("apply"), base("workflow_dispatch", sha));
    expect(manual.ok).toBe(true);
    expect(manual.log).toContain("started by hand by @octocat");
    expect(manual.summary).toContain("Apply complete: 2 versions created");

    // Nothing left to apply: a push without a review passes, since it changes nothing.
    const again = await runJob(job("apply"), base("push", sha));
    expect(again.ok).toBe(true);
    expect(again.log).toContain("nothing to apply");
  });

  it("annotates invalid manifests, still comments, and fails the check", async () => {
    repo.git("checkout", "-q", "-b", "typo");
    repo.write({ "ml/models/credit.yml": MODEL("Typo.").replace("path:", "pth:") });
    repo.commit("typo");
    const { plan, comment } = await pullRequestRun(9);
    expect(plan.ok).toBe(false);
    expect(failure(plan)?.name).toBe("Verdict");
    expect(plan.log).toMatch(/^::error file=ml\/models\/credit\.yml,line=4,col=1,title=assetctl schema-unknown-key::/m);
    expect(comment.ok).toBe(true);
    expect(comments(9)[0]?.body).toContain("no plan until");
  });

  it("still comments when no plan can be made at all, pointing at the job log", async () => {
    const sha = repo.git("rev-parse", "HEAD").trim();
    gh.heads.set(10, sha);
    const payload = { pull_request: { number: 10, head: { sha } } };
    const artifacts = new Map<string, string>();
    const options = (extra: Partial<RunOptions>) => base("pull_request", sha, { payload, artifacts, secrets: { registry: "ftp://registry.invalid/ml" }, ...extra });
    const plan = await runJob(job("plan"), options({}));
    expect(plan.ok).toBe(false);
    const comment = await runJob(job("comment"), options({ needs: { plan: { outputs: plan.outputs } } }));
    expect(comment.ok).toBe(true);
    expect(comments(10)[0]?.body).toContain("❌ **assetctl plan failed** (exit 1); the reason is in the [job log](https://github.com/acme/ml-assets/actions/runs/4242).");
    expect(comments(10)[0]?.body).toContain("Nothing can be applied from this plan.");
  });
});
