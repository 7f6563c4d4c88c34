// GitHub cannot run here, so the workflows are checked as far as reading them allows: they parse, every
// action is pinned to a commit, permissions are explicit and least, scripts take inputs only through the
// environment, and every assetctl command line names a real command and real flags.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { commands as commandLoaders, type Command } from "../../src/cli/commands/index.js";
import { githubWorkflow } from "../../src/cli/commands/init.js";
import { assetctlCommands, githubScripts, parseWorkflow, readWorkflows, runScripts, shellWords, type Workflow, type WorkflowFile } from "./workflow-files.js";

const workflows = readWorkflows();
const commands: Record<string, Command> = Object.fromEntries(await Promise.all(Object.entries(commandLoaders).map(async ([name, load]) => [name, await load()])));
const byFile = (file: string): Workflow => {
  const found = workflows.find((w) => w.file === file);
  if (!found) throw new Error(`no workflow ${file}`);
  return found.workflow;
};

/** The five actions this project uses, each at the one commit its release tag named when it was pinned (Dependabot updates both). */
const PINNED: Record<string, { sha: string; version: string }> = {
  "actions/checkout": { sha: "8e8c483db84b4bee98b60c0593521ed34d9990e8", version: "v6.0.1" },
  "actions/setup-node": { sha: "2028fbc5c25fe9cf00d9f06a71cc4710d4507903", version: "v6.0.0" },
  "actions/github-script": { sha: "ed597411d8f924073f98dfc5c65a23a2325f34cd", version: "v8.0.0" },
  "actions/upload-artifact": { sha: "b7c566a772e6b6bfb58ed0dc250532a479d7789f", version: "v6.0.0" },
  "actions/download-artifact": { sha: "37930b1c2abaa49bbe596cd826c3c89aef350131", version: "v7.0.0" },
};

const COMMIT = "0123456789abcdef0123456789abcdef01234567";

