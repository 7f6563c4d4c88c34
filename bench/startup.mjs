// Benchmark: start-up. `assetctl --version` and a no-change plan of 1,000 assets that reuses the plan
// apply kept, each beside `node -e 0` measured in the same rounds (interleaved, median of 7), so that a
// busy machine slows both sides alike.
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { makeRepo } from "./core-loop.mjs";
import { formatMs, median, printTable, timeProcess } from "./measure.mjs";

export async function benchStartup(projectRoot, count = 1000, rounds = 7) {
  // The executable as installed: package.json's `bin`.
  const pkg = JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8"));
  const cli = path.join(projectRoot, pkg.bin.assetctl);
  const repo = makeRepo(count);
  const node = (...args) => timeProcess(process.execPath, args, { cwd: repo, okCodes: [0, 2] });
  try {
    node(cli, "apply", "--auto-approve");
    const first = node(cli, "plan");
    if (!first.stdout.includes("No changes.")) throw new Error(`expected no changes:\n${first.stdout.slice(-400)}`);
    const times = { node: [], version: [], plan: [] };
    // One warm-up round (the compile cache, where the runtime has one, is filled by the first runs).
    for (let i = 0; i <= rounds; i++) {
      const n = node("-e", "0").ms;
      const v = node(cli, "--version").ms;
      const p = node(cli, "plan");
      if (!p.stdout.includes("No changes.")) throw new Error(`expected no changes:\n${p.stdout.slice(-400)}`);
      if (i === 0) continue;
      times.node.push(n);
      times.version.push(v);
      times.plan.push(p.ms);
    }
    const base = median(times.node);
    const row = (measure, values, target) => {
      const ratio = median(values) / base;
      return {
        measure,
        value: formatMs(median(values)),
        baseline: `${formatMs(base)} (node -e 0)`,
        ratio: `${ratio.toFixed(2)}×`,
        target: `≤ ${target}×`,
        met: ratio <= target,
      };
    };
    printTable(`start-up (median of ${rounds}, node ${process.version}${process.versions.node >= "22.1" ? ", compile cache" : ""})`, [
      row("assetctl --version", times.version, 1.15),
      row(`no-change plan of ${count} assets (reused plan)`, times.plan, 1.4),
    ]);
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}
