// `npm run bench`: every benchmark, each figure beside its baseline measured in the same run.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchCoreLoop } from "./core-loop.mjs";
import { benchValidate } from "./validate.mjs";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const only = process.argv.slice(2);
const sections = { validate: () => benchValidate(projectRoot), "core-loop": () => benchCoreLoop(projectRoot) };

console.log(`assetctl benchmarks — node ${process.version}, ${(await import("node:os")).cpus().length} cores`);
for (const [name, section] of Object.entries(sections)) {
  if (only.length > 0 && !only.includes(name)) continue;
  await section();
}
