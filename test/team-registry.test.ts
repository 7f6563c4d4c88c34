// The team registry (records in PostgreSQL, objects in an OCI registry) under the things that happen to
// a registry a whole team shares: two applies at once, a client killed mid-apply, the OCI server gone
// mid-upload, the database connection cut mid-apply, a read-only role. Each runs the built CLI as
// separate processes against the test servers (test/servers.global-setup.ts), and checks what a user
// sees (a clear message, never a stack trace) and what the registry holds afterwards.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { statSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createServer, connect, type Server, type Socket } from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ES module script, shared with CI and the command line
import { startOciRegistry } from "../scripts/test-servers.mjs";
import { OciObjectStore } from "../src/registry/drivers/oci.js";
import { PostgresRecords } from "../src/registry/drivers/postgres.js";
import { RegistryCore } from "../src/registry/core.js";
import { freshOci, freshPostgres, postgresUrl, serversMissing, withPostgres } from "../src/registry/drivers/team-servers.test-helper.js";
import { cliPath, TempRepo, type RunResult } from "./e2e/harness.js";

const missing = serversMissing({ postgres: true, oci: true });
const TEST_TIMEOUT = 180_000;

/** A repository of `count` models named `<prefix>-<i>`, each with a small file of its own. */
function modelRepo(prefix: string, count: number, extra: Record<string, string | Buffer> = {}): TempRepo {
  const files: Record<string, string | Buffer> = { ...extra };
  for (let i = 0; i < count; i++) {
    files[`models/${prefix}-${i}/model.pkl`] = `weights of ${prefix} ${i}\n`.repeat(16);
    files[`models/${prefix}-${i}/model.yml`] =
      `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\nname: ${prefix}-${i}\npath: ./model.pkl\n`;
  }
  const repo = new TempRepo(files);
  repo.commit("models");
  return repo;
}

interface Running {
  child: ChildProcess;
  done: Promise<RunResult>;
  /** What it has printed so far. */
  stdout(): string;
}

