// Crashes: an apply of a few hundred assets is killed with SIGKILL at random instants spread over its
// duration (seeded; the seed is printed). After every kill: `verify` passes, every version `list`
// shows is whole and is the version a clean apply makes, the dead apply's lock does not block the next
// one (which runs with --lock-timeout 0s: no force-unlock, no waiting for expiry), and that next apply
// converges to exactly the registry one uninterrupted apply of the same commit makes.
//
// Each kill gets a fresh registry directory (`--registry`), so every trial kills a first apply at its
// own instant; two trials run at a time to bound the file's duration.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FsDriver } from "../../src/registry/drivers/fs.js";
import { TempRepo, cliPath } from "../e2e/harness.js";
import { cleanEnv, runCli, seededRandom, seedFrom } from "./support.js";

const MODELS = 160;
const ENVIRONMENTS = 40;
const COMPONENTS = 40;
/** Kills that must land while an apply runs; trials stop there, or at MAX_TRIALS. */
const KILLS = 30;
const MAX_TRIALS = 60;
const SCHEMA = "https://azuremlschemas.azureedge.net/latest";

function repositoryFiles(): Record<string, string | Buffer> {
  const files: Record<string, string | Buffer> = {};
  for (let i = 1; i <= MODELS; i++) {
    files[`models/m${i}.yml`] = `$schema: ${SCHEMA}/model.schema.json\nname: m${i}\npath: ./m${i}.bin\ndescription: model ${i}\n`;
    // Distinct content per model, a few KiB each: the apply's time goes into objects, records and fsyncs.
    files[`models/m${i}.bin`] = Buffer.from(`${"weights ".repeat(300)}${i}`);
  }
  for (let i = 1; i <= ENVIRONMENTS; i++) {
    files[`envs/e${i}.yml`] = `$schema: ${SCHEMA}/environment.schema.json\nname: e${i}\nimage: python:3.${i}\n`;
  }
  for (let i = 1; i <= COMPONENTS; i++) {
    files[`components/c${i}.yml`] =
      `$schema: ${SCHEMA}/commandComponent.schema.json\nname: c${i}\ntype: command\ncode: ./src${i}\nenvironment: azureml:e${i}@latest\ncommand: python run.py\n`;
    files[`components/src${i}/run.py`] = `print(${i})\n`;
  }
  return files;
}

const ASSETS = MODELS + ENVIRONMENTS + COMPONENTS;

/** address → digest, from a registry opened as any command opens it. */
async function versionsOf(registry: string): Promise<Map<string, string>> {
  const driver = new FsDriver({ path: registry });
  await driver.open();
  try {
    const snapshot = await driver.snapshot();
    return new Map(snapshot.versions.map((v) => [`${v.record.kind}:${v.record.name}:${v.record.version}`, v.record.digest]));
  } finally {
    await driver.close();
  }
}

interface Remains {
  /** The registry directory exists (apply got as far as taking the lock). */
  created: boolean;
  /** apply-begin journaled without apply-end: the kill landed in the middle of writing. */
  midWrite: boolean;
  /** The highest lock generation is not released: the dead process still "holds" it. */
  lockLeft: boolean;
  /** Every published record's objects are present (before anything recovers or repairs). */
  recordsWhole: boolean;
}

/** What the killed apply left, read from the files directly: nothing opens (or recovers) the registry. */
function remains(registry: string): Remains {
  if (!existsSync(path.join(registry, "format.json"))) return { created: false, midWrite: false, lockLeft: false, recordsWhole: true };
  const list = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);
  const ops = list(path.join(registry, "journal")).map((f) => {
    try {
      return (JSON.parse(readFileSync(path.join(registry, "journal", f), "utf8")) as { entry: { op: string } }).entry.op;
    } catch {
      return "unreadable";
    }
  });
  const locks = list(path.join(registry, "lock"));
  const generations = locks.filter((f) => f.endsWith(".json")).map((f) => f.slice(0, -5));
  const top = generations.at(-1);
  let recordsWhole = true;
  for (const kind of list(path.join(registry, "versions"))) {
    for (const name of list(path.join(registry, "versions", kind))) {
      for (const file of list(path.join(registry, "versions", kind, name))) {
        const doc = JSON.parse(readFileSync(path.join(registry, "versions", kind, name, file), "utf8")) as {
          record: { artifacts: { files: { digest: string }[] }[] };
        };
        for (const f of doc.record.artifacts.flatMap((a) => a.files)) {
          const hex = f.digest.slice("sha256:".length);
          if (!existsSync(path.join(registry, "objects", "sha256", hex.slice(0, 2), hex.slice(2)))) recordsWhole = false;
        }
      }
    }
  }
  return {
    created: true,
    midWrite: ops.includes("apply-begin") && !ops.includes("apply-end"),
    lockLeft: top !== undefined && !locks.includes(`${top}.released`),
    recordsWhole,
  };
}

/** Starts an apply into `registry` and kills it with SIGKILL after `afterMs` (if it is still running). */
function applyKilledAfter(cwd: string, registry: string, afterMs: number): Promise<{ killed: boolean; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, "apply", "--auto-approve", "--registry", registry], { cwd, env: cleanEnv(), stdio: "ignore" });
    let killed = false;
    const timer = setTimeout(() => {
      killed = child.kill("SIGKILL");
    }, afterMs);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ killed: killed && code === null, code });
    });
  });
}

