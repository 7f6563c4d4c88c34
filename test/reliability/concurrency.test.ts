// Concurrent applies: several processes apply overlapping changes (the same auto-versioned assets with
// different content, identical pinned ones, assets of their own) to one registry at the same moment.
// One holds the lock at a time; the others wait (--lock-timeout) or fail saying who holds it; and in the
// end every asset's versions run 1..n, each made by exactly one apply, with the digests the manifests
// give. A lock left by a process on another host is refused by name and id until `force-unlock` frees it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FsDriver } from "../../src/registry/drivers/fs.js";
import { TempRepo } from "../e2e/harness.js";
import { commitAll, copyRepo, fingerprint, removeTree, runCli, type Run } from "./support.js";

const PROCESSES = 5;
const SHARED = 8;
const OWN = 4;
const SCHEMA = "https://azuremlschemas.azureedge.net/latest";

/** The repository of process `p`: shared names with content of its own, a pinned environment all agree on. */
function filesOf(p: number): Record<string, string> {
  const files: Record<string, string> = {
    "envs/env.yml": `$schema: ${SCHEMA}/environment.schema.json\nname: runtime\nversion: "1"\nimage: python:3.11-slim\n`,
  };
  for (let i = 1; i <= SHARED; i++) {
    files[`models/shared-${i}.yml`] = `$schema: ${SCHEMA}/model.schema.json\nname: shared-${i}\npath: ./shared-${i}.bin\n`;
    files[`models/shared-${i}.bin`] = `trained by process ${p}, model ${i}\n`;
  }
  for (let i = 1; i <= OWN; i++) {
    files[`own/p${p}-${i}.yml`] = `$schema: ${SCHEMA}/model.schema.json\nname: p${p}-own-${i}\npath: ./p${p}-${i}.bin\n`;
    files[`own/p${p}-${i}.bin`] = `only process ${p} has this, ${i}\n`;
  }
  return files;
}

async function versionsIn(registry: string): Promise<Map<string, string>> {
  const driver = new FsDriver({ path: registry });
  await driver.open();
  try {
    return new Map((await driver.snapshot()).versions.map((v) => [`${v.record.kind}:${v.record.name}:${v.record.version}`, v.record.digest]));
  } finally {
    await driver.close();
  }
}

const LOCKED = /The registry is locked by \S+ on \S+ \(pid \d+\) since \S+ for "apply"; the lock expires at \S+\. \[registry-locked\]\n\s+hint: .*force-unlock lock [0-9a-f-]{36}/;

function created(run: Run): number {
  return Number(/Apply complete: (\d+) versions? created/.exec(run.stdout)?.[1] ?? Number.NaN);
}

