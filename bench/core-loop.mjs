// Benchmark: plan and apply of 1,000 assets on the embedded registry, beside Terraform managing 1,000
// `terraform_data` resources (built in: no provider download) in the same run.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { formatMs, median, printTable, timeProcess } from "./measure.mjs";

/** An empty git repository in a temporary folder, ignoring `.assetctl/`; `git` runs a command in it. */
export function initRepo(prefix = "assetctl-bench-") {
  const root = mkdtempSync(path.join(os.tmpdir(), prefix));
  const git = (...args) => execFileSync("git", args, { cwd: root });
  git("init", "-q", "-b", "main");
  git("config", "user.email", "bench@example.com");
  git("config", "user.name", "bench");
  writeFileSync(path.join(root, ".gitignore"), ".assetctl/\n");
  return { root, git };
}

export function makeRepo(count) {
  const { root, git } = initRepo();
  for (let i = 0; i < count; i++) {
    const dir = path.join(root, "models", `m${String(i).padStart(4, "0")}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "model.pkl"), `weights of model ${i}\n`.repeat(64));
    writeFileSync(
      path.join(dir, "model.yml"),
      `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\nname: model-${i}\ndescription: Model number ${i}.\npath: ./model.pkl\ntags:\n  index: "${i}"\n`,
    );
  }
  git("add", "-A");
  git("commit", "-q", "-m", "assets");
  return root;
}

function terraformAvailable() {
  return spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;
}

function makeTerraform(count) {
  const root = mkdtempSync(path.join(os.tmpdir(), "assetctl-bench-tf-"));
  const blocks = [];
  for (let i = 0; i < count; i++) blocks.push(`resource "terraform_data" "r${i}" {\n  input = "weights of model ${i}"\n}\n`);
  writeFileSync(path.join(root, "main.tf"), blocks.join("\n"));
  return root;
}

/**
 * Cold plan and apply are measured three times for each tool, each time in a new repository (a new
 * Terraform directory): the figure is the median, the range beside it. On this machine one apply can take
 * half as long again as the next, as file creation gets slower after many files were deleted nearby.
 */
const RUNS = 3;

export async function benchCoreLoop(projectRoot, count = 1000) {
  const cli = path.join(projectRoot, "dist/cli/bin.js");
  const repos = [];
  const run = (repo, ...args) => timeProcess(process.execPath, [cli, ...args], { cwd: repo, okCodes: [0, 2] });
  try {
    const colds = [];
    const applies = [];
    for (let i = 0; i < RUNS; i++) {
      const repo = makeRepo(count);
      repos.push(repo);
      colds.push(run(repo, "plan"));
      applies.push(run(repo, "apply", "--auto-approve"));
    }
    const repo = repos.at(-1);
    // The plan right after apply reuses the plan apply kept (nothing changed since); the second is
    // made in full from the files, with the manifest and digest caches warm.
    const noChange = run(repo, "plan");
    if (!noChange.stdout.includes("No changes.")) throw new Error(`no-change plan found changes:\n${noChange.stdout.slice(-500)}`);
    // The same plan again through the executable as installed, which replays the answer that plan kept.
    const replayed = timeProcess(process.execPath, [path.join(projectRoot, "dist/cli/assetctl.cjs"), "plan"], { cwd: repo, okCodes: [0, 2] });
    if (replayed.stdout !== noChange.stdout) throw new Error(`the replayed plan differs:\n${replayed.stdout.slice(-500)}`);
    rmSync(path.join(repo, ".assetctl", "cache", "plan.json"), { force: true });
    const noChangeFull = run(repo, "plan");
    if (!noChangeFull.stdout.includes("No changes.")) throw new Error(`no-change plan found changes:\n${noChangeFull.stdout.slice(-500)}`);

    let tf;
    if (terraformAvailable()) {
      const env = { ...process.env, TF_IN_AUTOMATION: "1", TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1" };
      const tfDirs = [];
      try {
        tf = { cold: [], apply: [] };
        for (let i = 0; i < RUNS; i++) {
          const tfDir = makeTerraform(count);
          tfDirs.push(tfDir);
          const terraform = (...args) => timeProcess("terraform", args, { cwd: tfDir, env, okCodes: [0, 2] });
          terraform("init", "-input=false");
          tf.cold.push(terraform("plan", "-input=false", "-lock=false"));
          tf.apply.push(terraform("apply", "-auto-approve", "-input=false"));
          if (i === RUNS - 1) tf.noChange = terraform("plan", "-input=false", "-detailed-exitcode");
        }
      } finally {
        for (const tfDir of tfDirs) rmSync(tfDir, { recursive: true, force: true });
      }
    } else {
      console.log("\n(terraform is not on PATH: the Terraform comparison is skipped)");
    }
    /** One measurement, or the median of several with their range. */
    const figure = (measured) => {
      if (measured === undefined) return undefined;
      if (!Array.isArray(measured)) return { ms: measured.ms, text: formatMs(measured.ms) };
      const times = measured.map((m) => m.ms);
      const ms = median(times);
      return { ms, text: `${formatMs(ms)} (${formatMs(Math.min(...times))}–${formatMs(Math.max(...times))})` };
    };
    const row = (measure, mine, theirs, target) => {
      const a = figure(mine);
      const b = figure(theirs);
      const ratio = b ? b.ms / a.ms : undefined;
      return {
        measure,
        value: a.text,
        baseline: b ? `${b.text} (terraform)` : undefined,
        ratio: ratio ? `${ratio.toFixed(1)}× faster` : undefined,
        target: target ? `≥ ${target}× faster` : undefined,
        met: target && ratio ? ratio >= target : undefined,
      };
    };
    printTable(`plan and apply ${count} assets (embedded registry) vs terraform_data; cold plan and apply: median of ${RUNS}`, [
      row("cold plan (empty registry)", colds, tf?.cold),
      row("apply", applies, tf?.apply, 10),
      row("no-change plan (reusing the plan apply kept)", noChange, tf?.noChange, 10),
      row("no-change plan again (the executable replays its answer)", replayed, tf?.noChange, 10),
      row("no-change plan, kept plan removed (files re-read)", noChangeFull, tf?.noChange),
    ]);
  } finally {
    for (const repo of repos) rmSync(repo, { recursive: true, force: true });
  }
}
