// What the CLI prints in everyday use, end to end on the built CLI: the markdown plan's header, --quiet
// for scripts, and the events of watch --json checked against their published schema.
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TempRepo } from "./harness.js";

const MODEL = `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json
name: churn-model
description: First model.
path: ./model.pkl
`;

describe("the markdown plan", () => {
  let repo: TempRepo;
  afterEach(() => repo.remove());

  it("names the root and the registry's absolute location in its header, as the text plan does", async () => {
    repo = new TempRepo({ "ml/assetctl.yaml": "exclude: []\n", "ml/models/model.yml": MODEL, "ml/models/model.pkl": "weights" });
    repo.commit("a model");
    const root = path.join(repo.root, "ml");
    const md = await repo.run(["plan", "--format", "markdown"], { cwd: path.join(root, "models") });
    expect(md.code).toBe(0);
    expect(md.stdout).toMatch(/^<sub>Registry `(.+)` at serial 0; manifests from `[0-9a-f]{12}`, root `(.+)`\.<\/sub>$/m);
    expect(md.stdout).toContain(`<sub>Registry \`${path.join(root, ".assetctl/registry")}\` at serial 0;`);
    expect(md.stdout).toContain(`, root \`${root}\`.</sub>`);
  });
});
