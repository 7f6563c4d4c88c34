// The quick start's main job: plan and apply the example assets/ on the embedded registry, then plan
// again to show that the registry matches. Run by `npm start` after the build.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "dist", "cli", "bin.js");
const dir = path.join(root, "assets");

function assetctl(...args) {
  console.log(`\n$ assetctl ${args.join(" ")}`);
  const result = spawnSync(process.execPath, [cli, ...args, "--dir", dir], { stdio: "inherit" });
  if (result.status !== 0 && result.status !== 2) process.exit(result.status ?? 1);
  return result.status;
}

assetctl("validate");
assetctl("plan");
// The example lives inside this repository, whose working copy may hold unrelated edits.
assetctl("apply", "--auto-approve", "--allow-dirty");
assetctl("plan");
assetctl("list");
