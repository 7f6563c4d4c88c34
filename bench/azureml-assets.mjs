// Benchmark: an azureml-assets-sized tree (the sample of ../shared/corpus/azureml-assets replicated under
// distinct names to some 790 assets), cold and warm validate and plan against the embedded registry.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { formatMs, median, printTable, timeProcess } from "./measure.mjs";

const EXCLUDE = ["system/", "sample/general/jobs/", "training/"];

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const abs = path.join(dir, name);
    if (statSync(abs).isDirectory()) walk(abs, out);
    else out.push(abs);
  }
  return out;
}

/** The sample, and `copies - 1` renamed copies of it (`assets-rN/`, names suffixed `_rN`). */
export function makeAssetsRepo(corpus, copies) {
  const repo = mkdtempSync(path.join(os.tmpdir(), "assetctl-bench-aa-"));
  const roots = [];
  for (let i = 0; i < copies; i++) {
    const root = i === 0 ? "assets" : `assets-r${i}`;
    roots.push(root);
    cpSync(path.join(corpus, "assets"), path.join(repo, root), { recursive: true });
    if (i === 0) continue;
    for (const file of walk(path.join(repo, root))) {
      const base = path.basename(file);
      if (base !== "asset.yaml" && base !== "spec.yaml") continue;
      const text = readFileSync(file, "utf8");
      // A literal name (not a placeholder) gets the copy's suffix: `_rN` is valid in every kind's names.
      writeFileSync(file, text.replace(/^name: ([^"{\s][^\s#]*)\s*$/m, `name: $1_r${i}`));
    }
  }
  execFileSync("chmod", ["-R", "u+w", repo]);
  writeFileSync(path.join(repo, "assetctl.yaml"), `exclude:\n${roots.flatMap((r) => EXCLUDE.map((e) => `  - ${r}/${e}\n`)).join("")}`);
  writeFileSync(path.join(repo, ".gitignore"), ".assetctl/\n");
  const git = (...args) => execFileSync("git", args, { cwd: repo, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("-c", "user.email=bench@example.com", "-c", "user.name=bench", "add", "-A");
  git("-c", "user.email=bench@example.com", "-c", "user.name=bench", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "assets");
  const assets = walk(repo).filter((f) => path.basename(f) === "asset.yaml" && !f.includes(`${path.sep}.git${path.sep}`)).length;
  return { repo, assets };
}

export async function benchAzuremlAssets(projectRoot, copies = 9) {
  const corpus = path.resolve(projectRoot, "../shared/corpus/azureml-assets");
  if (!existsSync(corpus)) throw new Error(`the azureml-assets corpus is missing: ${corpus}`);
  const cli = path.join(projectRoot, "dist/cli/bin.js");
  const { repo, assets } = makeAssetsRepo(corpus, copies);
  const run = (...args) => timeProcess(process.execPath, [cli, ...args], { cwd: repo, okCodes: [0, 2] });
  const cache = path.join(repo, ".assetctl", "cache");
  const cold = (...args) => {
    rmSync(cache, { recursive: true, force: true });
    return run(...args);
  };
  try {
    const coldValidate = cold("validate");
    const warmValidate = median([run("validate").ms, run("validate").ms, run("validate").ms]);
    const coldFirstPlan = cold("plan");
    const apply = run("apply", "--auto-approve");
    const coldPlan = cold("plan");
    if (!coldPlan.stdout.includes("No changes.")) throw new Error(`expected no changes:\n${coldPlan.stdout.slice(-400)}`);
    const warmPlan = median([run("plan").ms, run("plan").ms, run("plan").ms]);
    printTable(`azureml-assets layout: ${assets} assets (the sample ×${copies})`, [
      { measure: "validate, cold (cache removed)", value: formatMs(coldValidate.ms), target: "≤ 1.5 s", met: coldValidate.ms <= 1500 },
      { measure: "validate, warm (median of 3)", value: formatMs(warmValidate), baseline: formatMs(coldValidate.ms), ratio: `${(coldValidate.ms / warmValidate).toFixed(1)}× faster`, target: "≤ 0.5 s", met: warmValidate <= 500 },
      { measure: "plan on an empty registry, cold", value: formatMs(coldFirstPlan.ms), target: "≤ 3 s", met: coldFirstPlan.ms <= 3000 },
      { measure: `apply (for reference)`, value: formatMs(apply.ms) },
      { measure: "no-change plan, cold (cache removed)", value: formatMs(coldPlan.ms), target: "≤ 3 s", met: coldPlan.ms <= 3000 },
      { measure: "no-change plan, warm (median of 3)", value: formatMs(warmPlan), baseline: formatMs(coldPlan.ms), ratio: `${(coldPlan.ms / warmPlan).toFixed(1)}× faster`, target: "≤ 0.5 s", met: warmPlan <= 500 },
    ]);
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}
