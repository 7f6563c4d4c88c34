// Benchmark: plan and apply of 1,000 assets on the embedded registry, beside Terraform managing 1,000
// `terraform_data` resources (built in: no provider download) in the same run.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { formatMs, printTable, timeProcess } from "./measure.mjs";

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

export async function benchCoreLoop(projectRoot, count = 1000) {
  const cli = path.join(projectRoot, "dist/cli/bin.js");
  const repo = makeRepo(count);
  const run = (...args) => timeProcess(process.execPath, [cli, ...args], { cwd: repo, okCodes: [0, 2] });
  try {
    const cold = run("plan");
    const apply = run("apply", "--auto-approve");
    // The plan right after apply reuses the plan apply kept (nothing changed since); the second is
    // made in full from the files, with the manifest and digest caches warm.
    const noChange = run("plan");
    if (!noChange.stdout.includes("No changes.")) throw new Error(`no-change plan found changes:\n${noChange.stdout.slice(-500)}`);
    // The same plan again through the executable as installed, which replays the answer that plan kept.
    const replayed = timeProcess(process.execPath, [path.join(projectRoot, "dist/cli/assetctl.cjs"), "plan"], { cwd: repo, okCodes: [0, 2] });
    if (replayed.stdout !== noChange.stdout) throw new Error(`the replayed plan differs:\n${replayed.stdout.slice(-500)}`);
    rmSync(path.join(repo, ".assetctl", "cache", "plan.json"), { force: true });
    const noChangeFull = run("plan");
    if (!noChangeFull.stdout.includes("No changes.")) throw new Error(`no-change plan found changes:\n${noChangeFull.stdout.slice(-500)}`);

    let tf;
    if (terraformAvailable()) {
      const tfDir = makeTerraform(count);
      const env = { ...process.env, TF_IN_AUTOMATION: "1", TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1" };
      const terraform = (...args) => timeProcess("terraform", args, { cwd: tfDir, env, okCodes: [0, 2] });
      try {
        terraform("init", "-input=false");
        tf = {
          cold: terraform("plan", "-input=false", "-lock=false"),
          apply: terraform("apply", "-auto-approve", "-input=false"),
          noChange: terraform("plan", "-input=false", "-detailed-exitcode"),
        };
      } finally {
        rmSync(tfDir, { recursive: true, force: true });
      }
    } else {
      console.log("\n(terraform is not on PATH: the Terraform comparison is skipped)");
    }
    const row = (measure, mine, theirs, target) => {
      const ratio = theirs ? theirs.ms / mine.ms : undefined;
      return {
        measure,
        value: formatMs(mine.ms),
        baseline: theirs ? `${formatMs(theirs.ms)} (terraform)` : undefined,
        ratio: ratio ? `${ratio.toFixed(1)}× faster` : undefined,
        target: target ? `≥ ${target}× faster` : undefined,
        met: target && ratio ? ratio >= target : undefined,
      };
    };
    printTable(`plan and apply ${count} assets (embedded registry) vs terraform_data`, [
      row("cold plan (empty registry)", cold, tf?.cold),
      row("apply", apply, tf?.apply, 10),
      row("no-change plan (reusing the plan apply kept)", noChange, tf?.noChange, 10),
      row("no-change plan again (the executable replays its answer)", replayed, tf?.noChange, 10),
      row("no-change plan, kept plan removed (files re-read)", noChangeFull, tf?.noChange),
    ]);
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}
