// A small stand-in for the GitHub Actions runner, enough to run the reusable workflow's jobs here: `run:`
// steps in bash with the runner's files (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY),
// step conditions, `::add-mask::`, a job's environment and its secrets, github-script steps against a
// fake GitHub API (answered from the real git repository where GitHub would look at commits), artifacts
// as folders kept per run. Checkout and setup-node are the test's own doing; installing assetctl is
// replaced by the built CLI on PATH.
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { cliPath } from "../e2e/harness.js";
import { afterAll } from "vitest";
import type { Job, Step } from "./workflow-files.js";

export interface Comment {
  id: number;
  issue: number;
  user: { login: string };
  body: string;
}

export interface PullRequest {
  number: number;
  merged_at: string | null;
  merge_commit_sha: string | null;
}

export interface Review {
  user: { login: string };
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED";
  commit_id: string;
}

/** A workflow run as the API shows it, with the artifacts it uploaded. */
export interface WorkflowRun {
  id: number;
  event: string;
  head_sha: string;
  path: string;
  artifacts: Map<string, string>;
}

/** The few REST calls the workflow's scripts make, over in-memory pull requests, comments, reviews and runs. */
export class FakeGitHub {
  comments: Comment[] = [];
  heads = new Map<number, string>();
  authors = new Map<number, string>();
  reviews = new Map<number, Review[]>();
  associated = new Map<string, PullRequest[]>();
  runs = new Map<number, WorkflowRun>();
  private nextId = 1000;
  private nextRun = 5000;

  /** The repository GitHub's commit, branch and compare answers come from. */
  constructor(readonly repoRoot?: string) {}

  /** A new run id, as GitHub numbers runs: later runs have larger ids. */
  newRunId(): number {
    return this.nextRun++;
  }

  review(pr: number, login: string, state: Review["state"], commit: string): void {
    this.reviews.set(pr, [...(this.reviews.get(pr) ?? []), { user: { login }, state, commit_id: commit }]);
  }

  private git(...args: string[]): string {
    if (!this.repoRoot) throw new Error("this FakeGitHub has no repository");
    const result = spawnSync("git", args, { cwd: this.repoRoot, encoding: "utf8" });
    return result.status === 0 ? result.stdout.trim() : "";
  }

  /** A comment someone else wrote, e.g. a participant typing the marker by hand. */
  addComment(issue: number, login: string, body: string): Comment {
    const comment = { id: this.nextId++, issue, user: { login }, body };
    this.comments.push(comment);
    return comment;
  }

  readonly rest = {
    issues: {
      listComments: async (p: { issue_number: number }) => ({ data: this.comments.filter((c) => c.issue === p.issue_number).map((c) => ({ ...c })) }),
      createComment: async (p: { issue_number: number; body: string }) => ({ data: this.addComment(p.issue_number, "github-actions[bot]", p.body) }),
      updateComment: async (p: { comment_id: number; body: string }) => {
        const comment = this.comments.find((c) => c.id === p.comment_id);
        if (!comment) throw new Error(`no comment ${p.comment_id}`);
        comment.body = p.body;
        return { data: comment };
      },
    },
    pulls: {
      get: async (p: { pull_number: number }) => ({
        data: { number: p.pull_number, head: { sha: this.heads.get(p.pull_number) }, user: { login: this.authors.get(p.pull_number) ?? "alice" } },
      }),
      listReviews: async (p: { pull_number: number }) => ({ data: (this.reviews.get(p.pull_number) ?? []).map((r) => ({ ...r })) }),
    },
    repos: {
      listPullRequestsAssociatedWithCommit: async (p: { commit_sha: string }) => ({ data: this.associated.get(p.commit_sha) ?? [] }),
      getBranch: async (p: { branch: string }) => ({ data: { name: p.branch, commit: { sha: this.git("rev-parse", `refs/heads/${p.branch}`) } } }),
      compareCommits: async (p: { base: string; head: string }) => {
        const status = p.base === p.head ? "identical" : this.isAncestor(p.base, p.head) ? "ahead" : "diverged";
        const files = this.git("diff", "--name-only", p.base, p.head).split("\n").filter(Boolean).map((filename) => ({ filename }));
        return { data: { status, files } };
      },
    },
    actions: {
      getWorkflowRun: async (p: { run_id: number }) => {
        const run = this.runs.get(Number(p.run_id));
        if (!run) throw Object.assign(new Error(`Not Found: run ${p.run_id}`), { status: 404 });
        return { data: { id: run.id, event: run.event, head_sha: run.head_sha, path: run.path } };
      },
    },
  };

