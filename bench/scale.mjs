// Benchmark: a no-change plan of 10,000 assets with a warm digest cache, beside the same plan with the
// cache removed (every artifact hashed again), in the same run.
import { rmSync } from "node:fs";
import path from "node:path";
import { makeRepo } from "./core-loop.mjs";
import { formatMs, median, printTable, timeProcess } from "./measure.mjs";

export async function benchScale(projectRoot, count = 10_000) {
  const cli = path.join(projectRoot, "dist/cli/bin.js");
  const repo = makeRepo(count);
  const run = (...args) => timeProcess(process.execPath, [cli, ...args], { cwd: repo, okCodes: [0, 2] });
  try {
    const apply = run("apply", "--auto-approve");
    const warm = [];
    for (let i = 0; i < 3; i++) {
      const r = run("plan");
      if (!r.stdout.includes("No changes.")) throw new Error(`expected no changes:\n${r.stdout.slice(-400)}`);
      warm.push(r.ms);
    }
    // Without the plan apply kept: manifests and digests from their caches, every file stat'ed.
    rmSync(path.join(repo, ".assetctl", "cache", "plan.json"), { force: true });
    const full = run("plan");
    rmSync(path.join(repo, ".assetctl", "cache"), { recursive: true, force: true });
    const cold = run("plan");
    printTable(`${count.toLocaleString("en")} assets on the embedded registry`, [
      { measure: `apply ${count} new assets (for reference)`, value: formatMs(apply.ms) },
      {
        measure: "no-change plan, warm cache (median of 3; reuses the plan apply kept)",
        value: formatMs(median(warm)),
        baseline: `${formatMs(cold.ms)} (cache removed)`,
        ratio: `${(cold.ms / median(warm)).toFixed(1)}× faster`,
        target: "< 1 s",
        met: median(warm) < 1000,
      },
      {
        measure: "no-change plan, kept plan removed (files re-read)",
        value: formatMs(full.ms),
        baseline: `${formatMs(cold.ms)} (cache removed)`,
        ratio: `${(cold.ms / full.ms).toFixed(1)}× faster`,
        target: "< 1 s",
        met: full.ms < 1000,
      },
    ]);
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}
