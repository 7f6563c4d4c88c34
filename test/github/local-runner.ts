// A small stand-in for the GitHub Actions runner, enough to run the reusable workflow's jobs here: `run:`
// steps in bash with the runner's files (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY),
// github-script steps against a fake GitHub API, artifacts as folders. Checkout and setup-node are the
// test's own doing; installing assetctl is replaced by the built CLI on PATH.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { cliPath } from "../e2e/harness.js";
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

/** The few REST calls the workflow's scripts make, over in-memory pull requests and comments. */
export class FakeGitHub {
  comments: Comment[] = [];
  heads = new Map<number, string>();
  associated = new Map<string, PullRequest[]>();
  private nextId = 1000;

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
      get: async (p: { pull_number: number }) => ({ data: { number: p.pull_number, head: { sha: this.heads.get(p.pull_number) } } }),
    },
    repos: {
      listPullRequestsAssociatedWithCommit: async (p: { commit_sha: string }) => ({ data: this.associated.get(p.commit_sha) ?? [] }),
    },
  };

  async paginate<P>(method: (params: P) => Promise<{ data: unknown[] }>, params: P): Promise<unknown[]> {
    return (await method(params)).data;
  }
}

export interface RunOptions {
  workspace: string;
  inputs: Record<string, string | boolean>;
  secrets?: Record<string, string>;
  event: "pull_request" | "push" | "workflow_dispatch";
  sha: string;
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
  steps: StepResult[];
  outputs: Record<string, string>;
  summary: string;
  /** Everything the steps printed, in order: what the job log would show. */
  log: string;
}

type Contexts = Record<string, unknown>;

function lookup(expr: string, ctx: Contexts): unknown {
  const literal = /^'(.*)'$/.exec(expr);
  if (literal) return literal[1];
  let value: unknown = ctx;
  for (const key of expr.split(".")) value = value === undefined || value === null ? undefined : (value as Record<string, unknown>)[key];
  return value;
}

/** Workflow expressions as the workflow uses them: context paths joined by `||`. */
function evaluate(expr: string, ctx: Contexts): unknown {
  const parts = expr.split("||").map((p) => p.trim());
  let value: unknown;
  for (const part of parts) {
    if (!/^('.*'|[\w.-]+)$/.test(part)) throw new Error(`the local runner cannot evaluate \${{ ${expr} }}`);
    value = lookup(part, ctx);
    if (value) return value;
  }
  return value;
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

const wrapperDir = (() => {
  let dir: string | undefined;
  return () => {
    if (dir) return dir;
    dir = mkdtempSync(path.join(os.tmpdir(), "assetctl-bin-"));
    writeFileSync(path.join(dir, "assetctl"), `#!/bin/sh\nexec "${process.execPath}" "${cliPath}" "$@"\n`, { mode: 0o755 });
    return dir;
  };
})();

export async function runJob(job: Job, options: RunOptions): Promise<JobResult> {
  const runnerTemp = mkdtempSync(path.join(os.tmpdir(), "assetctl-runner-"));
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
    run_id: "4242",
    run_attempt: "1",
    event_name: options.event,
    sha: options.sha,
  };
  const steps: Record<string, { outputs: Record<string, string> }> = {};
  const ctx = (env: Record<string, string>): Contexts => ({
    inputs: options.inputs,
    secrets: options.secrets ?? {},
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
    GITHUB_SHA: options.sha,
    GITHUB_EVENT_NAME: options.event,
    RUNNER_TEMP: runnerTemp,
    ...files,
  };
  for (const [key, value] of Object.entries(job.env ?? {})) env[key] = interpolate(String(value), ctx(env));

  const results: StepResult[] = [];
  let failed = false;
  let log = "";
  for (const [index, step] of (job.steps ?? []).entries()) {
    const name = step.name ?? step.uses?.split("@")[0] ?? String(index);
    const condition = step.if?.trim();
    if (failed && condition !== "always()" && condition !== "${{ !cancelled() }}") {
      results.push({ name, outcome: "skipped", stdout: "", stderr: "" });
      continue;
    }
    const stepEnv = { ...env };
    for (const [key, value] of Object.entries(step.env ?? {})) stepEnv[key] = interpolate(String(value), ctx(env));
    const withs: Record<string, string> = {};
    for (const [key, value] of Object.entries(step.with ?? {})) withs[key] = key === "script" ? String(value) : interpolate(String(value), ctx(stepEnv));
    writeFileSync(files.GITHUB_OUTPUT, "");
    const result = await runStep(step, name, { env: stepEnv, withs, options, cwd: workingDirectory(step, job, ctx(stepEnv), options.workspace) });
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
  return { ok: !failed, steps: results, outputs, summary, log };
}

function workingDirectory(step: Step, job: Job, ctx: Contexts, workspace: string): string {
  const dir = step["working-directory"] ?? job.defaults?.run?.["working-directory"] ?? ".";
  return path.resolve(workspace, interpolate(dir, ctx));
}

interface StepInput {
  env: Record<string, string>;
  withs: Record<string, string>;
  options: RunOptions;
  cwd: string;
}

async function runStep(step: Step, name: string, { env, withs, options, cwd }: StepInput): Promise<StepResult> {
  const ok = (stdout = ""): StepResult => ({ name, outcome: "success", stdout, stderr: "" });
  const fail = (stderr: string): StepResult => ({ name, outcome: "failure", stdout: "", stderr });
  const action = step.uses?.split("@")[0];
  if (action === "actions/checkout" || action === "actions/setup-node") return ok();
  if (action === "actions/upload-artifact") {
    const from = withs["path"] ?? "";
    if (!existsSync(from)) return withs["if-no-files-found"] === "error" ? fail(`no files at ${from}`) : ok();
    const name = withs["name"] ?? "artifact";
    if (options.artifacts.has(name) && withs["overwrite"] !== "true") return fail(`an artifact named ${name} exists`);
    const kept = mkdtempSync(path.join(os.tmpdir(), "assetctl-artifact-"));
    cpSync(from, kept, { recursive: true });
    options.artifacts.set(name, kept);
    return ok();
  }
  if (action === "actions/download-artifact") {
    const kept = options.artifacts.get(withs["name"] ?? "");
    if (!kept) return fail(`no artifact ${withs["name"]}`);
    mkdirSync(withs["path"] ?? cwd, { recursive: true });
    cpSync(kept, withs["path"] ?? cwd, { recursive: true });
    return ok();
  }
  if (action === "actions/github-script") return githubScript(name, withs["script"] ?? "", env, options);
  if (step.run === undefined) return fail(`the local runner does not know ${step.uses}`);
  if (name === "Install assetctl") return ok(); // the built CLI is on PATH already
  const shell = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", step.run], { cwd, env, encoding: "utf8" });
  return { name, outcome: shell.status === 0 ? "success" : "failure", stdout: shell.stdout, stderr: shell.stderr };
}

/** Runs a github-script script the way the action does: the body of an async function of its helpers. */
async function githubScript(name: string, script: string, env: Record<string, string>, options: RunOptions): Promise<StepResult> {
  const lines: string[] = [];
  let failure: string | undefined;
  const core = {
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
    repo: { owner: "acme", repo: "ml-assets" },
    payload: options.payload ?? {},
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
