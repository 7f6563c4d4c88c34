// What the CLI prints in everyday use, end to end on the built CLI: the markdown plan's header, --quiet
// for scripts, and the events of watch --json checked against their published schema.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import { afterEach, describe, expect, it } from "vitest";
import { cliPath, projectRoot, TempRepo } from "./harness.js";

const MODEL = `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json
name: churn-model
description: First model.
path: ./model.pkl
`;

describe("the markdown plan", () => {
  let repo: TempRepo;
  afterEach(() => repo.remove());

  it("names the root and the registry's absolute location in its header, as the text plan does", async () => {
    repo = new TempRepo({ "ml/assetctl.yaml": "exclude: []\n", "ml/models/model.yml": MODEL, "ml/models/model.pkl": "weights" });
    repo.commit("a model");
    const root = path.join(repo.root, "ml");
    const md = await repo.run(["plan", "--format", "markdown"], { cwd: path.join(root, "models") });
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/^<sub>Registry `(.+)` at serial 0; manifests from `[0-9a-f]{12}`, root `(.+)`\.<\/sub>$/m);
    expect(md.stdout).toContain(`<sub>Registry \`${path.join(root, ".assetctl/registry")}\` at serial 0;`);
    expect(md.stdout).toContain(`, root \`${root}\`.</sub>`);
  });
});

// The quoted description's second line is not indented past its key: Azure ML reads it, and plan warns.
const WARNED_MODEL = `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json
name: churn-model
description: "First
model."
path: ./model.pkl
`;

describe("--quiet (-q)", () => {
  let repo: TempRepo;
  afterEach(() => repo.remove());

  it("plan prints the change lines and the summary; warnings without their source line or hint; no header, details or what to run next", async () => {
    repo = new TempRepo({ "models/model.yml": WARNED_MODEL, "models/model.pkl": "weights" });
    repo.commit("a model");
    const loud = await repo.run(["plan", "--out", "plan.json"]);
    expect(loud.stdout).toContain("Registry ");
    expect(loud.stderr).toContain("hint:");

    const quiet = await repo.run(["plan", "-q", "--out", "plan.json"]);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe("+  model:churn-model:1  new asset; 7 B to upload\nPlan: 1 new asset, 0 new versions, 0 updates, 0 conflicts, 0 unchanged.\n");
    expect(quiet.stderr).toBe("models/model.yml:3:14: warning the continuation lines of this quoted string are not indented past its key [yaml-quote-indent]\n");
    // The global flag goes before the command too, and reads the same as --quiet.
    expect((await repo.run(["-q", "plan"])).stdout).toBe(quiet.stdout);
    expect((await repo.run(["plan", "--quiet"])).stdout).toBe(quiet.stdout);
  });

  it("apply prints what it plans and what it wrote, and validate its summary; errors are always printed whole", async () => {
    repo = new TempRepo({ "models/model.yml": MODEL, "models/model.pkl": "weights" });
    repo.commit("a model");
    const apply = await repo.run(["apply", "-q", "--auto-approve"]);
    expect(apply.code).toBe(0);
    expect(apply.stdout).toBe(
      [
        "+  model:churn-model:1  new asset; 7 B to upload",
        "Plan: 1 new asset, 0 new versions, 0 updates, 0 conflicts, 0 unchanged.",
        "  created model:churn-model:1 (7 B)",
        "Apply complete: 1 version created, 0 updated, 0 archived; 1 object stored (7 B).",
        "",
      ].join("\n"),
    );
    expect(apply.stderr).toBe("");
    expect((await repo.run(["validate", "-q"])).stdout).toBe("1 manifest valid.\n");

    repo.write({ "models/model.yml": MODEL.replace("path:", "pathh:") });
    const broken = await repo.run(["plan", "-q"]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe("");
    expect(broken.stderr).toContain("models/model.yml:4:1: error");
    expect(broken.stderr).toContain("4 | pathh: ./model.pkl");
    expect(broken.stderr).toContain("hint:");
    const unknown = await repo.run(["show", "-q", "model:nothing"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("error");
  });

  it("is in the help of every command and in the completions", async () => {
    repo = new TempRepo({});
    for (const command of ["plan", "apply", "list", "watch"]) expect((await repo.run([command, "--help"])).stdout).toMatch(/-q, --quiet\s+print only the result and errors/);
    expect((await repo.run(["--help"])).stdout).toContain("--quiet");
    expect((await repo.run(["completion", "bash"])).stdout).toContain("--quiet");
  });
});

/** The validator of schemas/output/watch-event.schema.json, with the plan schema it refers to. */
function watchEventValidator(): (event: unknown) => unknown {
  const ajv = new Ajv({ allErrors: true });
  for (const file of ["plan", "diff", "watch-event"]) ajv.addSchema(JSON.parse(readFileSync(path.join(projectRoot, "schemas/output", `${file}.schema.json`), "utf8")) as object);
  const validate = ajv.getSchema("https://assetctl.dev/schemas/output/watch-event.schema.json");
  if (!validate) throw new Error("no watch-event schema");
  return (event) => (validate(event) ? null : validate.errors);
}

interface WatchEvent {
  type: string;
  files?: string[];
}

/** `watch --json` as a script reads it: every line parsed, waited for by what it says (bounded), then stopped. */
function watchJson(repo: TempRepo, ...extra: string[]) {
  const child = spawn(process.execPath, [cliPath, "watch", "--json", ...extra], { cwd: repo.root, env: { ...process.env, NO_COLOR: "1" } });
  const lines: string[] = [];
  let waiters: { test: (e: WatchEvent) => boolean; resolve: () => void }[] = [];
  let buffer = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      const event = JSON.parse(line) as WatchEvent;
      waiters = waiters.filter((w) => (w.test(event) ? (w.resolve(), false) : true));
    }
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? -1)));
  return {
    lines,
    next: (test: (e: WatchEvent) => boolean, what: string) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${what} event; seen: ${lines.join("\n")}; stderr: ${stderr}`)), 20_000);
        waiters.push({ test, resolve: () => (clearTimeout(timer), resolve()) });
      }),
    stop: async () => {
      child.kill("SIGINT");
      return exit;
    },
  };
}

describe("watch --json", () => {
  let repo: TempRepo;
  afterEach(() => repo.remove());

  it("prints events that each validate against schemas/output/watch-event.schema.json: ready, plan, changed, invalid, applied", async () => {
    repo = new TempRepo({ "models/model.yml": MODEL, "models/model.pkl": "weights v1" });
    repo.commit("a model");
    const validate = watchEventValidator();

    const watch = watchJson(repo);
    await watch.next((e) => e.type === "plan", "first plan");
    writeFileSync(path.join(repo.root, "models/model.pkl"), "weights v2");
    await watch.next((e) => e.type === "changed", "edit");
    repo.write({ "models/model.yml": MODEL.replace("path:", "pathh:") });
    await watch.next((e) => e.type === "invalid", "invalid manifest");
    repo.write({ "models/model.yml": MODEL });
    await watch.next((e) => e.type === "changed" && (e.files ?? []).includes("models/model.yml"), "fixed");
    expect(await watch.stop()).toBe(0);

    const applying = watchJson(repo, "--apply");
    await applying.next((e) => e.type === "applied", "apply");
    expect(await applying.stop()).toBe(0);

    const events = [...watch.lines, ...applying.lines].map((line) => JSON.parse(line) as WatchEvent);
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(["ready", "plan", "changed", "invalid", "applied"]));
    for (const event of events) expect(validate(event), JSON.stringify(event).slice(0, 300)).toBeNull();
  });
});
