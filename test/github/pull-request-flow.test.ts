// The reusable workflow's jobs, run here by a stand-in runner on a real git repository with the built
// CLI and a fake GitHub API: a pull request gets one plan comment bound to its run, updated on each push;
// its merge is applied only when someone other than the author approved the final head, the plan comment
// is the one this workflow's run made, the merged manifests are the planned ones and the commit is still
// the newest for its root. The plan jobs never see the write credential.
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

const MODEL = (description: string, pkl = "./credit.pkl", name = "credit") =>
  `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\nname: ${name}\ndescription: ${description}\npath: ${pkl}\ntype: custom_model\n`;
const ENVIRONMENT = `$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: train-env\nimage: python:3.11-slim\n`;

describe("the pull-request workflow, run locally", () => {
  let repo: TempRepo;
  let gh: FakeGitHub;
  /** Per root: the read-only credential plans get, and the write credential only the apply environment holds. */
  const credentials = (root: string) => {
    const registry = path.join(repo.root, `registry-${root}`);
    // Two spellings of one directory, so that the test can tell which one reached a job.
    return { registry, read: registry, write: `file://${registry}` };
  };

  beforeAll(() => {
    repo = new TempRepo({
      "README.md": "ML assets\n",
      "ml/assetctl.yaml": "exclude: []\n",
      "ml/models/credit.yml": MODEL("Credit risk."),
      "ml/models/credit.pkl": "weights v1\n",
      "vision/assetctl.yaml": "exclude: []\n",
      "vision/models/detector.yml": MODEL("Detector.", "./detector.pkl", "detector"),
      "vision/models/detector.pkl": "detector v1\n",
    });
    repo.write({ ".gitignore": ".assetctl/\nregistry-*/\n" });
    repo.commit("initial manifests");
    gh = new FakeGitHub(repo.root);
  });
  afterAll(() => repo.remove());

  const base = (event: RunOptions["event"], sha: string, extra: Partial<RunOptions> & { root?: string } = {}): RunOptions => {
    const { root = "ml", ...rest } = extra;
    const { read, write } = credentials(root);
    return {
      workspace: repo.root,
      inputs: { "working-directory": root, registry: "", "node-version": "20", "assetctl-version": "source", "require-reviewed-plan": true, "runs-on": "ubuntu-latest" },
      secrets: { "registry-read": read, "registry-write": "" },
      environments: { "assetctl-apply": { "registry-write": write } },
      event,
      sha,
      artifacts: new Map(),
      github: gh,
      ...rest,
    };
  };

  const head = () => repo.git("rev-parse", "HEAD").trim();

  /** The plan and comment jobs of one pull-request run at the branch's current head. */
  async function pullRequestRun(number: number, options: { root?: string; author?: string; workflowPath?: string } = {}): Promise<{ plan: JobResult; comment: JobResult }> {
    const sha = head();
    gh.heads.set(number, sha);
    gh.authors.set(number, options.author ?? "alice");
    const payload = { pull_request: { number, head: { sha } } };
    const artifacts = new Map<string, string>();
    const runId = gh.newRunId();
    const extra = { payload, artifacts, runId, root: options.root ?? "ml", ...(options.workflowPath ? { workflowPath: options.workflowPath } : {}) };
    lastRun.set(number, runId);
    const plan = await runJob(job("plan"), base("pull_request", sha, extra));
    const comment = await runJob(job("comment"), base("pull_request", sha, { ...extra, needs: { plan: { outputs: plan.outputs } } }));
    return { plan, comment };
  }

  /** Merges `branch` into main with a merge commit, as GitHub does, and links it to the pull request. */
  function merge(branch: string, number: number): string {
    repo.git("checkout", "-q", "main");
    repo.git("merge", "-q", "--no-ff", "-m", `Merge pull request #${number}`, branch);
    const sha = head();
    gh.associated.set(sha, [{ number, merged_at: "2026-01-01T00:00:00Z", merge_commit_sha: sha }]);
    return sha;
  }

  const apply = (sha: string, extra: Partial<RunOptions> & { root?: string } = {}) => runJob(job("apply"), base("push", sha, extra));
  const comments = (issue: number) => gh.comments.filter((c) => c.issue === issue);
  const failure = (result: JobResult) => result.steps.find((s) => s.outcome === "failure");
  /** Every value of every step's environment in a job, as one text. */
  const environmentText = (result: JobResult) => JSON.stringify(result.envs);

  let firstMerge = "";
  /** The run of each pull request's latest push. */
  const lastRun = new Map<number, number>();

  it("posts the plan as one comment bound to its run, updates it on the next push, and plans without the write credential", async () => {
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
    expect(body).toMatch(new RegExp(`<!-- assetctl-plan-meta \\{"dir":"ml","desired_digest":"sha256:[0-9a-f]{64}","head":"${head()}","run_id":${first.plan.runId},"plan_sha256":"[0-9a-f]{64}"\\} -->`));
    expect(first.plan.summary).toContain("### assetctl plan");

    // The resolved environments: the plan step has the read-only credential, no step of either job the write one.
    const { read, write } = credentials("ml");
    expect(first.plan.envs["Plan"]?.["ASSETCTL_REGISTRY"]).toBe(read);
    for (const result of [first.plan, first.comment]) expect(environmentText(result)).not.toContain(write);
    // Steps that run what the pull request brings (installing, validating) get no credential at all.
    for (const step of ["Install assetctl", "Validate", "Check the assetctl version"]) expect(JSON.stringify(first.plan.envs[step] ?? {})).not.toContain(read);

    repo.write({ "ml/models/credit.yml": MODEL("Credit risk, v2 weights (reviewed).") });
    repo.commit("wording");
    const second = await pullRequestRun(7);
    expect(second.comment.ok).toBe(true);
    const after = comments(7).filter((c) => c.user.login === "github-actions[bot]");
    expect(after).toHaveLength(1);
    expect(after[0]?.id).toBe(posted[0]?.id);
    expect(after[0]?.body).toContain("(reviewed)");
    expect(after[0]?.body).toContain(`"run_id":${second.plan.runId}`);
  });

  it("does not bring the comment back to an older plan when an older push's run finishes late", async () => {
    const before = comments(7).map((c) => c.body);
    const sha = repo.git("rev-parse", "HEAD~1").trim(); // the previous push
    const payload = { pull_request: { number: 7, head: { sha } } };
    // Its plan job's artifact stands in for the older run's own (the comment job stops before reading it).
    const late = await runJob(job("comment"), base("pull_request", sha, { payload, runId: lastRun.get(7) ?? 0, needs: { plan: { outputs: { artifact: "assetctl-plan-ml" } } } }));
    expect(late.ok).toBe(true);
    expect(late.log).toContain("Not posting");
    expect(comments(7).map((c) => c.body)).toEqual(before);
  });

  it("refuses a merge approved only by its author, and writes nothing", async () => {
    gh.review(7, "alice", "APPROVED", head());
    const sha = merge("add-env", 7);
    const before = treeFingerprint(credentials("ml").registry);
    const result = await apply(sha);
    expect(result.ok).toBe(false);
    expect(failure(result)?.name).toBe("Check that this is the approved plan");
    expect(result.log).toContain("Apply refused: nobody but its author approved");
    expect(result.log).toContain("(the author's own approval does not count)");
    expect(result.steps.at(-1)).toMatchObject({ name: "Apply the saved plan", outcome: "skipped" });
    expect(treeFingerprint(credentials("ml").registry)).toBe(before);
  });

  it("applies exactly the approved plan on merge, with the write credential on the apply step alone", async () => {
    const sha = head(); // the merge refused above, now approved by a reviewer
    gh.review(7, "bob", "APPROVED", gh.heads.get(7) ?? "");
    const artifacts = new Map<string, string>();
    const result = await apply(sha, { artifacts });
    expect(failure(result)?.stderr ?? "").toBe("");
    expect(result.ok).toBe(true);
    expect(result.log).toMatch(/Pull request #7: [0-9a-f]{7} approved by @bob; its plan \(run \d+\) has exactly these manifests/);
    expect(result.log).toContain("Ignored 1 plan comment(s) on #7"); // mallory's
    expect(result.summary).toContain("Apply complete: 2 versions created");
    const kept = artifacts.get("assetctl-applied-plan-ml-1") ?? "";
    const saved = JSON.parse(readFileSync(path.join(kept, "plan.json"), "utf8")) as { source: { commit: string }; summary: { create: number } };
    expect(saved.source.commit).toBe(sha);
    expect(saved.summary.create).toBe(2);
    const { write } = credentials("ml");
    const withWrite = Object.entries(result.envs).filter(([, env]) => Object.values(env).includes(write)).map(([name]) => name);
    expect(withWrite).toEqual(["Apply the saved plan"]);
    firstMerge = sha;
  });

  it("ignores a plan comment another workflow of the branch forged, even with the right desired state", async () => {
    repo.git("checkout", "-q", "-b", "forged");
    repo.write({ "ml/models/credit.yml": MODEL("Credit risk, forged.") });
    repo.commit("change");
    // A workflow the branch added runs the same steps and posts as the same bot: its run is not this workflow's.
    const forged = await pullRequestRun(11, { workflowPath: ".github/workflows/evil.yml" });
    expect(forged.comment.ok).toBe(true);
    expect(comments(11)).toHaveLength(1);
    gh.review(11, "bob", "APPROVED", head());
    const sha = merge("forged", 11);
    const before = treeFingerprint(credentials("ml").registry);
    const result = await apply(sha);
    expect(result.ok).toBe(false);
    expect(result.log).toContain("Ignored 1 plan comment(s) on #11 not made by this workflow (.github/workflows/assetctl.yml)");
    expect(result.log).toMatch(/Apply refused: pull request #11 has no plan made by this workflow for its final head [0-9a-f]{7}/);
    expect(treeFingerprint(credentials("ml").registry)).toBe(before);
  });

  it("refuses a force-push made after the approval, though the comment shows its plan", async () => {
    repo.git("checkout", "-q", "-b", "retitle", "main");
    repo.write({ "ml/models/credit.yml": MODEL("Credit risk, retitled.") });
    repo.commit("retitle");
    await pullRequestRun(12);
    gh.review(12, "bob", "APPROVED", head());
    // After the approval the author rewrites the branch; the new head is planned (and the comment follows).
    repo.write({ "ml/models/credit.yml": MODEL("Credit risk, something else entirely.") });
    repo.git("add", "-A");
    repo.git("commit", "-q", "--amend", "-m", "retitle");
    const pushed = await pullRequestRun(12);
    expect(pushed.comment.ok).toBe(true);
    const sha = merge("retitle", 12);
    const result = await apply(sha);
    expect(result.ok).toBe(false);
    expect(result.log).toContain("(an approval of an earlier push does not cover the later one)");
  });

  it("refuses a merge whose manifests differ from the reviewed plan's, and writes nothing", async () => {
    repo.git("checkout", "-q", "-b", "retrain", "main");
    repo.write({ "ml/models/credit.pkl": "weights v3\n" });
    repo.commit("retrain");
    const pr = await pullRequestRun(8);
    expect(pr.comment.ok).toBe(true);
    expect(comments(8)[0]?.body).toContain("1 new version");
    gh.review(8, "bob", "APPROVED", head());
    // The default branch moves after the plan: the merge holds manifests nobody planned.
    repo.git("checkout", "-q", "main");
    repo.write({ "ml/environments/train.yml": ENVIRONMENT.replace("3.11", "3.12") });
    repo.commit("direct change on main");
    const sha = merge("retrain", 8);

    const registryBefore = treeFingerprint(credentials("ml").registry);
    const artifacts = new Map<string, string>();
    const result = await apply(sha, { artifacts });
    expect(result.ok).toBe(false);
    expect(failure(result)?.name).toBe("Check that this is the approved plan");
    expect(result.log).toMatch(/Apply refused: the manifests at [0-9a-f]{7} are not the ones pull request #8 planned/);
    expect(treeFingerprint(credentials("ml").registry)).toBe(registryBefore);
    // The refused plan is still kept, for whoever investigates.
    expect(artifacts.has("assetctl-applied-plan-ml-1")).toBe(true);
  });

  it("refuses a push with changes that no pull request planned; a manual run applies it", async () => {
    const sha = head(); // the refused merge: its PR planned other manifests
    gh.associated.delete(sha);
    const refused = await apply(sha);
    expect(refused.ok).toBe(false);
    expect(refused.log).toContain(`Apply refused: commit ${sha.slice(0, 7)} was not merged from a pull request`);

    const manual = await runJob(job("apply"), base("workflow_dispatch", sha));
    expect(manual.ok).toBe(true);
    expect(manual.log).toContain("approved through the environment's required reviewers");
    expect(manual.summary).toContain("Apply complete:");

    // Nothing left to apply: a push without a review passes, since it changes nothing.
    const again = await apply(sha);
    expect(again.ok).toBe(true);
    expect(again.log).toContain("nothing to apply");
  });

  it("refuses a re-run of an old apply run: the root changed since, and the old commit would roll it back", async () => {
    // A re-run checks out the old run's commit, as its checkout step did the first time.
    repo.git("checkout", "-q", "--detach", firstMerge);
    const rerun = await apply(firstMerge, { attempt: 2 }).finally(() => repo.git("checkout", "-q", "main"));
    expect(rerun.ok).toBe(false);
    // The old commit's plan does change the registry (back): only the tip check stops it.
    expect(rerun.summary).toContain("2 new versions");
    expect(rerun.log).toMatch(new RegExp(`Apply refused: ${firstMerge.slice(0, 7)} is no longer the newest state of ml on main \\(the tip is [0-9a-f]{7}, which changed ml/`));
    expect(rerun.steps.at(-1)).toMatchObject({ name: "Apply the saved plan", outcome: "skipped" });
  });

  it("applies two roots merged close together, each in its own concurrency group", async () => {
    repo.git("checkout", "-q", "-b", "ml-desc", "main");
    repo.write({ "ml/models/credit.yml": MODEL("Credit risk, documented.") });
    repo.commit("ml description");
    await pullRequestRun(20);
    gh.review(20, "bob", "APPROVED", head());
    repo.git("checkout", "-q", "-b", "vision-model", "main");
    repo.write({ "vision/models/detector.pkl": "detector v2\n" });
    repo.commit("vision weights");
    await pullRequestRun(21, { root: "vision" });
    gh.review(21, "carol", "APPROVED", head());
    const mlMerge = merge("ml-desc", 20);
    const visionMerge = merge("vision-model", 21);
    // The ml run starts after the vision merge landed: the tip moved, but not under ml.
    const ml = await apply(mlMerge);
    expect(ml.ok).toBe(true);
    expect(ml.log).toContain("but nothing under ml changed since");
    const vision = await apply(visionMerge, { root: "vision" });
    expect(vision.ok).toBe(true);
    expect(vision.summary).toContain("Apply complete:");
    const group = String((job("apply").concurrency as { group: string }).group);
    expect(group).toBe("assetctl-apply-${{ inputs.working-directory }}");
  });

  it("annotates invalid manifests, still comments, and fails the check", async () => {
    repo.git("checkout", "-q", "-b", "typo", "main");
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
    const sha = head();
    gh.heads.set(10, sha);
    const payload = { pull_request: { number: 10, head: { sha } } };
    const runId = gh.newRunId();
    const options = (extra: Partial<RunOptions>) => base("pull_request", sha, { payload, runId, secrets: { "registry-read": "ftp://registry.invalid/ml" }, ...extra });
    const plan = await runJob(job("plan"), options({}));
    expect(plan.ok).toBe(false);
    const comment = await runJob(job("comment"), options({ needs: { plan: { outputs: plan.outputs } } }));
    expect(comment.ok).toBe(true);
    expect(comments(10)[0]?.body).toContain(`❌ **assetctl plan failed** (exit 1); the reason is in the [job log](https://github.com/acme/ml-assets/actions/runs/${runId}).`);
    expect(comments(10)[0]?.body).toContain("Nothing can be applied from this plan.");
  });

  it("refuses an assetctl-version that is not exact, before installing anything", async () => {
    const result = await runJob(job("plan"), base("pull_request", head(), { inputs: { ...base("push", "").inputs, "assetctl-version": "latest" }, payload: { pull_request: { number: 30, head: { sha: head() } } } }));
    expect(result.ok).toBe(false);
    expect(failure(result)?.name).toBe("Check the assetctl version");
    expect(result.log).toContain('assetctl-version must be an exact version such as 0.1.0 (or source), not "latest"');
  });
});
