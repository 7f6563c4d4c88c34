// Crashes during gc: `gc --apply` on a registry with two old versions of every model is killed with
// SIGKILL at seeded random instants over its duration. After every kill: `verify` passes, every version
// gc keeps (the latest of each model) is live with all its objects, the dead gc's lock does not block the
// next one (run with --lock-timeout 0s), which finishes the job to exactly what one uninterrupted gc
// makes; and `gc --restore` then brings every version and object back, `verify` still clean.
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FsDriver } from "../../src/registry/drivers/fs.js";
import { objectDigestsOf } from "../../src/registry/validate.js";
import { TempRepo, cliPath } from "../e2e/harness.js";
import { cleanEnv, mapLimited, runCli, seededRandom, seedFrom } from "./support.js";

const MODELS = 60;
/** Kills that must land while gc runs; trials stop there, or at MAX_TRIALS. */
const KILLS = 10;
const MAX_TRIALS = 30;
const SCHEMA = "https://azuremlschemas.azureedge.net/latest";

function weights(round: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= MODELS; i++) files[`models/m${i}.bin`] = `${"weights ".repeat(200)}${i} round ${round}`;
  return files;
}

interface State {
  live: Set<string>;
  deleted: Set<string>;
  /** Live versions missing an object. */
  broken: string[];
}

async function stateOf(registry: string): Promise<State> {
  const driver = new FsDriver({ path: registry });
  await driver.open();
  try {
    const live = new Set<string>();
    const deleted = new Set<string>();
    const broken: string[] = [];
    for (const v of (await driver.snapshot()).versions) {
      const address = `${v.record.kind}:${v.record.name}:${v.record.version}`;
      if (v.deleted === true) {
        deleted.add(address);
        continue;
      }
      live.add(address);
      for (const digest of objectDigestsOf(v.record)) if (!(await driver.hasObject(digest))) broken.push(`${address} ${digest}`);
    }
    return { live, deleted, broken };
  } finally {
    await driver.close();
  }
}

/**
 * Starts `gc --apply` and kills it with SIGKILL `afterMs` after it started or, with `afterWrites`, that
 * long after its first journal entry (gc had begun writing). Resolves whether the kill landed.
 */
function gcKilledAfter(cwd: string, registry: string, afterMs: number, afterWrites: boolean): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const journal = path.join(registry, "journal");
    const before = readdirSync(journal).length;
    const child = spawn(process.execPath, [cliPath, "gc", "--apply", "--registry", registry], { cwd, env: cleanEnv(), stdio: "ignore" });
    let killed = false;
    let timer: NodeJS.Timeout | undefined;
    const kill = () => {
      timer = setTimeout(() => {
        killed = child.kill("SIGKILL");
      }, afterMs);
    };
    const poll = afterWrites
      ? setInterval(() => {
          if (readdirSync(journal).length > before) {
            clearInterval(poll);
            kill();
          }
        }, 5)
      : undefined;
    if (!afterWrites) kill();
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      clearInterval(poll);
      resolve(killed && code === null);
    });
  });
}

