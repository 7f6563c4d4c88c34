// Benchmark: an Azure ML workspace as the registry, through the built CLI, against the control-plane
// stand-in with 20 ms added to every request (Azurite for storage), beside the embedded registry in the
// same run: apply of 200 new versions, and a no-change plan of a workspace holding 5,000 versions, cold
// (no kept plan) and reused (the kept plan of unchanged inputs, checked by the state token).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import os from "node:os";
import path from "node:path";
import { makeRepo } from "./core-loop.mjs";
import { formatMs, median, printTable, timeProcess } from "./measure.mjs";

const LATENCY_MS = 20;

function readEnv(file) {
  return Object.fromEntries(
    readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.startsWith("export "))
      .map((l) => l.slice("export ".length).split(/=(.*)/s).slice(0, 2)),
  );
}

export async function benchAzure(projectRoot, { applyCount = 200, planCount = 5000 } = {}) {
  const cli = path.join(projectRoot, "dist/cli/bin.js");
  const script = path.join(projectRoot, "scripts/azure-local.mjs");
  const dir = mkdtempSync(path.join(os.tmpdir(), "assetctl-bench-azure-"));
  execFileSync(process.execPath, [script, "start", dir], { stdio: "ignore" });
  const repos = [];
  try {
    const env = readEnv(path.join(dir, "env"));
    // A fresh connection each time: the bench's own event loop sleeps while the CLI runs (spawnSync).
    const latency = (ms) =>
      new Promise((resolve, reject) => {
        const req = request(`${env.ASSETCTL_AZUREML_ENDPOINT}/_standin/latency?ms=${ms}`, { method: "POST", agent: false, headers: { authorization: `Bearer ${env.ASSETCTL_AZUREML_ACCESS_TOKEN}` } }, (res) => {
          res.resume();
          res.on("end", () => (res.statusCode === 204 ? resolve() : reject(new Error(`latency: HTTP ${res.statusCode}`))));
        });
        req.on("error", reject);
        req.end();
      });
    const workspace = (name) => env.ASSETCTL_REGISTRY.replace(/workspaces\/.*$/, `workspaces/${name}`);
    const run = (repo, registry, ...args) =>
      timeProcess(process.execPath, [cli, ...args, "--registry", registry], { cwd: repo, okCodes: [0, 2], env: { ...process.env, ...env, NO_COLOR: "1" } });
    const cold = (repo, registry) => {
      rmSync(path.join(repo, ".assetctl", "cache"), { recursive: true, force: true });
      return run(repo, registry, "plan");
    };
    const noChange = (result) => {
      if (!result.stdout.includes("No changes.")) throw new Error(`no-change plan found changes:\n${result.stdout.slice(-500)}`);
      return result;
    };

    const small = makeRepo(applyCount);
    const large = makeRepo(planCount);
    repos.push(small, large);
    await latency(LATENCY_MS);
    const azureApply = run(small, workspace("bench-small"), "apply", "--auto-approve");
    const embeddedApply = run(small, ".assetctl/embedded", "apply", "--auto-approve");
    // The 5,000 versions are set up without the added latency; only the plans are measured.
    await latency(0);
    run(large, workspace("bench-large"), "apply", "--auto-approve");
    run(large, ".assetctl/embedded", "apply", "--auto-approve");
    await latency(LATENCY_MS);
    const azureCold = median([1, 2, 3].map(() => noChange(cold(large, workspace("bench-large"))).ms));
    const azureReused = median([1, 2, 3].map(() => noChange(run(large, workspace("bench-large"), "plan")).ms));
    const embeddedCold = median([1, 2, 3].map(() => noChange(cold(large, ".assetctl/embedded")).ms));
    const embeddedReused = median([1, 2, 3].map(() => noChange(run(large, ".assetctl/embedded", "plan")).ms));
    const row = (measure, mine, embedded, target) => ({
      measure,
      value: formatMs(mine),
      target,
      baseline: `${formatMs(embedded)} (embedded)`,
    });
    printTable(`Azure ML workspace (stand-in + ${LATENCY_MS} ms per request, Azurite) vs the embedded registry, through the CLI`, [
      row(`apply ${applyCount} new versions`, azureApply.ms, embeddedApply.ms, "≤ 15 s"),
      row(`no-change plan, ${planCount} versions, cold (median of 3)`, azureCold, embeddedCold, "≤ 5 s"),
      row(`no-change plan, ${planCount} versions, reused (median of 3)`, azureReused, embeddedReused, "≤ 1 s"),
    ]);
  } finally {
    for (const repo of repos) rmSync(repo, { recursive: true, force: true });
    execFileSync(process.execPath, [script, "stop", dir], { stdio: "ignore" });
    rmSync(dir, { recursive: true, force: true });
  }
}
