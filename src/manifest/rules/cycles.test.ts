import { describe, expect, it } from "vitest";
import { WorkTree } from "../../source/tree.js";
import { checkCycles } from "./cycles.js";
import { manifestsFrom, render } from "./fixture.test-helper.js";

const PIPELINE = "$schema: https://azuremlschemas.azureedge.net/latest/pipelineComponent.schema.json";
const COMMAND = "$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json";
const ENV = "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json";

// The rule reads no files.
const tree = new WorkTree("/nonexistent");
const check = (files: Record<string, string>, anonymous: string[] = []) =>
  render(checkCycles({ manifests: manifestsFrom(files, Object.fromEntries(anonymous.map((f) => [f, { anonymous: true }]))), tree }));
const pipeline = (name: string, component: string, version = "") => `${PIPELINE}\ntype: pipeline\nname: ${name}\n${version}jobs:\n  step:\n    component: ${component}\n`;

describe("cycles", () => {
  it("accepts chains, diamonds, an older version of itself and references the repository does not define", () => {
    expect(
      check({
        "env.yml": `${ENV}\nname: env\nimage: python\n`,
        "train.yml": `${COMMAND}\nname: train\ncommand: x\nenvironment: azureml:env@latest\n`,
        "a.yml": pipeline("a", "azureml:train@latest"),
        "b.yml": pipeline("b", "azureml:a@latest"),
        "c.yml": pipeline("c", "azureml:a@latest"),
        "d.yml": pipeline("d", "./b.yml"),
        "v2.yml": pipeline("v", "azureml:v:1", 'version: "2"\n'),
        "far.yml": pipeline("far", "azureml:elsewhere:3"),
      }),
    ).toBe("");
  });

  it("reports each cycle once, at the reference that closes it in the first file", () => {
    expect(
      check(
        {
          "p/a.yml": pipeline("a", "azureml:b:1", 'version: "1"\n'),
          "p/b.yml": pipeline("b", "azureml:c@latest", 'version: "1"\n'),
          "p/c.yml": pipeline("c", "azureml:a:1"),
          "q/x.yml": pipeline("x", "./y.yml"),
          "q/y.yml": pipeline("y", "./x.yml"),
          "r/self.yml": pipeline("self", "./self.yml"),
          "s/pinned.yml": pipeline("pinned", "azureml:pinned:1", 'version: "1"\n'),
        },
        ["q/x.yml", "q/y.yml", "r/self.yml"],
      ),
    ).toMatchInlineSnapshot(`
      "p/a.yml:7:16 error reference-cycle: jobs.step.component: the manifests p/a.yml → p/b.yml → p/c.yml → p/a.yml use each other in a cycle, so none of them can be created first
          hint: Break the cycle: an asset can use another only if that one does not, through any chain, use it back.
      q/x.yml:6:16 error reference-cycle: jobs.step.component: the manifests q/x.yml → q/y.yml → q/x.yml use each other in a cycle, so none of them can be created first
          hint: Break the cycle: an asset can use another only if that one does not, through any chain, use it back.
      r/self.yml:6:16 error reference-cycle: jobs.step.component: the manifests r/self.yml → r/self.yml use each other in a cycle, so none of them can be created first
          hint: Break the cycle: an asset can use another only if that one does not, through any chain, use it back.
      s/pinned.yml:7:16 error reference-cycle: jobs.step.component: the manifests s/pinned.yml → s/pinned.yml use each other in a cycle, so none of them can be created first
          hint: Break the cycle: an asset can use another only if that one does not, through any chain, use it back."
    `);
  });
});
