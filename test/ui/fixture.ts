// A repository of the example assets applied twice (the second time with a retrained model, a hostile
// description, tag and commit message), for the UI's route and browser tests.
import { readFileSync } from "node:fs";
import path from "node:path";
import { projectRoot, TempRepo } from "../e2e/harness.js";

/** Markup that must come out as text wherever it is shown. */
export const HOSTILE = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`;

export async function exampleRepo(): Promise<TempRepo> {
  const repo = new TempRepo();
  repo.copyFrom(path.join(projectRoot, "assets"), "assets");
  repo.commit("Add the example assets");
  await applyOrThrow(repo);
  const model = repo.read("assets/models/regressor.yml").replace(
    "description: Linear regression of house prices, pickled.",
    `description: ${JSON.stringify(`Retrained. ${HOSTILE}`)}`,
  ).replace("task: regression", `task: regression\n  note: ${JSON.stringify(HOSTILE)}`);
  repo.write({
    "assets/models/regressor.yml": model,
    "assets/models/regressor.pkl": Buffer.concat([readFileSync(path.join(repo.root, "assets/models/regressor.pkl")), Buffer.from("retrained")]),
  });
  repo.commit(`Retrain the regressor ${HOSTILE}`);
  await applyOrThrow(repo);
  return repo;
}

async function applyOrThrow(repo: TempRepo): Promise<void> {
  const result = await repo.run(["apply", "--auto-approve"]);
  if (result.code !== 0) throw new Error(`apply failed:\n${result.stdout}\n${result.stderr}`);
}
