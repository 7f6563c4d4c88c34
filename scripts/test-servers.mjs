// Private test servers for the team registry: a PostgreSQL cluster and a CNCF distribution registry
// (`docker-registry`), each in a temporary directory, on loopback, on a free port, stopped whatever
// happens. Used as a library by the vitest global setup and the tests that stop a server on purpose,
// and as a command that runs another command with the servers' addresses in its environment:
//
//   node scripts/test-servers.mjs [--install] -- npx vitest run test/team-registry.test.ts
//   node scripts/test-servers.mjs              (prints the exports, serves until Ctrl-C)
//
// Exports ASSETCTL_TEST_POSTGRES=postgres://postgres@127.0.0.1:PORT/postgres and
// ASSETCTL_TEST_OCI=oci://127.0.0.1:PORT/assetctl-test, and ASSETCTL_TEST_AZURITE=http://127.0.0.1:PORT/devstoreaccount1
// (Azurite's blob service, for the Azure ML driver).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

const START_TIMEOUT_MS = 30_000;

/** A free TCP port on loopback (the kernel picks it; the tiny window before the server binds is accepted). */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Where PostgreSQL's server binaries are: PATH first, then Debian's versioned directories, newest first. */
export function findPostgresBin() {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    // Through symlinks (e.g. /usr/local/bin/initdb): the real directory also has pg_isready.
    if (dir && existsSync(path.join(dir, "initdb")) && existsSync(path.join(dir, "postgres"))) return path.dirname(realpathSync(path.join(dir, "initdb")));
  }
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = spawnSync("ls", [base], { encoding: "utf8" }).stdout.split("\n").filter((v) => /^\d+$/.test(v));
  versions.sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const dir = path.join(base, v, "bin");
    if (existsSync(path.join(dir, "initdb"))) return dir;
  }
  return undefined;
}

/** The `docker-registry` binary; with `install`, apt-get installs it when missing and we are root. */
export function findRegistryBin({ install = false } = {}) {
  const which = () => spawnSync("sh", ["-c", "command -v docker-registry || command -v registry"], { encoding: "utf8" }).stdout.trim() || undefined;
  let bin = which();
  if (bin === undefined && install && process.getuid?.() === 0 && spawnSync("sh", ["-c", "command -v apt-get"]).status === 0) {
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const opts = { stdio: "ignore", env, timeout: 300_000 };
    // A fresh machine has no package lists yet; an install without them finds nothing.
    if (spawnSync("apt-get", ["install", "-y", "-qq", "docker-registry"], opts).status !== 0) {
      spawnSync("apt-get", ["update", "-qq"], opts);
      spawnSync("apt-get", ["install", "-y", "-qq", "docker-registry"], opts);
    }
    bin = which();
  }
  return bin;
}

/** The PostgreSQL server refuses to run as root: as root, the cluster belongs to the `postgres` user. */
function postgresUser() {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    return { uid, gid };
  } catch {
    throw new Error("running as root, but there is no `postgres` user to run the PostgreSQL server as");
  }
}

function readLog(file) {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

/** Waits until `probe` resolves true, or fails after `ms` with the server's own words. */
async function waitFor(what, probe, ms, output) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await sleep(50);
  }
  throw new Error(`${what} did not start within ${ms / 1000} s:\n${output().slice(-2000)}`);
}

/**
 * Starts a throwaway PostgreSQL cluster: `initdb` (trust authentication, no fsync: test data only)
 * and `postgres` listening on 127.0.0.1 only, with its socket in the temporary directory.
 */