  private isAncestor(base: string, head: string): boolean {
    return spawnSync("git", ["merge-base", "--is-ancestor", base, head], { cwd: this.repoRoot }).status === 0;
  }

  async paginate<P>(method: (params: P) => Promise<{ data: unknown[] }>, params: P): Promise<unknown[]> {
    return (await method(params)).data;
  }
}

export interface RunOptions {
  workspace: string;
  inputs: Record<string, string | boolean>;
  /** Repository secrets, and the ones the caller passes: every job sees them. */
  secrets?: Record<string, string>;
  /** Secrets of GitHub environments: only a job that names the environment sees them. */
  environments?: Record<string, Record<string, string>>;
  event: "pull_request" | "push" | "workflow_dispatch" | "merge_group";
  sha: string;
  /** This run's id (a new one when absent); the run is recorded in the fake GitHub with its artifacts. */
  runId?: number;
  /** The workflow file of the run, as the API's `path` shows it. */
  workflowPath?: string;
  attempt?: number;
  /** The event payload github-script sees as context.payload. */
  payload?: Record<string, unknown>;
  needs?: Record<string, { outputs: Record<string, string> }>;
  artifacts: Map<string, string>;
  github: FakeGitHub;
}

export interface StepResult {
  name: string;
  outcome: "success" | "failure" | "skipped";
  stdout: string;
  stderr: string;
}

export interface JobResult {
  ok: boolean;
  runId: number;
  steps: StepResult[];
  /** Each step's resolved environment, by step name: what its process could read. */
  envs: Record<string, Record<string, string>>;
  outputs: Record<string, string>;
  summary: string;
  /** Everything the steps printed, in order: what the job log would show. */
  log: string;
}

type Contexts = Record<string, unknown>;

function lookup(expr: string, ctx: Contexts): unknown {
  let value: unknown = ctx;
  for (const key of expr.split(".")) value = value === undefined || value === null ? undefined : (value as Record<string, unknown>)[key];
  return value;
}

/**
 * Workflow expressions as the workflows use them: context paths, 'strings', `==`, `!=`, `!`, `&&`, `||`
 * (which, as on GitHub, give the deciding operand), parentheses and the status functions.
 */
function evaluate(expr: string, ctx: Contexts, status: { failed: boolean } = { failed: false }): unknown {
  const tokens = expr.match(/'(?:[^']|'')*'|==|!=|&&|\|\||[!()]|[A-Za-z_][\w.-]*\(\)|[A-Za-z_][\w.-]*|\S/g) ?? [];
  let i = 0;
  const fail = (): never => {
    throw new Error(`the local runner cannot evaluate \${{ ${expr} }}`);
  };
  const loose = (v: unknown) => (v === undefined || v === null ? "" : String(v));
  const primary = (): unknown => {
    const t = tokens[i++] ?? fail();
    if (t === "(") {
      const value = or();
      if (tokens[i++] !== ")") fail();
      return value;
    }
    if (t === "!") return !primary();
    if (t.startsWith("'")) return t.slice(1, -1).replace(/''/g, "'");
    if (t === "always()") return true;
    if (t === "cancelled()") return false;
    if (t === "success()") return !status.failed;
    if (t === "failure()") return status.failed;
    if (t === "true" || t === "false") return t === "true";
    if (/^[A-Za-z_][\w.-]*$/.test(t)) return lookup(t, ctx);
    return fail();
  };
  const equality = (): unknown => {
    let left = primary();
    while (tokens[i] === "==" || tokens[i] === "!=") {
      const op = tokens[i++];
      const right = primary();
      left = op === "==" ? loose(left) === loose(right) : loose(left) !== loose(right);
    }
    return left;
  };
  const and = (): unknown => {
    let left = equality();
    while (tokens[i] === "&&") {
      i++;
      const right = equality();
      left = left ? right : left;
    }
    return left;
  };
  const or = (): unknown => {
    let left = and();
    while (tokens[i] === "||") {
      i++;
      const right = and();
      left = left ? left : right;
    }
    return left;
  };
  const value = or();
  if (i !== tokens.length) fail();
  return value;
}

