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

/**
 * Watch latency as a user sees it, from outside: a file of a 200-asset repository is written and closed,
 * and the time runs until the first byte the watching process prints after it. p95 over 50 edits.
 */
export async function benchWatchLatency(projectRoot, count = 200, edits = 50) {
  const { makeRepo } = await import("./core-loop.mjs");
  const cli = path.join(projectRoot, "dist/cli/bin.js");
  const repo = makeRepo(count);
  const child = spawn(process.execPath, [cli, "watch"], { cwd: repo, stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, NO_COLOR: "1" } });
  let waiting;
  let printed = "";
  child.stdout.on("data", (chunk) => {
    const at = performance.now();
    printed += chunk.toString();
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(at);
    }
  });
  const firstByte = () => new Promise((resolve) => (waiting = resolve));
  try {
    // Started when the initial plan is printed in full (its summary line).
    while (!/new versions?|No changes/.test(printed)) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    const latencies = [];
    for (let i = 0; i < edits; i++) {
      const file = path.join(repo, "models", `m${String(i % count).padStart(4, "0")}`, "model.pkl");
      const pending = firstByte();
      const start = performance.now();
      writeFileSync(file, `retrained weights, run ${i}\n`);
      latencies.push((await pending) - start);
      // Let the whole plan print and the watcher settle before the next save.
      await new Promise((r) => setTimeout(r, 250));
    }
    const p95 = percentile(latencies, 95);
    printTable(`watch latency from outside: file closed to first byte printed (${edits} edits, ${count} assets)`, [
      { measure: "p95 latency", value: formatMs(p95), target: "≤ 100 ms", met: p95 <= 100 },
      { measure: "median latency", value: formatMs(median(latencies)) },
    ]);
  } finally {
    child.kill("SIGINT");
    await new Promise((r) => child.on("close", r));
    rmSync(repo, { recursive: true, force: true });
  }
}
