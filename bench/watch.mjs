// Benchmark: watch mode's save-to-printed-change latency over 20 edits, beside the time of running a
// one-shot `assetctl plan` by hand on the same repository.
import { spawn } from "node:child_process";
import { cpSync, rmSync, writeFileSync, mkdtempSync } from "node:fs";
import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { formatMs, median, percentile, printTable, timeProcess } from "./measure.mjs";

export async function benchWatch(projectRoot, edits = 20) {
  const cli = path.join(projectRoot, "dist/cli/bin.js");
  const repo = mkdtempSync(path.join(os.tmpdir(), "assetctl-bench-watch-"));
  cpSync(path.join(projectRoot, "assets"), repo, { recursive: true, filter: (p) => !p.includes(".assetctl") });
  const git = (...args) => execFileSync("git", args, { cwd: repo });
  git("init", "-q", "-b", "main");
  git("config", "user.email", "bench@example.com");
  git("config", "user.name", "bench");
  writeFileSync(path.join(repo, ".gitignore"), ".assetctl/\n");
  git("add", "-A");
  git("commit", "-q", "-m", "assets");

  const oneShot = [];
  for (let i = 0; i < 5; i++) oneShot.push(timeProcess(process.execPath, [cli, "plan"], { cwd: repo }).ms);

  const child = spawn(process.execPath, [cli, "watch", "--json"], { cwd: repo, stdio: ["ignore", "pipe", "inherit"] });
  const waiting = [];
  let buffer = "";
  child.stdout.on("data", (chunk) => {
    buffer += chunk.toString();
    let nl;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      const event = JSON.parse(buffer.slice(0, nl));
      buffer = buffer.slice(nl + 1);
      const w = waiting.shift();
      if (w && (event.type === "plan" || event.type === "changed" || event.type === "invalid")) w(event);
      else if (w) waiting.unshift(w);
    }
  });
  const next = () => new Promise((resolve) => waiting.push(resolve));
  try {
    await next(); // the initial plan
    const latencies = [];
    for (let i = 0; i < edits; i++) {
      const pending = next();
      const start = performance.now();
      writeFileSync(path.join(repo, "models/regressor.pkl"), `retrained weights, run ${i}\n`);
      await pending;
      latencies.push(performance.now() - start);
      await new Promise((r) => setTimeout(r, 100)); // let the watcher settle between edits
    }
    const p95 = percentile(latencies, 95);
    printTable(`watch: save to printed change (${edits} edits, example assets)`, [
      {
        measure: "p95 latency",
        value: formatMs(p95),
        baseline: `${formatMs(median(oneShot))} (one-shot plan, median of 5)`,
        ratio: `${(median(oneShot) / p95).toFixed(1)}× sooner`,
        target: "< 200 ms",
        met: p95 < 200,
      },
      { measure: "median latency", value: formatMs(median(latencies)) },
    ]);
  } finally {
    child.kill("SIGINT");
    await new Promise((r) => child.on("close", r));
    rmSync(repo, { recursive: true, force: true });
  }
}