describe("applies racing for one registry", () => {
  let scratch: string;
  const repos: string[] = [];
  /** What each process's manifests alone make: address → digest. */
  const alone: Map<string, string>[] = [];

  beforeAll(async () => {
    scratch = mkdtempSync(path.join(tmpdir(), "assetctl-concurrency-"));
    const base = new TempRepo({});
    base.commit("empty");
    for (let p = 0; p < PROCESSES; p++) {
      const root = copyRepo(base.root);
      for (const [rel, content] of Object.entries(filesOf(p))) {
        mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        writeFileSync(path.join(root, rel), content);
      }
      commitAll(root, `process ${p}`);
      repos.push(root);
    }
    base.remove();
    for (const [p, root] of repos.entries()) {
      const registry = path.join(scratch, `alone-${p}`);
      expect((await runCli(["apply", "--auto-approve", "--registry", registry], { cwd: root })).code).toBe(0);
      alone.push(await versionsIn(registry));
    }
  }, 120_000);

  afterAll(() => {
    for (const root of repos) removeTree(root);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  // Waiting applies plan again under the lock (another apply may have landed): with --auto-approve they
  // apply that plan, as `terraform apply -auto-approve` plans under its state lock.
  it(`${PROCESSES} processes at once: one at a time, each waiting its turn, nothing duplicated or lost`, async () => {
    const registry = path.join(scratch, "shared-wait");
    const runs = await Promise.all(
      repos.map((root) => runCli(["apply", "--auto-approve", "--lock-timeout", "120s", "--registry", registry], { cwd: root, timeoutMs: 150_000 })),
    );
    for (const [p, run] of runs.entries()) {
      expect(run.timedOut, `process ${p}`).toBe(false);
      expect(run.code, `process ${p}\n${run.stdout}${run.stderr}`).toBe(0);
    }
    // They did overlap: those that waited found the registry moved, planned again and said so.
    expect(runs.filter((run) => run.stdout.includes("while this apply waited for its lock")).length).toBeGreaterThan(0);
    await expectWholeHistory(registry, runs);
  }, 180_000);

  it(`${PROCESSES} processes at once without waiting: those refused name the holder, and retrying converges`, async () => {
    const registry = path.join(scratch, "shared-nowait");
    const successes: Run[] = [];
    let pending = repos.map((root, p) => ({ root, p }));
    let refusedByLock = 0;
    for (let round = 0; pending.length > 0; round++) {
      expect(round, "every process applies within a few rounds").toBeLessThan(10);
      const runs = await Promise.all(
        pending.map(({ root }) => runCli(["apply", "--auto-approve", "--lock-timeout", "0s", "--registry", registry], { cwd: root, timeoutMs: 60_000 })),
      );
      const next: typeof pending = [];
      for (const [i, run] of runs.entries()) {
        const who = pending[i] as (typeof pending)[number];
        const output = `${run.stdout}${run.stderr}`;
        expect(run.timedOut).toBe(false);
        expect(output, `process ${who.p}`).not.toMatch(/\n\s+at |internal error/);
        if (run.code === 0) {
          successes.push(run);
          continue;
        }
        // The only acceptable refusal: the lock, naming its holder and its id.
        expect(run.stderr, `process ${who.p}`).toMatch(LOCKED);
        refusedByLock += 1;
        next.push(who);
      }
      pending = next;
    }
    console.log(`without waiting: ${refusedByLock} refusals named the lock's holder`);
    await expectWholeHistory(registry, successes);
  }, 240_000);

  /** Every version accounted for: contiguous per asset, each digest one a process's manifests give, none twice. */
  async function expectWholeHistory(registry: string, successes: Run[]): Promise<void> {
    const versions = await versionsIn(registry);
    expect(successes.reduce((n, run) => n + created(run), 0), "versions created, summed over the applies").toBe(versions.size);
    const byAsset = new Map<string, Map<string, string>>();
    for (const [address, digest] of versions) {
      const [kind, name, version] = address.split(":") as [string, string, string];
      const key = `${kind}:${name}`;
      byAsset.set(key, (byAsset.get(key) ?? new Map()).set(version, digest));
    }
    for (let i = 1; i <= SHARED; i++) {
      const shared = byAsset.get(`model:shared-${i}`) ?? new Map<string, string>();
      // One version per process (each process's content differs from every other's), numbered 1..n.
      expect([...shared.keys()].sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: PROCESSES }, (_, v) => String(v + 1)));
      expect([...shared.values()].sort()).toEqual(alone.map((a) => a.get(`model:shared-${i}:1`)).sort());
    }
    for (let p = 0; p < PROCESSES; p++) {
      for (let i = 1; i <= OWN; i++) expect(versions.get(`model:p${p}-own-${i}:1`)).toBe(alone[p]?.get(`model:p${p}-own-${i}:1`));
    }
    expect(versions.get("environment:runtime:1")).toBe(alone[0]?.get("environment:runtime:1"));
    expect(versions.size).toBe(SHARED * PROCESSES + OWN * PROCESSES + 1);

    const driver = new FsDriver({ path: registry });
    await driver.open();
    try {
      expect(await driver.verify()).toEqual([]);
      expect(await driver.currentLock()).toBeUndefined();
      const journal = await driver.journal();
      const creates = journal.flatMap((j) => (j.entry.op === "create" ? [j.entry.address] : []));
      expect(creates.length).toBe(new Set(creates).size);
      // Under the lock, each apply's begin is followed by its own end before any other apply begins.
      const marks = journal.flatMap((j) => (j.entry.op === "apply-begin" || j.entry.op === "apply-end" ? [j.entry] : []));
      for (let i = 0; i < marks.length; i += 2) {
        expect([marks[i]?.op, marks[i + 1]?.op]).toEqual(["apply-begin", "apply-end"]);
        expect((marks[i] as { plan: string }).plan).toBe((marks[i + 1] as { plan: string }).plan);
      }
    } finally {
      await driver.close();
    }
  }

  it("a live holder is named at once, and waited for with --lock-timeout", async () => {
    const registry = path.join(scratch, "held");
    const holder = new FsDriver({ path: registry });
    await holder.open({ create: true });
    const lock = await holder.lock({ owner: "release-bot@ci", operation: "apply", timeoutMs: 0 });
    try {
      const refused = await runCli(["apply", "--auto-approve", "--registry", registry], { cwd: repos[0] as string });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(LOCKED);
      expect(refused.stderr).toContain(`release-bot@ci on ${hostname()} (pid ${process.pid})`);
      expect(refused.stderr).toContain(lock.info.id);
      expect(refused.stderr).not.toMatch(/\n\s+at /);
      const waiting = runCli(["apply", "--auto-approve", "--lock-timeout", "60s", "--registry", registry], { cwd: repos[0] as string });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await lock.release();
      const waited = await waiting;
      expect(waited.code, waited.stderr).toBe(0);
      expect(created(waited)).toBe(SHARED + OWN + 1);
    } finally {
      await lock.release();
      await holder.close();
    }
  }, 120_000);

  it("a lock held on another host is refused by name and id until force-unlock frees it", async () => {
    const registry = path.join(scratch, "foreign");
    // A process on another machine: it cannot be probed from here, so only its expiry (an hour) or a
    // person who knows it is gone can free its lock.
    const elsewhere = new FsDriver({ path: registry, identity: { host: "build-agent-7.example", pid: 4242 } });
    await elsewhere.open({ create: true });
    const lock = await elsewhere.lock({ owner: "ci@build-agent-7", operation: "apply", timeoutMs: 0 });
    await elsewhere.close();
    // The first read builds the derived snapshot cache (index/); from then on a refused apply changes no byte.
    expect((await runCli(["list", "--registry", registry], { cwd: repos[1] as string })).code).toBe(0);
    const before = fingerprint(registry);

    const refused = await runCli(["apply", "--auto-approve", "--lock-timeout", "1s", "--registry", registry], { cwd: repos[1] as string });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(LOCKED);
    expect(refused.stderr).toContain("ci@build-agent-7 on build-agent-7.example (pid 4242)");
    expect(refused.stderr).toContain(`force-unlock lock ${lock.info.id}`);
    expect(fingerprint(registry), "a refused apply writes nothing").toBe(before);

    const wrongId = await runCli(["force-unlock", "00000000-0000-0000-0000-000000000000", "--registry", registry], { cwd: repos[1] as string });
    expect(wrongId.code).toBe(1);
    expect(wrongId.stderr).toMatch(/No lock with id 00000000-0000-0000-0000-000000000000 is held on this registry\. \[registry-lock-not-found\]/);
    expect((await runCli(["apply", "--auto-approve", "--registry", registry], { cwd: repos[1] as string })).code, "still locked").toBe(1);

    const unlocked = await runCli(["force-unlock", lock.info.id, "--registry", registry], { cwd: repos[1] as string });
    expect(unlocked.stderr).toBe("");
    expect(unlocked.code).toBe(0);
    expect(unlocked.stdout).toContain(`Lock ${lock.info.id} released.`);
    const applied = await runCli(["apply", "--auto-approve", "--registry", registry], { cwd: repos[1] as string });
    expect(applied.code, applied.stderr).toBe(0);
    expect(created(applied)).toBe(SHARED + OWN + 1);
    // The old owner coming back cannot release the new state either: its lock is gone.
    const again = await runCli(["force-unlock", lock.info.id, "--registry", registry], { cwd: repos[1] as string });
    expect(again.code).toBe(1);
  }, 120_000);
});
