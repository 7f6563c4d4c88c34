// Benchmark: lineage queries on 10,000 assets (100 environments, components using them by @latest):
// `impact` of a conda file (manifests only, warm manifest cache) and `dependents` of an environment
// (registry only), one-shot and answered by a running `assetctl watch` (the resident query socket), each
// beside `node -e 0` measured in the same run; and the floor of the design not taken (an index on disk
// checked by an lstat walk).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { initRepo } from "./core-loop.mjs";
import { baselineRow, formatMs, nodeBaseline, printTable, timeProcess } from "./measure.mjs";

export function makeLineageRepo(count, environments = 100) {
  const { root, git } = initRepo("assetctl-bench-lineage-");
  for (let e = 0; e < environments; e++) {
    const dir = path.join(root, "envs", `e${e}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "conda.yml"), `name: e${e}\ndependencies:\n  - python=3.11\n`);
    writeFileSync(
      path.join(dir, "env.yml"),
      `$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: env-${e}\nimage: python:3.11-slim\nconda_file: ./conda.yml\n`,
    );
  }
  for (let i = 0; i < count - environments; i++) {
    const dir = path.join(root, "components", `c${i}`);
    mkdirSync(path.join(dir, "src"), { recursive: true });
    writeFileSync(path.join(dir, "src", "main.py"), `print(${i})\n`);
    writeFileSync(
      path.join(dir, "component.yml"),
      `$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json\nname: step_${i}\ntype: command\ncode: ./src\nenvironment: azureml:env-${i % environments}@latest\ncommand: python main.py\n`,
    );
  }
  git("add", "-A");
  git("commit", "-q", "-m", "assets");
  return root;
}

/** Starts `assetctl watch` in `repo` and resolves once its query socket is up and its first plan is out. */
async function startWatch(cli, repo) {
  const child = spawn(process.execPath, [cli, "watch", "--json"], { cwd: repo, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d.toString()));
  const socket = path.join(repo, ".assetctl", "run", "query.sock");
  for (let i = 0; i < 1200 && !(existsSync(socket) && out.includes('"type":"plan"')); i++) await sleep(100);
  if (!existsSync(socket)) throw new Error("watch served no query socket");
  return async () => {
    child.kill("SIGINT");
    await once(child, "close");
  };
}

/** Every folder of `dir` but .git and .assetctl: what design B would keep in its index to check. */
function foldersOf(dir, out = []) {
  out.push(dir);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name !== ".git" && entry.name !== ".assetctl") foldersOf(path.join(dir, entry.name), out);
  }
  return out;
}

export async function benchLineage(projectRoot, count = 10_000) {
  const cli = path.join(projectRoot, "dist/cli/bin.js");
  const repo = makeLineageRepo(count);
  const run = (...args) => timeProcess(process.execPath, [cli, ...args], { cwd: repo });
  try {
    const apply = timeProcess(process.execPath, [cli, "apply", "--auto-approve"], { cwd: repo });
    run("impact", "envs/e0/conda.yml"); // fills the manifest cache
    run("dependents", "environment:env-0"); // fills the lineage cache
    const node = [];
    const impact = [];
    const dependents = [];
    const outputs = { impact: run("impact", "envs/e0/conda.yml", "--json").stdout, dependents: run("dependents", "environment:env-0", "--json").stdout };
    for (let i = 0; i < 7; i++) {
      node.push(nodeBaseline());
      impact.push(run("impact", "envs/e0/conda.yml", "--json").ms);
      dependents.push(run("dependents", "environment:env-0", "--json").ms);
    }
    // Design B (not taken): a one-shot impact that trusts an index on disk once no folder changed (a
    // folder's mtime moves when an entry comes or goes). Its floor is the check alone: an lstat of every
    // folder, listed beforehand, in a process of its own.
    const list = path.join(repo, ".assetctl", "folders.json");
    writeFileSync(list, JSON.stringify(foldersOf(repo)));
    const lstatAll = `const fs=require("node:fs");for(const d of JSON.parse(fs.readFileSync(${JSON.stringify(list)},"utf8")))fs.lstatSync(d);`;
    const walk = [];
    for (let i = 0; i < 7; i++) walk.push(timeProcess(process.execPath, ["-e", lstatAll]).ms);

    // Design A: the resident answer, while `assetctl watch` runs for the same root.
    const stop = await startWatch(cli, repo);
    const warmNode = [];
    const warmImpact = [];
    const warmDependents = [];
    let same = true;
    try {
      same = run("impact", "envs/e0/conda.yml", "--json").stdout === outputs.impact && run("dependents", "environment:env-0", "--json").stdout === outputs.dependents;
      for (let i = 0; i < 7; i++) {
        warmNode.push(nodeBaseline());
        warmImpact.push(run("impact", "envs/e0/conda.yml", "--json").ms);
        warmDependents.push(run("dependents", "environment:env-0", "--json").ms);
      }
    } finally {
      await stop();
    }
    printTable(`lineage of ${count.toLocaleString("en")} assets (median of 7)`, [
      { measure: `apply ${count} new assets (for reference)`, value: formatMs(apply.ms) },
      baselineRow("impact of one conda file, one-shot, warm manifest cache", impact, node, 200),
      baselineRow("dependents of one environment, one-shot, warm lineage cache", dependents, node, 200),
      baselineRow("design B floor: lstat of every folder, no answer yet", walk, node, 200),
      baselineRow("impact, answered by a running `assetctl watch`", warmImpact, warmNode, 200),
      baselineRow("dependents, answered by a running `assetctl watch`", warmDependents, warmNode, 200),
      { measure: "resident output byte-for-byte the one-shot output", value: same ? "yes" : "NO" },
    ]);
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}