/** `uses:` lines as written, with their trailing comment. */
function usesLines(text: string): { ref: string; comment: string }[] {
  return [...text.matchAll(/^\s*(?:-\s+)?uses:\s*(\S+)\s*(?:#\s*(.*))?$/gm)].map((m) => ({ ref: m[1] as string, comment: (m[2] ?? "").trim() }));
}

/** Checks one assetctl command line against the CLI's command table; returns the problems. */
function checkCommand(args: readonly string[]): string[] {
  const [name, ...rest] = args;
  if (name === "--version" || name === "--help") return rest.length === 0 ? [] : [`assetctl ${name} takes no arguments`];
  const command = name === undefined ? undefined : commands[name];
  if (!command) return [`"${name}" is not an assetctl command`];
  const options: Record<string, { type: "string" | "boolean"; short?: string }> = { ...command.options, help: { type: "boolean", short: "h" } };
  const problems: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] as string;
    if (!arg.startsWith("-") || arg === "-") continue;
    const [flagName = "", inline] = arg.replace(/^--?/, "").split("=", 2);
    const option = arg.startsWith("--") ? options[flagName] : Object.values(options).find((o) => o.short === flagName);
    if (!option) {
      problems.push(`assetctl ${name}: unknown flag ${arg}`);
      continue;
    }
    if (option.type === "string" && inline === undefined) {
      const value = rest[i + 1];
      if (value === undefined || value.startsWith("--")) problems.push(`assetctl ${name}: ${arg} needs a value`);
      i++;
    }
  }
  return problems;
}

function allRunScripts(): { file: string; where: string; run: string }[] {
  return workflows.flatMap(({ file, workflow }) => runScripts(workflow).map((r) => ({ file, ...r })));
}

describe("the GitHub workflows", () => {
  it("are there: CI, the reusable assetctl workflow and this repository's use of it", () => {
    expect(workflows.map((w) => w.file)).toEqual(["assetctl.yml", "assets.yml", "ci.yml"]);
  });

  it.each(workflows.map((w) => [w.file, w] as const))("%s pins every action to a full commit SHA, with its version beside it", (_file, { text, workflow }: WorkflowFile) => {
    const lines = usesLines(text);
    const parsedUses = Object.values(workflow.jobs).flatMap((job) => [job.uses, ...(job.steps ?? []).map((s) => s.uses)].filter((u): u is string => u !== undefined));
    // Every `uses:` the parser sees is one the line scan saw (none hides in flow style).
    expect(lines.map((l) => l.ref).sort()).toEqual([...parsedUses].sort());
    for (const { ref, comment } of lines) {
      if (ref.startsWith("./")) continue; // this repository's own reusable workflow, at the same commit
      const match = /^([\w.-]+\/[\w.-]+)(?:\/[^@]*)?@([0-9a-f]{40})$/.exec(ref);
      expect(match, `${ref} is not pinned to a 40-hex commit SHA`).not.toBeNull();
      const [, action = "", sha] = match ?? [];
      expect(PINNED[action], `${action} is not one of the reviewed actions`).toBeDefined();
      expect(sha).toBe(PINNED[action]?.sha);
      expect(comment).toBe(PINNED[action]?.version);
    }
  });

  it.each(workflows.map((w) => [w.file, w] as const))("%s sets permissions, read-only unless a job must write", (_file, { workflow }: WorkflowFile) => {
    expect(workflow.permissions).toEqual({ contents: "read" });
    for (const [id, job] of Object.entries(workflow.jobs)) {
      const permissions = job.permissions ?? workflow.permissions;
      expect(typeof permissions, `${id}: permissions must be a map, never read-all/write-all`).toBe("object");
      const writes = Object.entries(permissions as Record<string, string>).filter(([, level]) => level === "write").map(([scope]) => scope);
      // Only the comment job writes, and only pull-request comments; a caller grants the most its callee's jobs get.
      const allowed = id === "comment" || job.uses !== undefined ? ["pull-requests"] : [];
      expect(writes, `${id} writes ${writes.join(", ")}`).toEqual(writes.filter((w) => allowed.includes(w)));
    }
  });

  it("keep workflow expressions out of shell and JavaScript: inputs reach scripts through the environment", () => {
    for (const { file, where, run } of allRunScripts()) expect(run, `${file} ${where}`).not.toContain("${{");
    for (const { file, workflow } of workflows) for (const { job, script } of githubScripts(workflow)) expect(script, `${file} ${job}`).not.toContain("${{");
  });

  it("use contexts only where GitHub makes them available (no runner or steps context at job level)", () => {
    for (const { file, workflow } of workflows) {
      for (const [id, job] of Object.entries(workflow.jobs)) {
        const jobLevel = JSON.stringify([job.env, job.concurrency, job.if, job.defaults, job.permissions]);
        expect(jobLevel, `${file} ${id}`).not.toMatch(/\b(runner|steps)\./);
      }
    }
  });

  it("run only real assetctl commands and flags", () => {
    const seen: string[] = [];
    for (const { file, where, run } of allRunScripts()) {
      for (const args of assetctlCommands(run)) {
        seen.push(args.slice(0, 1).join(" "));
        expect(checkCommand(args), `${file} ${where}: assetctl ${args.join(" ")}`).toEqual([]);
      }
    }
    // The check saw the commands that matter, so it cannot pass by finding none.
    expect([...new Set(seen)].sort()).toEqual(["--version", "apply", "gc", "plan", "validate"]);
  });

  it("the command check itself catches a wrong command, a wrong flag and a missing value", () => {
    expect(checkCommand(["plann"])).toEqual(['"plann" is not an assetctl command']);
    expect(checkCommand(["plan", "--fromat", "markdown"])).toEqual(["assetctl plan: unknown flag --fromat"]);
    expect(checkCommand(["apply", "--lock-timeout"])).toEqual(["assetctl apply: --lock-timeout needs a value"]);
    expect(checkCommand(["validate", "--format=github", "-h"])).toEqual([]);
    expect(assetctlCommands('x=1; assetctl plan --out "$D/p.json" > "$D/p.md" || exit 1\nnpm i "assetctl@1"')).toEqual([["plan", "--out", "$D/p.json"]]);
    expect(shellWords("if assetctl validate; then echo 'a b'; fi")).toEqual(["if", "assetctl", "validate", ";", "then", "echo", "a b", ";", "fi"]);
  });

  it("hold shell scripts that bash can parse", () => {
    for (const { file, where, run } of allRunScripts()) {
      expect(() => execFileSync("bash", ["-n", "-c", run], { stdio: "pipe" }), `${file} ${where}`).not.toThrow();
    }
  });

  it("hold github-script scripts that compile as the async function github-script makes of them", () => {
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => unknown;
    const scripts = workflows.flatMap(({ workflow }) => githubScripts(workflow));
    expect(scripts.map((s) => s.job)).toEqual(["comment", "apply", "apply"]);
    for (const { script } of scripts) expect(() => new AsyncFunction("require", "github", "context", "core", script)).not.toThrow();
  });

  it("call the reusable workflow with inputs and secrets it declares, and use only declared inputs", () => {
    const reusable = byFile("assetctl.yml");
    const call = reusable.on["workflow_call"] as { inputs: Record<string, unknown>; secrets: Record<string, unknown> };
    expect(Object.keys(call.inputs).sort()).toEqual(["assetctl-version", "node-version", "registry", "require-reviewed-plan", "runs-on", "working-directory"]);
    const used = [...JSON.stringify(reusable.jobs).matchAll(/inputs\.([\w-]+)/g)].map((m) => m[1]);
    for (const name of used) expect(call.inputs, `inputs.${name}`).toHaveProperty([name as string]);
    const callers = [byFile("assets.yml"), parseWorkflow(githubWorkflow({ root: "ml", branch: "main", version: "1.2.3", commit: COMMIT }))];
    for (const caller of callers) {
      const job = Object.values(caller.jobs)[0];
      expect(Object.keys(job?.with ?? {}).every((k) => k in call.inputs)).toBe(true);
      expect(Object.keys((job?.secrets ?? {}) as object).every((k) => k in call.secrets)).toBe(true);
    }
  });

  it("apply one at a time per root and never cancel an apply; the PR job posts the comment with the plan marker", () => {
    const reusable = byFile("assetctl.yml");
    expect(reusable.jobs["apply"]?.concurrency).toEqual({ group: "assetctl-apply-${{ inputs.working-directory }}", "cancel-in-progress": false });
    const steps = reusable.jobs["apply"]?.steps ?? [];
    const order = steps.map((s) => s.name ?? s.uses?.split("@")[0]);
    // The plan is saved and kept before anything can refuse, and applied only after the review check.
    expect(order.indexOf("Plan at the merged commit")).toBeLessThan(order.indexOf("actions/upload-artifact"));
    expect(order.indexOf("actions/upload-artifact")).toBeLessThan(order.indexOf("Find the reviewed plan"));
    expect(order.indexOf("Find the reviewed plan")).toBeLessThan(order.indexOf("actions/download-artifact"));
    expect(order.indexOf("actions/download-artifact")).toBeLessThan(order.indexOf("Check that this is the approved plan"));
    expect(order.at(-2)).toBe("Check that this is the approved plan");
    expect(order.at(-1)).toBe("Apply the saved plan");
    expect(steps.at(-1)?.run).toMatch(/assetctl apply --dir \. "\$PLAN_DIR\/plan\.json"/);
    const comment = githubScripts(reusable).find((s) => s.job === "comment");
    expect(comment?.script).toContain('"<!-- assetctl-plan -->"');
  });

  it("CI installs from the lockfile, type-checks, lints and tests on Node 20, 22 and 24 with scripts package.json has", () => {
    const ci = byFile("ci.yml");
    const runs = Object.values(ci.jobs).flatMap((j) => (j.steps ?? []).map((s) => s.run).filter(Boolean));
    expect(runs).toEqual(expect.arrayContaining(["npm ci --no-audit --no-fund", "npm run typecheck", "npm run lint", "npm test"]));
    const matrix = (ci.jobs["test"] as unknown as { strategy: { matrix: { node: number[] } } }).strategy.matrix.node;
    expect(matrix).toEqual([20, 22, 24]);
    const scripts = (JSON.parse(readFileSync(path.resolve(import.meta.dirname, "../../package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    for (const run of runs) {
      const script = /^npm run (\S+)/.exec(run as string)?.[1];
      if (script) expect(scripts, run).toHaveProperty([script]);
    }
  });
});

describe("the credentials in the workflows", () => {
  const reusable = byFile("assetctl.yml");
  /** Where each `secrets.…` expression of a job is, as job/step/key. */
  const secretUses = (workflow: Workflow) =>
    Object.entries(workflow.jobs).flatMap(([jobId, job]) => [
      ...[...JSON.stringify({ env: job.env, with: job.with, if: job.if }).matchAll(/secrets\.([\w-]+)/g)].map((m) => `${jobId}/(job)/${m[1]}`),
      ...(job.steps ?? []).flatMap((step) =>
        Object.entries({ ...step.env, ...step.with }).flatMap(([key, value]) => [...String(value).matchAll(/secrets\.([\w-]+)/g)].map((m) => `${jobId}/${step.name ?? step.uses}/${key}=${m[1]}`)),
      ),
    ]);

  it("give the write credential to the apply step alone, in the apply environment; plans get the read-only one on their plan step", () => {
    expect(secretUses(reusable).sort()).toEqual([
      "apply/Apply the saved plan/ASSETCTL_REGISTRY=registry-write",
      "apply/Plan at the merged commit/ASSETCTL_REGISTRY=registry-read",
      "gc-report/Report what gc would delete/ASSETCTL_REGISTRY=registry-read",
      "plan/Plan/ASSETCTL_REGISTRY=registry-read",
    ]);
    expect(reusable.jobs["apply"]?.environment).toBe("assetctl-apply");
    for (const id of ["plan", "comment", "gc-report"]) expect(reusable.jobs[id]?.environment, id).toBeUndefined();
    const call = reusable.on["workflow_call"] as { secrets: Record<string, { required: boolean }> };
    expect(Object.keys(call.secrets).sort()).toEqual(["registry-read", "registry-write"]);
    // No workflow hands every secret on, or reads one elsewhere.
    for (const { file, text } of workflows) expect(text, file).not.toMatch(/secrets:\s*inherit/);
    for (const file of ["assets.yml", "ci.yml"]) expect(secretUses(byFile(file)), file).toEqual([]);
  });

  it("mask every part of a credential before a step that holds one prints anything", () => {
    const holders = Object.values(reusable.jobs).flatMap((job) => (job.steps ?? []).filter((step) => JSON.stringify(step.env ?? {}).includes("secrets.")));
    expect(holders).toHaveLength(4);
    for (const step of holders) expect(step.run?.split("\n")[0], step.name).toMatch(/^node -e .*::add-mask::/);
  });

  it("install an exact assetctl without install scripts, or build the base commit's; never npm-install the pull request", () => {
    const call = reusable.on["workflow_call"] as { inputs: Record<string, { required?: boolean; default?: unknown }> };
    expect(call.inputs["assetctl-version"]).toMatchObject({ required: true });
    expect(call.inputs["assetctl-version"]).not.toHaveProperty("default");
    const npmLines = runScripts(reusable).flatMap(({ where, run }) => run.split("\n").filter((l) => /\bnpm (ci|install|i)\b/.test(l)).map((line) => ({ where, line })));
    expect(npmLines.length).toBeGreaterThan(0);
    for (const { where, line } of npmLines) {
      expect(line, where).toContain("--ignore-scripts");
      // The only npm ci is in the base commit's checkout, moved out of the workspace.
      if (/npm ci/.test(line)) expect(line, where).toMatch(/cd "\$RUNNER_TEMP\/assetctl-tool"/);
    }
    for (const id of ["plan", "apply"]) {
      const steps = reusable.jobs[id]?.steps ?? [];
      const source = steps.find((s) => s.uses?.startsWith("actions/checkout@") && s.with?.["path"] === ".assetctl-tool-source");
      expect(source?.with?.["ref"], id).toBe(id === "plan" ? "${{ github.event.pull_request.base.sha || github.event.merge_group.base_sha }}" : "${{ github.sha }}");
      const install = steps.find((s) => s.name === "Install assetctl");
      expect(install?.env, `${id}: the install step has no environment of its own`).toBeUndefined();
      expect(JSON.stringify(reusable.jobs[id]?.env ?? {}), id).not.toContain("secrets.");
    }
  });

  it("plan in a merge queue, and run the jobs where the caller says", () => {
    expect(byFile("assets.yml").on).toHaveProperty("merge_group");
    expect(reusable.jobs["plan"]?.if).toContain("github.event_name == 'merge_group'");
    for (const job of Object.values(reusable.jobs)) expect(job["runs-on"]).toBe("${{ inputs.runs-on }}");
  });

  it("are kept current by Dependabot, for npm and for the actions", () => {
    const config = parseWorkflow(readFileSync(path.resolve(import.meta.dirname, "../../.github/dependabot.yml"), "utf8")) as unknown as {
      version: number;
      updates: { "package-ecosystem": string; directory: string }[];
    };
    expect(config.version).toBe(2);
    expect(config.updates.map((u) => u["package-ecosystem"]).sort()).toEqual(["github-actions", "npm"]);
  });
});

describe("the workflow init --github writes", () => {
  it("parses, grants least privileges and calls the reusable workflow at this release", () => {
    for (const root of [".", "ml", "teams/vision 2"]) {
      const text = githubWorkflow({ root, branch: "main", version: "1.2.3", commit: COMMIT });
      const workflow = parseWorkflow(text);
      expect(workflow.permissions).toEqual({ contents: "read" });
      const job = workflow.jobs["assetctl"];
      // Pinned to the release's commit, the tag beside it for people (and Dependabot).
      expect(job?.uses).toBe(`assetctl/assetctl/.github/workflows/assetctl.yml@${COMMIT}`);
      expect(usesLines(text)).toEqual([{ ref: `assetctl/assetctl/.github/workflows/assetctl.yml@${COMMIT}`, comment: "v1.2.3" }]);
      expect(job?.permissions).toEqual({ contents: "read", "pull-requests": "write", actions: "read" });
      expect(job?.with).toEqual({ "working-directory": root, "assetctl-version": "1.2.3" });
      expect(job?.secrets).toEqual({ "registry-read": "${{ secrets.ASSETCTL_REGISTRY_READ }}", "registry-write": "${{ secrets.ASSETCTL_REGISTRY_WRITE }}" });
      expect(Object.keys(workflow.on).sort()).toEqual(["merge_group", "pull_request", "push", "schedule", "workflow_dispatch"]);
    }
  });
});
