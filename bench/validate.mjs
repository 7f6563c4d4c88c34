// Benchmark: validating the whole shared corpus of Azure ML specs in one process.
import path from "node:path";
import { existsSync } from "node:fs";
import { formatMs, median, printTable, time } from "./measure.mjs";

export async function benchValidate(projectRoot) {
  const corpus = path.resolve(projectRoot, "../shared/corpus/azureml-examples");
  if (!existsSync(corpus)) {
    console.log(`\n## validate corpus\n\nskipped: ${corpus} is missing`);
    return;
  }
  const { WorkTree } = await import(path.join(projectRoot, "dist/source/tree.js"));
  const { validateRepository } = await import(path.join(projectRoot, "dist/manifest/validate.js"));
  const runs = [];
  let count = 0;
  for (let i = 0; i < 7; i++) {
    const { ms, value } = await time(() => validateRepository(new WorkTree(corpus)));
    runs.push(ms);
    count = value.manifests.length;
  }
  printTable(`validate the shared corpus (${count} manifests, one process)`, [
    { measure: "first run (cold)", value: formatMs(runs[0]), target: "< 1 s", met: runs[0] < 1000 },
    { measure: "median of 6 warm runs", value: formatMs(median(runs.slice(1))), target: "< 1 s", met: median(runs.slice(1)) < 1000 },
  ]);
}
