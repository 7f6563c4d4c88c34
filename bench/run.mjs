// `npm run bench`: every benchmark, each figure beside its baseline measured in the same run.
// `npm run bench -- validate watch` runs only the named sections.
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchAzure } from "./azure.mjs";
import { benchAzuremlAssets } from "./azureml-assets.mjs";
import { benchCoreLoop } from "./core-loop.mjs";
import { benchGc } from "./gc.mjs";
import { benchHashing } from "./hashing.mjs";
import { benchLineage } from "./lineage.mjs";
import { benchScale } from "./scale.mjs";
import { benchStartup } from "./startup.mjs";
import { benchTeamRegistry } from "./team-registry.mjs";
import { benchUi } from "./ui.mjs";
import { benchUiLive } from "./ui-live.mjs";
import { benchValidate } from "./validate.mjs";
import { benchWatch, benchWatchLatency } from "./watch.mjs";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const only = process.argv.slice(2);
const sections = {
  validate: () => benchValidate(projectRoot),
  "core-loop": () => benchCoreLoop(projectRoot),
  watch: () => benchWatch(projectRoot),
  scale: () => benchScale(projectRoot),
  hashing: () => benchHashing(projectRoot),
  team: () => benchTeamRegistry(projectRoot),
  lineage: () => benchLineage(projectRoot),
  gc: () => benchGc(projectRoot),
  startup: () => benchStartup(projectRoot),
  "watch-latency": () => benchWatchLatency(projectRoot),
  azure: () => benchAzure(projectRoot),
  ui: () => benchUi(projectRoot),
  "ui-live": () => benchUiLive(projectRoot),
  "azureml-assets": () => benchAzuremlAssets(projectRoot),
};

console.log(`assetctl benchmarks — node ${process.version}, ${os.availableParallelism()} cores, load ${os.loadavg()[0].toFixed(1)}`);
for (const [name, section] of Object.entries(sections)) {
  if (only.length > 0 && !only.includes(name)) continue;
  await section();
}
