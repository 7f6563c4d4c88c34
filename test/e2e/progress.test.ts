// Progress end to end: the built CLI on a pseudo-terminal (util-linux `script`) while it hashes a model
// large enough to take over a second. A sparse file: gigabytes to hash, no disk to write them to.
import { spawnSync } from "node:child_process";
import { rmSync, truncateSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cliPath, TempRepo } from "./harness.js";

const MODEL = `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json
name: big-model
path: ./big.bin
`;

/** Several seconds of hashing on most machines: beyond the second after which progress shows. */
const BIG = 2 * 1024 ** 3;

const hasScript = process.platform === "linux" && spawnSync("script", ["--version"]).status === 0;

/** Runs a shell command line on a pseudo-terminal: what the terminal received, and how long it took. */
function onTerminal(repo: TempRepo, commandLine: string): { code: number | null; screen: string; ms: number } {
  const { CI: _ci, ...inherited } = process.env;
  // The digest cache would answer the second run at once: every run hashes.
  rmSync(path.join(repo.root, ".assetctl", "cache"), { recursive: true, force: true });
  const started = performance.now();
  const result = spawnSync("script", ["-qec", commandLine, "/dev/null"], {
    cwd: repo.root,
    env: { ...inherited, NO_COLOR: "1", TERM: "xterm" },
    encoding: "utf8",
  });
  return { code: result.status, screen: result.stdout, ms: performance.now() - started };
}

describe.skipIf(!hasScript)("progress on a terminal", () => {
  let repo: TempRepo;
  afterEach(() => repo.remove());

  it("draws a line while hashing when stderr is a terminal, clears it before the plan, and draws nothing when it is not", () => {
    repo = new TempRepo({ "models/model.yml": MODEL });
    repo.commit("model");
    const big = path.join(repo.root, "models", "big.bin");
    writeFileSync(big, "");
    truncateSync(big, BIG);
    const plan = `'${process.execPath}' '${cliPath}' plan`;

    // stdout stays on the terminal, stderr goes to a file: no progress anywhere.
    const piped = onTerminal(repo, `${plan} 2>stderr.txt`);
    expect(piped.code).toBe(0);
    expect(piped.screen).toContain("+  model:big-model:1");
    expect(piped.screen).not.toContain("Hashing");
    expect(repo.read("stderr.txt")).toBe("");

    const shown = onTerminal(repo, plan);
    // The same plan without the big file: how long the CLI takes besides hashing.
    const small = new TempRepo({ "models/model.yml": MODEL, "models/big.bin": "small" });
    const baseline = onTerminal(small, plan);
    small.remove();
    expect(shown.code).toBe(0);
    // Without the progress line (drawn and erased in place) the terminal shows exactly the plan.
    expect(shown.screen.replace(/\r\u001b\[2K(Hashing[^\r]*)?/g, "")).toBe(piped.screen);
    // A machine that hashes this much within about a second rightly shows nothing: only a slower one must.
    if (shown.ms - baseline.ms > 1400) {
      expect(shown.screen).toMatch(/\r\u001b\[2KHashing {2}[\d.]+ [KMG]iB \/ 2\.0 GiB {2}\d+% {2}[\d.]+ [KMG]iB\/s {2}ETA \d+s/);
    }
  });
});