describe("an apply killed at any instant", () => {
  let repo: TempRepo;
  /** The registries, outside the repository so that no run lists another's files. */
  let registries: string;
  let reference: Map<string, string>;
  let cleanMs = 0;

  beforeAll(async () => {
    repo = new TempRepo(repositoryFiles());
    repo.commit("a few hundred assets");
    registries = mkdtempSync(path.join(os.tmpdir(), "assetctl-crash-"));
    const clean = await runCli(["apply", "--auto-approve", "--registry", path.join(registries, "reference")], { cwd: repo.root, timeoutMs: 120_000 });
    expect(clean.stderr).toBe("");
    expect(clean.code).toBe(0);
    reference = await versionsOf(path.join(registries, "reference"));
    expect(reference.size).toBe(ASSETS);
    // Timed as the applies under test run: two at a time, with the artifacts' digests already cached.
    const timed = await Promise.all(
      ["timed-a", "timed-b"].map(async (name) => {
        const started = Date.now();
        const run = await runCli(["apply", "--auto-approve", "--registry", path.join(registries, name)], { cwd: repo.root, timeoutMs: 120_000 });
        expect(run.code).toBe(0);
        return Date.now() - started;
      }),
    );
    cleanMs = Math.max(...timed);
  }, 180_000);

  afterAll(() => {
    repo?.remove();
    if (registries) rmSync(registries, { recursive: true, force: true });
  });

  it(`leaves a valid registry that the next apply completes, killed at ${KILLS} or more random instants`, async () => {
    const random = seededRandom(seedFrom("ASSETCTL_CRASH_SEED", "crash test"));
    // Instants spread uniformly over a clean apply's duration (start-up and planning included).
    const instant = () => Math.round(random() * cleanMs);
    console.log(`clean apply of ${ASSETS} assets: ${cleanMs} ms`);

    // Trials run two at a time until KILLS kills have landed while an apply was running (an instant past
    // the end of a faster run kills nothing). Every third trial kills the apply that follows the crash
    // too, at an instant of its own: recovery itself must survive a crash.
    const outcomes: (Remains & { killed: boolean; instant: number })[] = [];
    let trials = 0;
    const lane = async (): Promise<void> => {
      while (outcomes.filter((o) => o.killed).length < KILLS && trials < MAX_TRIALS) {
        const i = trials++;
        const registry = path.join(registries, `crash-${i}`);
        const kills = i % 3 === 2 ? [instant(), instant()] : [instant()];
        for (const [k, at] of kills.entries()) outcomes.push({ ...(await killAndCheck(registry, at, `trial ${i}, kill ${k + 1}`)), instant: at });
        await completes(registry, `trial ${i}`);
      }
    };
    await Promise.all([lane(), lane()]);

    const count = (p: (o: (typeof outcomes)[number]) => boolean) => outcomes.filter(p).length;
    console.log(
      `${trials} trials, ${outcomes.length} kill instants (${outcomes
        .map((o) => o.instant)
        .sort((a, b) => a - b)
        .join(", ")} ms): ${count((o) => o.killed)} landed while apply ran; ` +
        `${count((o) => !o.created)} before the registry existed, ${count((o) => o.midWrite)} in the middle of writing, ` +
        `${count((o) => o.lockLeft)} left a dead lock behind`,
    );
    expect(count((o) => o.killed)).toBeGreaterThanOrEqual(KILLS);
    // The test means something only if kills landed mid-write and left locks behind.
    expect(count((o) => o.midWrite)).toBeGreaterThan(0);
    expect(count((o) => o.lockLeft)).toBeGreaterThan(0);
  }, 420_000);

  /** Kills an apply into `registry` after `instant` ms, then checks what any reader sees. */
  async function killAndCheck(registry: string, instant: number, label: string): Promise<Remains & { killed: boolean }> {
    const { killed } = await applyKilledAfter(repo.root, registry, instant);
    const left = remains(registry);
    const where = `${label} at ${instant} ms (${killed ? "killed" : "had finished"}; ${JSON.stringify(left)})`;
    expect(left.recordsWhole, `${where}: a record was published before its objects`).toBe(true);

    // What any reader sees now: verify passes, and every version listed is one a clean apply makes.
    const verify = await runCli(["verify", "--json", "--registry", registry], { cwd: repo.root });
    expect(verify.code, `${where}\n${verify.stdout}${verify.stderr}`).toBe(0);
    const listed = await runCli(["list", "--json", "--all", "--registry", registry], { cwd: repo.root });
    expect(listed.code, `${where}\n${listed.stderr}`).toBe(0);
    for (const a of (JSON.parse(listed.stdout) as { assets: { address: string; digest: string }[] }).assets) {
      expect(reference.get(a.address), `${where}: ${a.address}`).toBe(a.digest);
    }
    if (left.created) {
      for (const [address, digest] of await versionsOf(registry)) expect(reference.get(address), `${where}: ${address}`).toBe(digest);
      const driver = new FsDriver({ path: registry });
      await driver.open();
      expect(await driver.currentLock(), `${where}: the dead apply's lock still blocks`).toBeUndefined();
      await driver.close();
    }
    return { killed, ...left };
  }

  /** The next apply takes the lock at once, finishes the job, and the registry is the clean one. */
  async function completes(registry: string, where: string): Promise<void> {
    const next = await runCli(["apply", "--auto-approve", "--lock-timeout", "0s", "--registry", registry], { cwd: repo.root, timeoutMs: 120_000 });
    expect(next.code, `${where}\n${next.stdout}${next.stderr}`).toBe(0);
    expect([...(await versionsOf(registry))].sort(), where).toEqual([...reference].sort());
    const driver = new FsDriver({ path: registry });
    await driver.open();
    try {
      expect(await driver.verify(), where).toEqual([]);
      // Each version created exactly once, in the journal as in the registry.
      const creates = (await driver.journal()).flatMap((j) => (j.entry.op === "create" ? [j.entry.address] : []));
      expect(creates.length, where).toBe(new Set(creates).size);
      expect(creates.length, where).toBe(ASSETS);
    } finally {
      await driver.close();
    }
  }
});
