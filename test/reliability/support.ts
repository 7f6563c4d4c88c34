// What the reliability tests share: the CLI run with a hard time limit (as a process, or in-process
// through the same `main`), an exact fingerprint of a registry directory, repository copies, and a
// seeded random number generator whose seed is printed so a failure can be replayed.
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, cpSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { main } from "../../src/cli/main.js";
import type { Io } from "../../src/cli/io.js";
import { plain } from "../../src/cli/render/style.js";
import { cliPath } from "../e2e/harness.js";

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** Killed for running past its time limit. */
  timedOut: boolean;
}

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Run as this user (root only): how an unreadable file is tested when root reads everything. */
  user?: { uid: number; gid: number };
}

/** The environment every run gets: plain output, and nothing inherited that would pick another registry. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", ...extra };
  delete env["ASSETCTL_REGISTRY"];
  return env;
}

/** The built CLI as a separate process, killed (SIGKILL) when it outlives `timeoutMs`. */
export function runCli(args: string[], options: RunOptions): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], {
      cwd: options.cwd,
      env: cleanEnv(options.env),
      stdio: ["ignore", "pipe", "pipe"],
      ...(options.user ? { uid: options.user.uid, gid: options.user.gid } : {}),
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs ?? 30_000);
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr, timedOut });
    });
  });
}

/**
 * The CLI's `main` in this process, with its output captured: the same code as the binary minus process
 * start-up, at a fraction of the cost. Bounded too: a run that never settles fails as timed out.
 */
export async function runInProcess(args: string[], options: RunOptions): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const io: Io = {
    out: (text) => void (stdout += text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => void (stderr += text.endsWith("\n") ? text : `${text}\n`),
    style: plain,
    errStyle: plain,
    interactive: false,
    ask: () => Promise.resolve(""),
    cwd: options.cwd,
    env: cleanEnv(options.env),
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), options.timeoutMs ?? 30_000)));
  try {
    const code = await Promise.race([main(args, io), timeout]);
    return code === "timeout" ? { code: -1, stdout, stderr, timedOut: true } : { code, stdout, stderr, timedOut: false };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A digest of everything in a directory, excluding nothing: every entry's relative path and type,
 * permission bits, a symlink's target and a file's bytes. Equal fingerprints mean byte-for-byte equal.
 */
export function fingerprint(dir: string): string {
  const hash = createHash("sha256");
  const walk = (abs: string, rel: string): void => {
    const st = lstatSync(abs, { throwIfNoEntry: false });
    if (!st) return void hash.update(`${rel}\0absent\n`);
    const mode = (st.mode & 0o7777).toString(8);
    if (st.isSymbolicLink()) return void hash.update(`${rel}\0link\0${mode}\0${readlinkSync(abs)}\n`);
    if (st.isDirectory()) {
      hash.update(`${rel}\0dir\0${mode}\n`);
      for (const name of readdirSync(abs).sort()) walk(path.join(abs, name), `${rel}/${name}`);
      return;
    }
    if (st.isFile()) {
      hash.update(`${rel}\0file\0${mode}\0${st.size}\n`);
      hash.update(readFileSync(abs));
      return;
    }
    hash.update(`${rel}\0other\0${mode}\n`);
  };
  walk(dir, "");
  return hash.digest("hex");
}

/** A copy of a repository (its .git and registry included) in a new temporary directory. */
export function copyRepo(from: string, prefix = "assetctl-rel-"): string {
  const to = mkdtempSync(path.join(os.tmpdir(), prefix));
  cpSync(from, to, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  return to;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export function commitAll(cwd: string, message: string): void {
  git(cwd, "add", "-A");
  git(cwd, "commit", "-q", "--allow-empty", "-m", message);
}

/** Removes a tree even where a test took permissions away. */
export function removeTree(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    const restore = (abs: string): void => {
      const st = lstatSync(abs, { throwIfNoEntry: false });
      if (!st || st.isSymbolicLink()) return;
      chmodSync(abs, st.isDirectory() ? 0o755 : 0o644);
      if (st.isDirectory()) for (const name of readdirSync(abs)) restore(path.join(abs, name));
    };
    restore(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed from `envName` when set (to replay a failure), else a fresh one; printed either way. */
export function seedFrom(envName: string, label: string): number {
  const given = process.env[envName];
  const seed = given !== undefined && /^\d+$/.test(given) ? Number(given) : Math.floor(Math.random() * 2 ** 31);
  console.log(`${label}: seed ${seed} (replay with ${envName}=${seed})`);
  return seed;
}

/** Runs `fn` over `items`, at most `limit` at a time, results in input order. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** Whether a file exists (without following a final symlink). */
export function exists(file: string): boolean {
  return lstatSync(file, { throwIfNoEntry: false }) !== undefined;
}