export async function startPostgres() {
  const bin = findPostgresBin();
  if (bin === undefined) throw new Error("PostgreSQL server binaries (initdb, postgres) were not found");
  const user = postgresUser();
  const dir = mkdtempSync(path.join(os.tmpdir(), "assetctl-pg-"));
  const data = path.join(dir, "data");
  const socket = path.join(dir, "socket");
  mkdirSync(socket);
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(socket, user.uid, user.gid);
  }
  const asUser = user ? { uid: user.uid, gid: user.gid } : {};
  const env = { ...process.env, LC_ALL: "C", HOME: dir };
  execFileSync(path.join(bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"], {
    ...asUser,
    env,
    cwd: dir,
    stdio: "pipe",
    timeout: START_TIMEOUT_MS,
  });
  const port = await freePort();
  const args = ["-D", data, "-p", String(port), "-k", socket, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off"];
  args.push("-c", "full_page_writes=off", "-c", "max_connections=300", "-c", "shared_buffers=64MB", "-c", "log_min_messages=fatal");
  // The server's output goes to a file, never a pipe: a parent blocked in spawnSync (the benchmarks)
  // would stop draining a pipe, and a server blocked writing its log stops answering.
  const log = path.join(dir, "server.log");
  const logFd = openSync(log, "a");
  if (user) chownSync(log, user.uid, user.gid);
  const child = spawn(path.join(bin, "postgres"), args, { ...asUser, env, cwd: dir, stdio: ["ignore", logFd, logFd] });
  closeSync(logFd);
  const output = () => readLog(log);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let dead = false;
  void exited.then(() => (dead = true));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    if (!dead) {
      child.kill("SIGINT"); // fast shutdown: disconnects clients, no checkpoint wait worth having for test data
      await Promise.race([exited, sleep(10_000, undefined, { ref: false })]);
      if (!dead) child.kill("SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor("PostgreSQL", async () => dead || (await tcpOpen(port)), START_TIMEOUT_MS, output);
    if (dead) throw new Error(`PostgreSQL exited at start:\n${output().slice(-2000)}`);
    // The port opens a moment before the server accepts queries.
    await waitFor("PostgreSQL", async () => psqlReady(bin, port, asUser), START_TIMEOUT_MS, output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, pid: child.pid, bin, stop };
}

function psqlReady(bin, port, asUser) {
  const r = spawnSync(path.join(bin, "pg_isready"), ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-t", "1"], { ...asUser, stdio: "ignore", timeout: 5000 });
  return r.status === 0;
}

async function tcpOpen(port) {
  const { connect } = await import("node:net");
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/**
 * Starts a distribution registry on 127.0.0.1 without authentication, storing blobs in a temporary
 * directory (or `storage`, to restart on the same data). `stop()` kills it and removes its directory
 * unless it was given; `kill()` stops it abruptly and keeps the data, for restarting it later.
 */
export async function startOciRegistry({ storage, port: wanted, namespace = "assetctl-test" } = {}) {
  const bin = findRegistryBin();
  if (bin === undefined) throw new Error("the docker-registry binary was not found (apt-get install docker-registry)");
  const dir = mkdtempSync(path.join(os.tmpdir(), "assetctl-oci-"));
  const root = storage ?? path.join(dir, "storage");
  mkdirSync(root, { recursive: true });
  const port = wanted ?? (await freePort());
  const config = path.join(dir, "config.yml");
  writeFileSync(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: error",
      "  accesslog:",
      "    disabled: true",
      "storage:",
      "  cache:",
      "    blobdescriptor: inmemory",
      "  filesystem:",
      `    rootdirectory: ${root}`,
      "  delete:",
      "    enabled: true",
      "http:",
      `  addr: 127.0.0.1:${port}`,
      `  secret: ${randomBytes(16).toString("hex")}`,
      "",
    ].join("\n"),
  );
  const log = path.join(dir, "server.log");
  const logFd = openSync(log, "a");
  const child = spawn(bin, ["serve", config], { cwd: dir, stdio: ["ignore", logFd, logFd] });
  closeSync(logFd);
  const output = () => readLog(log);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let dead = false;
  void exited.then(() => (dead = true));
  const kill = async () => {
    if (!dead) {
      child.kill("SIGKILL");
      await Promise.race([exited, sleep(10_000, undefined, { ref: false })]);
    }
  };
  const stop = async () => {
    await kill();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      "docker-registry",
      async () => dead || (await fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(1000) }).then((r) => r.status === 200, () => false)),
      START_TIMEOUT_MS,
      output,
    );
    if (dead) throw new Error(`docker-registry exited at start:\n${output().slice(-2000)}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `oci://127.0.0.1:${port}/${namespace}`, port, storage: root, pid: child.pid, kill, stop };
}

/**
 * Starts Azurite's blob service (the `azurite` dev dependency, Microsoft's storage emulator) on a free
 * loopback port, in memory, for the Azure ML driver's tests. Resolves to its blob endpoint for the
 * well-known development account, `http://127.0.0.1:PORT/devstoreaccount1`.
 */
export async function startAzurite({ port: wanted } = {}) {
  const main = fileURLToPath(new URL("../node_modules/azurite/dist/src/blob/main.js", import.meta.url));
  if (!existsSync(main)) throw new Error("Azurite is not installed (npm ci installs the azurite dev dependency)");
  const dir = mkdtempSync(path.join(os.tmpdir(), "assetctl-azurite-"));
  const port = wanted ?? (await freePort());
  const log = path.join(dir, "server.log");
  const logFd = openSync(log, "a");
  const args = [main, "--blobHost", "127.0.0.1", "--blobPort", String(port), "--inMemoryPersistence", "--skipApiVersionCheck", "--disableProductStyleUrl", "--silent"];
  const child = spawn(process.execPath, args, { cwd: dir, stdio: ["ignore", logFd, logFd] });
  closeSync(logFd);
  const output = () => readLog(log);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let dead = false;
  void exited.then(() => (dead = true));
  const stop = async () => {
    if (!dead) {
      child.kill("SIGKILL");
      await Promise.race([exited, sleep(10_000, undefined, { ref: false })]);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}/devstoreaccount1`;
  try {
    await waitFor("Azurite", async () => dead || (await tcpOpen(port)), START_TIMEOUT_MS, output);
    if (dead) throw new Error(`Azurite exited at start:\n${output().slice(-2000)}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, pid: child.pid, stop };
}

/**
 * Both servers, as far as this machine can run them. Returns the environment to export, the reasons a
 * server could not start (the tests that need it skip, saying why), and one `stop()` for everything.
 */
export async function startTestServers({ install = false } = {}) {
  const env = {};
  const skipped = [];
  const running = [];
  try {
    const pg = await startPostgres();
    running.push(pg);
    env.ASSETCTL_TEST_POSTGRES = pg.url;
    env.ASSETCTL_TEST_POSTGRES_BIN = pg.bin;
  } catch (error) {
    skipped.push(`PostgreSQL: ${error.message}`);
  }
  if (findRegistryBin({ install }) === undefined) {
    skipped.push("OCI: the docker-registry binary is missing and could not be installed (apt-get install docker-registry)");
  } else {
    try {
      const oci = await startOciRegistry();
      running.push(oci);
      env.ASSETCTL_TEST_OCI = oci.url;
    } catch (error) {
      skipped.push(`OCI: ${error.message}`);
    }
  }
  try {
    const azurite = await startAzurite();
    running.push(azurite);
    env.ASSETCTL_TEST_AZURITE = azurite.url;
  } catch (error) {
    // The Azure ML driver's tests fail (not skip) without it: Azurite is an npm dependency, always there.
    skipped.push(`Azurite: ${error.message}`);
  }
  const pids = running.map((s) => s.pid).filter((p) => p !== undefined);
  const watchdog = reapWhenGone(process.pid, pids);
  return {
    env,
    skipped,
    async stop() {
      await Promise.allSettled(running.map((s) => s.stop()));
      watchdog?.kill();
    },
  };
}

/**
 * A detached shell that kills the servers if this process dies without stopping them (a crash, or
 * SIGKILL of the test runner), so no test run leaves servers behind.
 */
function reapWhenGone(parent, pids) {
  if (pids.length === 0 || process.platform === "win32") return undefined;
  const script = `while kill -0 ${parent} 2>/dev/null; do sleep 1; done; kill -9 ${pids.join(" ")} 2>/dev/null; exit 0`;
  const child = spawn("sh", ["-c", script], { detached: true, stdio: "ignore" });
  child.unref();
  return child;
}

async function main(argv) {
  const separator = argv.indexOf("--");
  const own = separator < 0 ? argv : argv.slice(0, separator);
  const command = separator < 0 ? [] : argv.slice(separator + 1);
  const servers = await startTestServers({ install: own.includes("--install") });
  let stopping;
  const stop = () => (stopping ??= servers.stop());
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => void stop().then(() => process.exit(130)));
  }
  for (const reason of servers.skipped) console.error(`test-servers: not started: ${reason}`);
  try {
    if (command.length === 0) {
      for (const [k, v] of Object.entries(servers.env)) console.log(`export ${k}=${v}`);
      console.error("test-servers: serving until Ctrl-C");
      await new Promise(() => {});
    }
    const [cmd, ...args] = command;
    const child = spawn(cmd, args, { stdio: "inherit", env: { ...process.env, ...servers.env } });
    const code = await new Promise((resolve) => child.once("exit", (c, s) => resolve(c ?? (s ? 128 : 1))));
    process.exitCode = code;
  } finally {
    await stop();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
