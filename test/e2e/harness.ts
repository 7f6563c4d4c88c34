// End-to-end harness: a temporary git repository and the built CLI run as a separate process.
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, statSync, cpSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const cliPath = path.join(projectRoot, "dist", "cli", "bin.js");
/** The executable as installed (package.json's `bin`): the launcher, which replays kept answers (cli/answer.ts). */
export const executablePath = path.join(projectRoot, "dist", "cli", "assetctl.cjs");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class TempRepo {
  readonly root: string;

  constructor(files: Record<string, string | Buffer> = {}) {
    this.root = mkdtempSync(path.join(os.tmpdir(), "assetctl-e2e-"));
    this.git("init", "-q", "-b", "main");
    this.git("config", "user.email", "test@example.com");
    this.git("config", "user.name", "Test");
    this.git("config", "commit.gpgsign", "false");
    writeFileSync(path.join(this.root, ".gitignore"), ".assetctl/\n");
    this.write(files);
  }

  /** Copies a folder of the project (e.g. the example assets) into the repository. */
  copyFrom(source: string, dest = ""): void {
    cpSync(source, path.join(this.root, dest), { recursive: true, filter: (src) => !src.includes(`${path.sep}.assetctl`) });
  }

  write(files: Record<string, string | Buffer>): void {
    for (const [rel, content] of Object.entries(files)) {
      const file = path.join(this.root, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
  }

  read(rel: string): string {
    return readFileSync(path.join(this.root, rel), "utf8");
  }

  git(...args: string[]): string {
    return execFileSync("git", args, { cwd: this.root, encoding: "utf8" });
  }

  commit(message = "change"): string {
    this.git("add", "-A");
    this.git("commit", "-q", "--allow-empty", "-m", message);
    return this.git("rev-parse", "HEAD").trim();
  }

  /** Environment every `run` adds, e.g. `ASSETCTL_REGISTRY` to run a scenario on another registry. */
  env: NodeJS.ProcessEnv = {};

  /** A repository of the example `assets/`, committed and applied to its embedded registry. */
  static async appliedExample(): Promise<TempRepo> {
    const repo = new TempRepo();
    repo.copyFrom(path.join(projectRoot, "assets"));
    repo.commit("example assets");
    const applied = await repo.run(["apply", "--auto-approve"]);
    if (applied.code !== 0) throw new Error(`apply of the example assets exited ${applied.code}:\n${applied.stderr}`);
    return repo;
  }

  /** Runs the built CLI in the repository, without a terminal. */
  run(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; executable?: string } = {}): Promise<RunResult> {
    return runCli(args, { cwd: options.cwd ?? this.root, env: { ...this.env, ...options.env }, ...(options.executable ? { executable: options.executable } : {}) });
  }

  /** A digest over every file of the registry directory: equal digests mean byte-for-byte equal. */
  registryFingerprint(rel = ".assetctl/registry"): string {
    return treeFingerprint(path.join(this.root, rel));
  }

  /**
   * Waits until the filesystem's clock has moved past every file's timestamps, as a person would between
   * two commands: only then is a result kept with the tree's survey (a file written in the same tick could
   * change unseen).
   */
  waitForClockTick(): void {
    mkdirSync(path.join(this.root, ".assetctl"), { recursive: true });
    const probe = path.join(this.root, ".assetctl", "tick");
    const now = (i: number): bigint => {
      writeFileSync(probe, String(i));
      return statSync(probe, { bigint: true }).mtimeNs;
    };
    // Everything was written before the first probe; the clock has moved once a later probe is newer.
    const first = now(0);
    for (let i = 1; i < 1_000_000; i++) if (now(i) > first) return;
    throw new Error("the filesystem clock did not move");
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export function runCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; executable?: string }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.executable ?? cliPath, ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: "1", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export function treeFingerprint(dir: string): string {
  const hash = createHash("sha256");
  const walk = (d: string, rel: string): void => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const name of names) {
      const abs = path.join(d, name);
      const r = `${rel}/${name}`;
      const st = statSync(abs);
      if (st.isDirectory()) walk(abs, r);
      else hash.update(`${r}\0${st.size}\0`).update(readFileSync(abs));
    }
  };
  walk(dir, "");
  return hash.digest("hex");
}

/** Counts the stored objects of an embedded registry. */
export function objectCount(dir: string): number {
  let n = 0;
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const abs = path.join(d, name);
      if (statSync(abs).isDirectory()) walk(abs);
      else if (!name.includes(".tmp")) n += 1;
    }
  };
  try {
    walk(path.join(dir, "objects"));
  } catch {
    return 0;
  }
  return n;
}