/** The built CLI as its own process, killed if it outlives `timeoutMs`. */
function start(repo: TempRepo, args: string[], registry: string, timeoutMs = 120_000): Running {
  const child = spawn(process.execPath, [cliPath, ...args, "--registry", registry], {
    cwd: repo.root,
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const done = new Promise<RunResult>((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
  });
  return { child, done, stdout: () => stdout };
}

function cli(repo: TempRepo, args: string[], registry: string): Promise<RunResult> {
  return start(repo, args, registry).done;
}

async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting until ${what}`);
}

/** A user-facing failure: a message and a code, never a stack trace or an "internal error". */
function expectCleanFailure(result: RunResult, says: RegExp): void {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stderr).toMatch(says);
  expect(result.stderr).not.toMatch(/internal error|\n\s+at .+\(.+:\d+:\d+\)/);
}

async function versionCount(pgUrl: string, schema: string): Promise<number> {
  return withPostgres(async (c) => Number((await c.query(`SELECT count(*) AS n FROM "${schema}".assetctl_version`)).rows[0]?.["n"]), baseUrl(pgUrl));
}

function baseUrl(pgUrl: string): string {
  const url = new URL(pgUrl);
  url.searchParams.delete("schema");
  return url.toString();
}

async function openTeam(records: string, objects: string, create = false): Promise<RegistryCore> {
  const driver = new RegistryCore(new PostgresRecords({ url: records }), new OciObjectStore({ url: objects, timeoutMs: 10_000 }));
  await driver.open({ create });
  return driver;
}

/**
 * Every version once, serials without gaps, applies never interleaved (an end always closes the latest
 * begin; a killed apply's begin has no end), and verify clean.
 */
async function expectWholeRegistry(records: string, objects: string, expected: string[]): Promise<void> {
  const registry = await openTeam(records, objects);
  try {
    const snapshot = await registry.snapshot();
    const addresses = snapshot.versions.map((v) => `${v.record.kind}:${v.record.name}:${v.record.version}`);
    expect(addresses.sort()).toEqual([...expected].sort());
    const journal = await registry.journal();
    expect(journal.map((j) => j.serial)).toEqual(Array.from({ length: journal.length }, (_, i) => i + 1));
    expect(snapshot.serial).toBe(journal.length);
    let latest: string | undefined;
    for (const { entry } of journal) {
      if (entry.op === "apply-begin") latest = entry.plan;
      else if (entry.op === "apply-end") {
        expect(entry.plan, "an apply ended after another one began").toBe(latest);
        latest = undefined;
      }
    }
    expect(await registry.verify()).toEqual([]);
  } finally {
    await registry.close();
  }
}

describe.skipIf(missing !== undefined)("team registry: PostgreSQL records + OCI objects, several processes", () => {
  let pg: ReturnType<typeof freshPostgres>;
  let oci: string;
  let registry: string;
  const repos: TempRepo[] = [];

  beforeEach(() => {
    pg = freshPostgres();
    oci = freshOci();
    registry = `${pg.url}&objects=${oci}`;
  });

  afterEach(async () => {
    for (const repo of repos.splice(0)) repo.remove();
    await pg.cleanup();
  });

  it(
    "two applies at the same time: one waits for the other's lock and plans again; no version is duplicated or lost",
    async () => {
      const a = modelRepo("a", 30, { "models/shared/model.pkl": "from a", "models/shared/model.yml": sharedManifest() });
      const b = modelRepo("b", 30, { "models/shared/model.pkl": "from b", "models/shared/model.yml": sharedManifest() });
      repos.push(a, b);
      // Held by a third party while both start, so both really wait for it, then race for it.
      const holder = await openTeam(pg.url, oci, true);
      const lock = await holder.lock({ owner: "third party", operation: "maintenance", timeoutMs: 0 });
      const first = start(a, ["apply", "--auto-approve", "--lock-timeout", "60s"], registry);
      const second = start(b, ["apply", "--auto-approve", "--lock-timeout", "60s"], registry);
      // Each prints its plan just before it asks for the lock.
      await waitUntil("both applies wait for the lock", () => first.stdout().includes("Plan:") && second.stdout().includes("Plan:"));
      await sleep(500);
      expect(await holder.currentLock()).toMatchObject({ owner: "third party" });
      await lock.release();
      await holder.close();
      const results = await Promise.all([first.done, second.done]);
      // Both apply, one after the other: whoever got the lock second found the registry moved while it
      // waited, planned again under the lock and applied that plan (its `shared` becomes version 2).
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      const waited = results.filter((r) => r.stdout.includes("while this apply waited for its lock"));
      expect(waited).toHaveLength(1);
      expect(waited[0]?.stdout).toContain("model:shared:2");
      const later = results[0] === waited[0] ? a : b;
      expect((await cli(later, ["plan"], registry)).stdout).toMatch(/Plan: 0 new assets, 0 new versions, 0 updates, 0 conflicts, 30 orphaned, 31 unchanged\./);
      const expected = [
        ...Array.from({ length: 30 }, (_, i) => `model:a-${i}:1`),
        ...Array.from({ length: 30 }, (_, i) => `model:b-${i}:1`),
        "model:shared:1",
        "model:shared:2",
      ];
      await expectWholeRegistry(pg.url, oci, expected);
    },
    TEST_TIMEOUT,
  );

  it(
    "a client killed mid-apply leaves a lock the next apply recognizes as dead, and that apply completes",
    async () => {
      const repo = modelRepo("m", 120);
      repos.push(repo);
      const apply = start(repo, ["apply", "--auto-approve"], registry);
      await waitUntil("the apply has created some versions", async () => (await versionCount(pg.url, pg.schema).catch(() => 0)) >= 5);
      apply.child.kill("SIGKILL");
      await apply.done;
      const created = await versionCount(pg.url, pg.schema);
      expect(created).toBeLessThan(120);
      // The owner row still names the dead apply; the server freed its advisory lock with its session.
      const rows = await withPostgres((c) => c.query(`SELECT owner, released FROM "${pg.schema}".assetctl_lock`), baseUrl(pg.url));
      expect(rows.rows).toEqual([expect.objectContaining({ released: false })]);
      const team = await openTeam(pg.url, oci);
      expect(await team.currentLock()).toBeUndefined();
      await team.close();

      const again = await cli(repo, ["apply", "--auto-approve"], registry);
      expect(again.code, again.stderr).toBe(0);
      expect((await cli(repo, ["plan"], registry)).stdout).toContain("No changes.");
      expect((await cli(repo, ["verify"], registry)).code).toBe(0);
      await expectWholeRegistry(pg.url, oci, Array.from({ length: 120 }, (_, i) => `model:m-${i}:1`));
    },
    TEST_TIMEOUT,
  );

  it(
    "the PostgreSQL connection cut mid-apply: a clear error, nothing half-made, and the next apply completes",
    async () => {
      // A database of its own, so cutting its connections cuts nobody else's.
      const database = `cut_${randomBytes(4).toString("hex")}`;
      await withPostgres((c) => c.query(`CREATE DATABASE ${database}`));
      const url = new URL(postgresUrl ?? "");
      url.pathname = `/${database}`;
      const records = url.toString();
      const spec = `${records}?objects=${oci}`;
      const repo = modelRepo("m", 120);
      repos.push(repo);
      try {
        const apply = start(repo, ["apply", "--auto-approve"], spec);
        await waitUntil("the apply has created some versions", async () => (await countIn(records).catch(() => 0)) >= 5);
        await withPostgres((c) => c.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", [database]));
        const result = await apply.done;
        expectCleanFailure(result, /Lost the connection to PostgreSQL|lost the apply lock/);
        expect(result.stderr).toContain(`127.0.0.1:${url.port}/${database}`);
        const partial = await openTeam(records, oci);
        expect(await partial.verify()).toEqual([]);
        await partial.close();

        const again = await cli(repo, ["apply", "--auto-approve"], spec);
        expect(again.code, again.stderr).toBe(0);
        expect((await cli(repo, ["plan"], spec)).stdout).toContain("No changes.");
        await expectWholeRegistry(records, oci, Array.from({ length: 120 }, (_, i) => `model:m-${i}:1`));
      } finally {
        await withPostgres((c) => c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
      }
    },
    TEST_TIMEOUT,
  );

  it(
    "a read-only role plans and reads; its apply fails cleanly, writing nothing; a writer applies the plan it saved",
    async () => {
      const repo = modelRepo("m", 3);
      repos.push(repo);
      expect((await cli(repo, ["apply", "--auto-approve"], registry)).code).toBe(0);
      const role = `ro_${randomBytes(4).toString("hex")}`;
      await withPostgres(async (c) => {
        await c.query(`CREATE ROLE ${role} LOGIN`);
        await c.query(`GRANT USAGE ON SCHEMA "${pg.schema}" TO ${role}`);
        await c.query(`GRANT SELECT ON ALL TABLES IN SCHEMA "${pg.schema}" TO ${role}`);
      });
      const readOnly = new URL(pg.url);
      readOnly.username = role;
      const spec = `${readOnly.toString()}&objects=${oci}`;
      repo.write({
        "models/new/model.pkl": "new weights",
        "models/new/model.yml": "$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\nname: new\npath: ./model.pkl\n",
      });
      repo.commit("another model");

      const plan = await cli(repo, ["plan"], spec);
      expect(plan.code, plan.stderr).toBe(0);
      expect(plan.stdout).toContain("model:new:1");
      for (const args of [["list"], ["show", "model:m-0:1"], ["verify"]]) {
        const read = await cli(repo, args, spec);
        expect(read.code, `${args.join(" ")}: ${read.stderr}`).toBe(0);
      }
      const apply = await cli(repo, ["apply", "--auto-approve"], spec);
      expectCleanFailure(apply, /The PostgreSQL role may not take the apply lock/);
      expect(apply.stderr).toContain("[registry-unavailable]");
      expect(apply.stderr).toContain("read-only role");
      await expectWholeRegistry(pg.url, oci, ["model:m-0:1", "model:m-1:1", "model:m-2:1"]);

      // The GitHub workflow's split: the SELECT-only role saves the plan, the writer applies exactly that file.
      const saved = path.join(await mkdtemp(path.join(tmpdir(), "assetctl-ro-plan-")), "plan.json");
      const readerPlan = await cli(repo, ["plan", "--out", saved], spec);
      expect(readerPlan.code, readerPlan.stderr).toBe(0);
      const writerApply = await cli(repo, ["apply", saved], registry);
      expect(writerApply.code, writerApply.stderr).toBe(0);
      await expectWholeRegistry(pg.url, oci, ["model:m-0:1", "model:m-1:1", "model:m-2:1", "model:new:1"]);
      await rm(path.dirname(saved), { recursive: true, force: true });
    },
    TEST_TIMEOUT,
  );
});

describe.skipIf(missing !== undefined)("team registry: the OCI server stopped mid-upload", () => {
  it(
    "fails with a clear error, shows nothing half-made, and the retry after a restart converges",
    async () => {
      const server = await startOciRegistry();
      const proxy = await cuttableProxy(server.port);
      const pg = freshPostgres();
      const spec = `${pg.url}&objects=oci://127.0.0.1:${proxy.port}/stopped`;
      const big = randomBytes(40 * 1024 * 1024);
      const repo = modelRepo("m", 5, {
        "models/big/model.bin": big,
        "models/big/model.yml": "$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\nname: big\npath: ./model.bin\n",
      });
      let restarted: { stop(): Promise<void> } | undefined;
      try {
        const apply = start(repo, ["apply", "--auto-approve"], spec);
        // Stop the server once the big file is well on its way: ~20 MB through the proxy.
        await waitUntil("the upload is under way", () => proxy.bytesUp > 20 * 1024 * 1024);
        await server.kill();
        const result = await apply.done;
        expectCleanFailure(result, /The OCI registry oci:\/\/127\.0\.0\.1:\d+\/stopped could not be reached/);
        expect(result.stderr).toContain("nothing was stored");

        // Plan needs only the records: it works while the objects store is down, and shows the big model still to create.
        const plan = await cli(repo, ["plan"], spec);
        expect(plan.code, plan.stderr).toBe(0);
        expect(plan.stdout).toContain("model:big:1");
        restarted = await startOciRegistry({ storage: server.storage, port: server.port });
        const team = await openTeam(pg.url, `oci://127.0.0.1:${proxy.port}/stopped`);
        expect(await team.hasObject(`sha256:${(await import("node:crypto")).createHash("sha256").update(big).digest("hex")}`)).toBe(false);
        expect((await team.snapshot()).versions.map((v) => v.record.name)).not.toContain("big");
        await team.close();

        const again = await cli(repo, ["apply", "--auto-approve"], spec);
        expect(again.code, again.stderr).toBe(0);
        expect((await cli(repo, ["plan"], spec)).stdout).toContain("No changes.");
        const pulled = path.join(repo.root, "pulled");
        expect((await cli(repo, ["pull", "model:big:1", pulled], spec)).code).toBe(0);
        expect(statSync(path.join(pulled, "model.bin")).size).toBe(big.length);
        await expectWholeRegistry(pg.url, `oci://127.0.0.1:${proxy.port}/stopped`, ["model:big:1", ...Array.from({ length: 5 }, (_, i) => `model:m-${i}:1`)]);
      } finally {
        repo.remove();
        await proxy.close();
        await restarted?.stop();
        await server.stop();
        await pg.cleanup();
      }
    },
    TEST_TIMEOUT,
  );
});

