// Watch mode end to end: the built CLI with a real watcher on a real temporary repository, driven by
// real file operations. Each step waits for the event it expects (bounded), never for a fixed time.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { cliPath, TempRepo } from "./harness.js";

interface Event {
  type: string;
  files?: string[];
  message?: string;
  plan?: { summary: Record<string, number>; changes: { address: string; action: string }[] };
  added?: { address: string; action: string }[];
  removed?: string[];
}

const MODEL = (description: string, file = "./model.pkl") => `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json
name: churn-model
description: ${description}
path: ${file}
`;

class Watcher {
  private readonly events: Event[] = [];
  private waiters: { test: (e: Event) => boolean; resolve: (e: Event) => void }[] = [];
  private stderr = "";
  private readonly exit: Promise<number>;

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    let buffer = "";
    child.stdout.on("data", (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim() === "") continue;
        const event = JSON.parse(line) as Event;
        this.events.push(event);
        this.waiters = this.waiters.filter((w) => (w.test(event) ? (w.resolve(event), false) : true));
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exit = new Promise((resolve) => child.on("close", (code) => resolve(code ?? -1)));
  }

  /** Resolves with the first event from now on that passes `test`; fails after a generous bound. */
  next(test: (e: Event) => boolean, what: string): Promise<Event> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} event; seen: ${JSON.stringify(this.events.map((e) => e.type))}; stderr: ${this.stderr}`)), 20_000);
      this.waiters.push({ test, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });
  }

  async stop(): Promise<number> {
    this.child.kill("SIGINT");
    return this.exit;
  }
}

describe("assetctl watch", () => {
  let repo: TempRepo;
  let watcher: Watcher | undefined;

  beforeEach(() => {
    repo = new TempRepo({ "models/model.yml": MODEL("First."), "models/model.pkl": "weights v1" });
    repo.commit("initial");
  });
  afterEach(async () => {
    if (watcher) await watcher.stop();
    watcher = undefined;
    repo.remove();
  });

  async function start(...extra: string[]): Promise<Watcher> {
    const child = spawn(process.execPath, [cliPath, "watch", "--json", ...extra], { cwd: repo.root, env: { ...process.env, NO_COLOR: "1" } });
    watcher = new Watcher(child);
    const first = await watcher.next((e) => e.type === "plan", "initial plan");
    expect(first.plan?.changes.map((c) => [c.action, c.address])).toEqual([["create", "model:churn-model:1"]]);
    return watcher;
  }

  it("re-plans after an edit, an atomic save, a new manifest and a deleted artifact", async () => {
    const w = await start();

    writeFileSync(path.join(repo.root, "models/model.pkl"), "weights v2");
    // The registry is empty, so the change is the same create with another digest.
    const edit = await w.next((e) => e.type === "changed" && (e.files ?? []).includes("models/model.pkl"), "artifact edit");
    expect(edit.added?.map((c) => c.address)).toEqual(["model:churn-model:1"]);

    // Editors write a temporary file and rename it over the manifest.
    const tmp = path.join(repo.root, "models/.model.yml.swp");
    writeFileSync(tmp, MODEL("Saved atomically."));
    renameSync(tmp, path.join(repo.root, "models/model.yml"));
    const atomic = await w.next((e) => e.type === "changed" && (e.files ?? []).includes("models/model.yml"), "atomic save");
    expect(atomic.plan?.summary).toMatchObject({ create: 1 });

    repo.write({ "data/data.yml": "$schema: https://azuremlschemas.azureedge.net/latest/data.schema.json\nname: sales\ntype: uri_file\npath: ./sales.csv\n", "data/sales.csv": "a,b\n1,2\n" });
    const added = await w.next((e) => e.type === "changed" && (e.plan?.changes.some((c) => c.address === "data:sales:1") ?? false), "new manifest");
    expect(added.added?.map((c) => c.address)).toContain("data:sales:1");

    rmSync(path.join(repo.root, "data/sales.csv"));
    const invalid = await w.next((e) => e.type === "invalid", "deleted artifact");
    expect(invalid.message).toContain("path-missing");
  });

  it("shows a located error for an invalid manifest, keeps watching, and recovers when it is fixed", async () => {
    const w = await start();
    repo.write({ "models/model.yml": MODEL("Broken.").replace("path:", "pathh:") });
    const invalid = await w.next((e) => e.type === "invalid", "invalid manifest");
    expect(invalid.message).toContain("models/model.yml");
    expect(invalid.message).toContain("schema-unknown-key");
    // For scripts, the diagnostics as objects, not a string to parse.
    expect((invalid as { diagnostics?: unknown[] }).diagnostics).toContainEqual(expect.objectContaining({ code: "schema-unknown-key", file: "models/model.yml", severity: "error" }));

    repo.write({ "models/model.yml": MODEL("Fixed.") });
    const fixed = await w.next((e) => e.type === "changed" || e.type === "plan", "recovery");
    expect(fixed.plan?.changes.map((c) => c.address)).toEqual(["model:churn-model:1"]);
  });

  it("applies each settled change with --apply and exits cleanly on Ctrl-C", async () => {
    const child = spawn(process.execPath, [cliPath, "watch", "--json", "--apply"], { cwd: repo.root, env: { ...process.env, NO_COLOR: "1" } });
    const w = new Watcher(child);
    watcher = undefined;
    await w.next((e) => e.type === "applied", "first apply");
    writeFileSync(path.join(repo.root, "models/model.pkl"), "weights v2");
    const second = await w.next((e) => e.type === "applied", "second apply");
    expect(second.message).toContain("1 created");
    expect(await w.stop()).toBe(0);
    const list = await repo.run(["history", "model:churn-model", "--json"]);
    expect((JSON.parse(list.stdout) as { versions: unknown[] }).versions).toHaveLength(2);
  });

  it("runs one re-plan for a burst of a thousand file events", async () => {
    repo.write({ "models/model.yml": MODEL("Folder model.", "./weights") });
    for (let i = 0; i < 10; i++) repo.write({ [`models/weights/shard-${i}.bin`]: `shard ${i}` });
    repo.commit("folder model");
    // A wider debounce window than the default, so that the whole burst settles before the re-plan.
    const w = await start("--debounce", "400");
    const files: Record<string, string> = {};
    for (let i = 0; i < 1000; i++) files[`models/weights/new-${i}.bin`] = `new shard ${i}`;
    repo.write(files);
    const burst = await w.next((e) => e.type === "changed", "burst");
    expect(burst.files?.length).toBe(1000);
    expect(burst.added?.map((c) => c.address)).toEqual(["model:churn-model:1"]);
  });
});