describe("gc killed at any instant", () => {
  let repo: TempRepo;
  let dirs: string;
  let template: string;
  let reference: State;
  let cleanMs = 0;
  /** How long a dry run takes: start-up, reading the default branch and planning, before any write. */
  let dryMs = 0;

  beforeAll(async () => {
    const manifests: Record<string, string> = {
      "assetctl.yaml": "retention:\n  keep_last: 1\n  keep_within: 0d\n  grace: 0m\n",
    };
    for (let i = 1; i <= MODELS; i++) manifests[`models/m${i}.yml`] = `$schema: ${SCHEMA}/model.schema.json\nname: m${i}\npath: ./m${i}.bin\n`;
    repo = new TempRepo({ ...manifests, ...weights(1) });
    dirs = mkdtempSync(path.join(os.tmpdir(), "assetctl-gc-crash-"));
    template = path.join(dirs, "template");
    for (const round of [1, 2, 3]) {
      repo.write(weights(round));
      repo.commit(`round ${round}`);
      const applied = await runCli(["apply", "--auto-approve", "--registry", template], { cwd: repo.root, timeoutMs: 120_000 });
      expect(applied.code, applied.stderr).toBe(0);
    }
    const clean = path.join(dirs, "clean");
    cpSync(template, clean, { recursive: true });
    const dryStarted = Date.now();
    expect((await runCli(["gc", "--registry", clean], { cwd: repo.root, timeoutMs: 120_000 })).code).toBe(0);
    dryMs = Date.now() - dryStarted;
    const started = Date.now();
    const run = await runCli(["gc", "--apply", "--registry", clean], { cwd: repo.root, timeoutMs: 120_000 });
    cleanMs = Date.now() - started;
    expect(run.code, run.stderr).toBe(0);
    reference = await stateOf(clean);
    expect(reference.live.size).toBe(MODELS);
    expect(reference.deleted.size).toBe(2 * MODELS);
  }, 300_000);

  afterAll(() => {
    repo?.remove();
    if (dirs) rmSync(dirs, { recursive: true, force: true });
  });

  it(`loses nothing in use, stays verifiable, finishes and restores, killed at ${KILLS} or more instants`, async () => {
    const random = seededRandom(seedFrom("ASSETCTL_GC_CRASH_SEED", "gc crash test"));
    console.log(`clean gc --apply of ${2 * MODELS} versions: ${cleanMs} ms (a dry run: ${dryMs} ms)`);
    let landed = 0;
    let midway = 0;
    let trials = 0;
    while (landed < KILLS && trials < MAX_TRIALS) {
      const batch = [trials, trials + 1];
      trials += 2;
      const results = await mapLimited(batch, 2, async (i) => {
        const registry = path.join(dirs, `trial-${i}`);
        cpSync(template, registry, { recursive: true });
        // Most kills land while gc writes (timed from its first journal entry), a few anywhere.
        const afterWrites = random() >= 0.2;
        const instant = Math.round(random() * (afterWrites ? Math.max(cleanMs - dryMs, 100) : cleanMs));
        const killed = await gcKilledAfter(repo.root, registry, instant, afterWrites);
        const where = `trial ${i}, killed ${instant} ms after ${afterWrites ? "its first write" : "it started"} (${killed ? "killed" : "had finished"})`;

        const verify = await runCli(["verify", "--registry", registry], { cwd: repo.root });
        expect(verify.code, `${where}\n${verify.stdout}${verify.stderr}`).toBe(0);
        const left = await stateOf(registry);
        expect(left.broken, where).toEqual([]);
        for (const kept of reference.live) expect(left.live.has(kept), `${where}: ${kept} is kept by every rule`).toBe(true);
        // Killed once gc had begun writing: some deletions (and maybe sweeps) done, the rest not.
        const partial = killed && left.deleted.size > 0;

        const next = await runCli(["gc", "--apply", "--lock-timeout", "0s", "--registry", registry], { cwd: repo.root, timeoutMs: 120_000 });
        expect(next.code, `${where}\n${next.stdout}${next.stderr}`).toBe(0);
        const done = await stateOf(registry);
        expect([...done.deleted].sort(), where).toEqual([...reference.deleted].sort());
        expect(done.broken, where).toEqual([]);

        const restored = await runCli(["gc", "--restore", "--registry", registry], { cwd: repo.root, timeoutMs: 120_000 });
        expect(restored.code, `${where}\n${restored.stderr}`).toBe(0);
        const back = await stateOf(registry);
        expect(back.deleted.size, where).toBe(0);
        expect(back.broken, where).toEqual([]);
        expect((await runCli(["verify", "--registry", registry], { cwd: repo.root })).code, where).toBe(0);
        rmSync(registry, { recursive: true, force: true });
        return { killed, partial };
      });
      landed += results.filter((r) => r.killed).length;
      midway += results.filter((r) => r.partial).length;
    }
    console.log(`${trials} trials: ${landed} kills landed while gc ran, ${midway} after it had begun writing`);
    expect(landed).toBeGreaterThanOrEqual(KILLS);
    // The test means something only if some kills landed once gc was writing.
    expect(midway).toBeGreaterThan(0);
  }, 600_000);
});