describe.skipIf(missing !== undefined)("team registry: a connection cut mid-upload", () => {
  it(
    "goes on with a chunked upload: resumed where the registry can, started over where it cannot, stored once",
    async () => {
      const { port } = new URL((process.env["ASSETCTL_TEST_OCI"] ?? "").replace(/^oci:/, "http:"));
      const proxy = await cuttableProxy(Number(port));
      const store = new OciObjectStore({ url: `oci://127.0.0.1:${proxy.port}/resume-${randomBytes(4).toString("hex")}`, chunkSize: 1024 * 1024, timeoutMs: 10_000 });
      const data = randomBytes(8 * 1024 * 1024);
      const file = path.join(await mkdtemp(path.join(tmpdir(), "assetctl-resume-")), "big.bin");
      await writeFile(file, data);
      const digest = `sha256:${createHash("sha256").update(data).digest("hex")}` as const;
      try {
        await store.open();
        // Cut every connection once, in the middle of the fourth chunk.
        proxy.cutAt(3.5 * 1024 * 1024);
        let told = 0;
        await store.putObject(digest, { kind: "file", path: file, size: data.length }, { onBytes: (bytes) => (told += bytes) });
        expect(proxy.cuts).toBe(1);
        // docker-registry drops a session whose chunk was cut, so this one starts over once: never more.
        expect(proxy.bytesUp).toBeLessThan(data.length + 4 * 1024 * 1024);
        // Progress counts the bytes sent again only once.
        expect(proxy.bytesUp).toBeGreaterThan(data.length);
        expect(told).toBe(data.length);
        const chunks: Buffer[] = [];
        for await (const chunk of await store.readObject(digest)) chunks.push(chunk as Buffer);
        expect(Buffer.concat(chunks).equals(data)).toBe(true);
      } finally {
        await store.close();
        await proxy.close();
        await rm(path.dirname(file), { recursive: true, force: true });
      }
    },
    TEST_TIMEOUT,
  );
});