/** A step's `if:`: without a status function it also needs every earlier step to have succeeded. */
function shouldRun(condition: string | undefined, ctx: Contexts, failed: boolean): boolean {
  if (condition === undefined) return !failed;
  const expr = condition.trim().replace(/^\$\{\{([\s\S]*)\}\}$/, "$1").trim();
  const value = Boolean(evaluate(expr, ctx, { failed }));
  return /\b(always|cancelled|success|failure)\(\)/.test(expr) ? value : value && !failed;
}

function interpolate(text: string, ctx: Contexts): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expr: string) => {
    const value = evaluate(expr, ctx);
    return value === undefined || value === null ? "" : String(value);
  });
}

function readKeyValues(file: string): Record<string, string> {
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** Folders that outlive a job (uploaded artifacts, which a later run downloads; the CLI's wrapper): removed when the test file ends. */
const keptFolders: string[] = [];
afterAll(() => {
  for (const dir of keptFolders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const wrapperDir = (() => {
  let dir: string | undefined;
  return () => {
    if (dir) return dir;
    dir = mkdtempSync(path.join(os.tmpdir(), "assetctl-bin-"));
    keptFolders.push(dir);
    writeFileSync(path.join(dir, "assetctl"), `#!/bin/sh\nexec "${process.execPath}" "${cliPath}" "$@"\n`, { mode: 0o755 });
    return dir;
  };
})();


export async function runJob(job: Job, options: RunOptions): Promise<JobResult> {
  const runnerTemp = mkdtempSync(path.join(os.tmpdir(), "assetctl-runner-"));
  try {
    return await runJobIn(runnerTemp, job, options);
  } finally {
    rmSync(runnerTemp, { recursive: true, force: true });
  }
}

async function runJobIn(runnerTemp: string, job: Job, options: RunOptions): Promise<JobResult> {
  const runId = options.runId ?? options.github.newRunId();
  const payload = { repository: { default_branch: "main" }, ...options.payload };
  const headSha = (payload as { pull_request?: { head?: { sha?: string } } }).pull_request?.head?.sha ?? options.sha;
  const run = options.github.runs.get(runId) ?? { id: runId, event: options.event, head_sha: headSha, path: options.workflowPath ?? ".github/workflows/assetctl.yml", artifacts: options.artifacts };
  options.github.runs.set(runId, run);
  // A job sees an environment's secrets only when it names that environment (and GitHub let it deploy there).
  const environment = typeof job.environment === "string" ? job.environment : job.environment?.name;
  const secrets = { ...options.secrets, ...(environment ? options.environments?.[environment] : {}) };
  const masks = new Set<string>();
  const mask = (text: string) => [...masks].reduce((t, m) => t.split(m).join("***"), text);
  const files = {
    GITHUB_OUTPUT: path.join(runnerTemp, "_output"),
    GITHUB_ENV: path.join(runnerTemp, "_env"),
    GITHUB_PATH: path.join(runnerTemp, "_path"),
    GITHUB_STEP_SUMMARY: path.join(runnerTemp, "_summary"),
  };
  const github = {
    workspace: options.workspace,
    server_url: "https://github.com",
    repository: "acme/ml-assets",
    run_id: String(runId),
    run_attempt: String(options.attempt ?? 1),
    event_name: options.event,
    sha: options.sha,
    event: payload,
    token: "ghs_fake-token",
  };
  const steps: Record<string, { outputs: Record<string, string> }> = {};
  const ctx = (env: Record<string, string>): Contexts => ({
    inputs: options.inputs,
    secrets,
    github,
    runner: { temp: runnerTemp },
    env,
    steps,
    needs: options.needs ?? {},
  });
  let env: Record<string, string> = {
    PATH: `${wrapperDir()}${path.delimiter}${process.env["PATH"] ?? ""}`,
    HOME: process.env["HOME"] ?? os.homedir(),
    CI: "true",
    GITHUB_ACTIONS: "true",
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_SERVER_URL: github.server_url,
    GITHUB_REPOSITORY: github.repository,
    GITHUB_RUN_ID: github.run_id,
    GITHUB_RUN_ATTEMPT: github.run_attempt,
    GITHUB_SHA: options.sha,
    GITHUB_EVENT_NAME: options.event,
    RUNNER_TEMP: runnerTemp,
    ...files,
  };
  for (const [key, value] of Object.entries(job.env ?? {})) env[key] = interpolate(String(value), ctx(env));

  const results: StepResult[] = [];
  const envs: Record<string, Record<string, string>> = {};
  let failed = false;
  let log = "";
  for (const [index, step] of (job.steps ?? []).entries()) {
    const name = step.name ?? step.uses?.split("@")[0] ?? String(index);
    if (!shouldRun(step.if, ctx(env), failed)) {
      results.push({ name, outcome: "skipped", stdout: "", stderr: "" });
      continue;
    }
    const stepEnv = { ...env };
    for (const [key, value] of Object.entries(step.env ?? {})) stepEnv[key] = interpolate(String(value), ctx(env));
    envs[name] = stepEnv;
    const withs: Record<string, string> = {};
    for (const [key, value] of Object.entries(step.with ?? {})) withs[key] = key === "script" ? String(value) : interpolate(String(value), ctx(stepEnv));
    writeFileSync(files.GITHUB_OUTPUT, "");
    const raw = await runStep(step, name, { env: stepEnv, withs, options, run, runId, payload, files, cwd: workingDirectory(step, job, ctx(stepEnv), options.workspace) });
    // `::add-mask::` lines are the runner's, not the log's; what they name is masked from then on.
    const unmasked = (text: string) =>
      text
        .split("\n")
        .filter((line) => {
          const added = /^::add-mask::(.*)$/.exec(line)?.[1];
          if (added) masks.add(added);
          return added === undefined;
        })
        .join("\n");
    const result = { ...raw, stdout: mask(unmasked(raw.stdout)), stderr: mask(unmasked(raw.stderr)) };
    log += `${result.stdout}${result.stderr}`;
    results.push(result);
    if (result.outcome === "failure") failed = true;
    if (step.id) steps[step.id] = { outputs: readKeyValues(files.GITHUB_OUTPUT) };
    env = { ...env, ...readKeyValues(files.GITHUB_ENV) };
    writeFileSync(files.GITHUB_ENV, "");
    if (existsSync(files.GITHUB_PATH)) {
      const added = readFileSync(files.GITHUB_PATH, "utf8").split("\n").filter(Boolean);
      if (added.length > 0) env["PATH"] = [...added, env["PATH"]].join(path.delimiter);
      writeFileSync(files.GITHUB_PATH, "");
    }
  }
  const outputs: Record<string, string> = {};
  for (const [key, value] of Object.entries(job.outputs ?? {})) outputs[key] = interpolate(value, ctx(env));
  const summary = existsSync(files.GITHUB_STEP_SUMMARY) ? readFileSync(files.GITHUB_STEP_SUMMARY, "utf8") : "";
  return { ok: !failed, runId, steps: results, envs, outputs, summary: mask(summary), log };
}

function workingDirectory(step: Step, job: Job, ctx: Contexts, workspace: string): string {
  const dir = step["working-directory"] ?? job.defaults?.run?.["working-directory"] ?? ".";
  return path.resolve(workspace, interpolate(dir, ctx));
}

interface StepInput {
  env: Record<string, string>;
  withs: Record<string, string>;
  options: RunOptions;
  run: WorkflowRun;
  runId: number;
  payload: Record<string, unknown>;
  files: { GITHUB_OUTPUT: string };
  cwd: string;
}

async function runStep(step: Step, name: string, { env, withs, options, run, runId, payload, files, cwd }: StepInput): Promise<StepResult> {
  const ok = (stdout = ""): StepResult => ({ name, outcome: "success", stdout, stderr: "" });
  const fail = (stderr: string): StepResult => ({ name, outcome: "failure", stdout: "", stderr });
  const action = step.uses?.split("@")[0];
  if (action === "actions/checkout" || action === "actions/setup-node") return ok();
  if (action === "actions/upload-artifact") {
    const from = withs["path"] ?? "";
    if (!existsSync(from)) return withs["if-no-files-found"] === "error" ? fail(`no files at ${from}`) : ok();
    const name = withs["name"] ?? "artifact";
    if (run.artifacts.has(name) && withs["overwrite"] !== "true") return fail(`an artifact named ${name} exists`);
    const kept = mkdtempSync(path.join(os.tmpdir(), "assetctl-artifact-"));
    keptFolders.push(kept);
    cpSync(from, kept, { recursive: true });
    run.artifacts.set(name, kept);
    return ok();
  }
  if (action === "actions/download-artifact") {
    // With `run-id`, another run's artifact (the action then needs a token that may read actions).
    const otherRun = withs["run-id"] ? options.github.runs.get(Number(withs["run-id"])) : run;
    if (withs["run-id"] && !withs["github-token"]) return fail("run-id needs github-token");
    const kept = otherRun?.artifacts.get(withs["name"] ?? "");
    if (!kept) return fail(`no artifact ${withs["name"]} in run ${otherRun?.id ?? withs["run-id"]}`);
    mkdirSync(withs["path"] ?? cwd, { recursive: true });
    cpSync(kept, withs["path"] ?? cwd, { recursive: true });
    return ok();
  }
  if (action === "actions/github-script") return githubScript(name, withs["script"] ?? "", env, options, { runId, payload, outputFile: files.GITHUB_OUTPUT });
  if (step.run === undefined) return fail(`the local runner does not know ${step.uses}`);
  if (name === "Install assetctl") return ok(); // the built CLI is on PATH already
  const shell = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run], { cwd, env, encoding: "utf8" });
  return { name, outcome: shell.status === 0 ? "success" : "failure", stdout: shell.stdout, stderr: shell.stderr };
}

/** Runs a github-script script the way the action does: the body of an async function of its helpers. */
async function githubScript(
  name: string,
  script: string,
  env: Record<string, string>,
  options: RunOptions,
  run: { runId: number; payload: Record<string, unknown>; outputFile: string },
): Promise<StepResult> {
  const lines: string[] = [];
  let failure: string | undefined;
  const core = {
    setOutput: (key: string, value: string) => appendFileSync(run.outputFile, `${key}=${value}\n`),
    info: (m: string) => lines.push(m),
    notice: (m: string) => lines.push(`::notice::${m}`),
    warning: (m: string) => lines.push(`::warning::${m}`),
    setFailed: (m: string) => {
      failure = m;
      lines.push(`::error::${m}`);
    },
  };
  const context = {
    eventName: options.event,
    sha: options.sha,
    actor: "octocat",
    runId: run.runId,
    repo: { owner: "acme", repo: "ml-assets" },
    payload: run.payload,
  };
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...args: unknown[]) => Promise<unknown>;
  // `process` and `setTimeout` are parameters so the script sees this step's environment and waits no time.
  const fn = new AsyncFunction("require", "github", "context", "core", "process", "setTimeout", script);
  const immediate = (callback: () => void) => callback();
  try {
    await fn(createRequire(import.meta.url), options.github, context, core, { env }, immediate);
  } catch (error) {
    failure = String(error);
    lines.push(`::error::${failure}`);
  }
  return { name, outcome: failure === undefined ? "success" : "failure", stdout: lines.join("\n") + "\n", stderr: "" };
}
