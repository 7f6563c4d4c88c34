// Timing helpers for the benchmarks: wall time of a function or a process, and a printed table.
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";

export async function time(fn) {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/** Runs a command to completion and returns its wall time; throws when it fails. */
export function timeProcess(command, args, options = {}) {
  const start = performance.now();
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, ...options });
  const ms = performance.now() - start;
  const ok = options.okCodes ?? [0];
  if (!ok.includes(result.status ?? -1)) {
    throw new Error(`${command} ${args.join(" ")} exited ${result.status}: ${result.stderr?.slice(0, 2000)}`);
  }
  return { ms, stdout: result.stdout, stderr: result.stderr };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export function formatMs(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
}

export function printTable(title, rows) {
  const header = ["measure", "assetctl", "baseline", "ratio", "target", "met"];
  const all = [header, ...rows.map((r) => [r.measure, r.value, r.baseline ?? "—", r.ratio ?? "—", r.target ?? "—", r.met === undefined ? "—" : r.met ? "yes" : "NO"])];
  const widths = header.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  console.log(`\n## ${title}\n`);
  for (const [i, row] of all.entries()) {
    console.log(row.map((c, j) => String(c).padEnd(widths[j])).join("  "));
    if (i === 0) console.log(widths.map((w) => "-".repeat(w)).join("  "));
  }
}

/** Medians of `node -e 0`, measured in the same run as what it is the baseline of. */
export function nodeBaseline() {
  return timeProcess(process.execPath, ["-e", "0"]).ms;
}

/** A table row: the median of `values` beside the median of `baseline` (`node -e 0`), against a target in ms. */
export function baselineRow(measure, values, baseline, targetMs) {
  const value = median(values);
  const base = median(baseline);
  return {
    measure,
    value: formatMs(value),
    baseline: `${formatMs(base)} (node -e 0)`,
    ratio: `${(value / base).toFixed(2)}×`,
    target: `≤ ${formatMs(targetMs)}`,
    met: value <= targetMs,
  };
}