function sharedManifest(): string {
  return "$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\nname: shared\npath: ./model.pkl\n";
}

async function countIn(records: string): Promise<number> {
  return withPostgres(async (c) => Number((await c.query("SELECT count(*) AS n FROM public.assetctl_version")).rows[0]?.["n"]), records);
}

/**
 * A TCP relay in front of the registry that counts the bytes sent to it, so the test can stop the server
 * at a known point of an upload; while the server is down, connections through it fail as they would.
 */
interface Proxy {
  port: number;
  /** Bytes sent through it towards the registry. */
  bytesUp: number;
  /** How many times it cut every connection. */
  cuts: number;
  /** Cuts every open connection once, when this many bytes have gone up. */
  cutAt(bytes: number): void;
  close(): Promise<void>;
}

async function cuttableProxy(target: number): Promise<Proxy> {
  const sockets = new Set<Socket>();
  let cutAt = Infinity;
  const state: Proxy = { port: 0, bytesUp: 0, cuts: 0, cutAt: (bytes) => (cutAt = bytes), close: async () => {} };
  const server: Server = createServer((client) => {
    const upstream = connect({ host: "127.0.0.1", port: target });
    sockets.add(client).add(upstream);
    client.on("data", (d: Buffer) => {
      state.bytesUp += d.length;
      if (state.bytesUp >= cutAt) {
        cutAt = Infinity;
        state.cuts += 1;
        for (const s of sockets) s.destroy();
      }
    });
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.port = (server.address() as { port: number }).port;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}
