// Benchmark: lineage queries on 10,000 assets (100 environments, components using them by @latest):
// `impact` of a conda file (manifests only, warm manifest cache) and `dependents` of an environment
// (registry only), each beside `node -e 0` measured in the same run.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { initRepo } from "./core-loop.mjs";
import { formatMs, median, printTable, timeProcess } from "./measure.mjs";

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

export async function benchLineage(projectRoot, count = 10_000) {
  const cli = path.join(projectRoot, "dist/cli/bin.js");
  const repo = makeLineageRepo(count);
  const run = (...args) => timeProcess(process.execPath, [cli, ...args], { cwd: repo });
  try {
    const apply = timeProcess(process.execPath, [cli, "apply", "--auto-approve"], { cwd: repo });
    run("impact", "envs/e0/conda.yml"); // fills the manifest cache
    const node = [];
    const impact = [];
    const dependents = [];
    for (let i = 0; i < 7; i++) {
      node.push(timeProcess(process.execPath, ["-e", "0"]).ms);
      impact.push(run("impact", "envs/e0/conda.yml", "--json").ms);
      dependents.push(run("dependents", "environment:env-0", "--json").ms);
    }
    const base = median(node);
    const row = (measure, values) => ({
      measure,
      value: formatMs(median(values)),
      baseline: `${formatMs(base)} (node -e 0)`,
      ratio: `${(median(values) / base).toFixed(2)}×`,
      target: "≤ 200 ms",
      met: median(values) <= 200,
    });
    printTable(`lineage of ${count.toLocaleString("en")} assets (median of 7)`, [
      { measure: `apply ${count} new assets (for reference)`, value: formatMs(apply.ms) },
      row("impact of one conda file, warm manifest cache", impact),
      row("dependents of one environment", dependents),
    ]);
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}
