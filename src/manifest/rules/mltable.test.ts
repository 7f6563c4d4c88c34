import { afterEach, describe, expect, it } from "vitest";
import { manifestsFrom, render, tempRepo, type TempRepo } from "./fixture.test-helper.js";
import { checkMltable } from "./mltable.js";

const DATA = "$schema: https://azuremlschemas.azureedge.net/latest/data.schema.json";
const PIPELINE = "$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json";

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.remove();
  repo = undefined;
});

describe("mltable folders", () => {
  it("accepts a folder with an MLTable file, and remote or non-mltable data", async () => {
    repo = await tempRepo({ "t/MLTable": "paths: []", "t/x.csv": "", "plain/x.csv": "" });
    const manifests = manifestsFrom({
      "a.yml": `${DATA}\nname: a\ntype: mltable\npath: t\n`,
      "b.yml": `${DATA}\nname: b\ntype: mltable\npath: azureml://datastores/ws/paths/t\n`,
      "c.yml": `${DATA}\nname: c\ntype: uri_folder\npath: plain\n`,
      "p.yml": `${PIPELINE}\njobs:\n  s:\n    inputs:\n      t: {type: mltable, path: ./t}\n`,
    });
    expect(await checkMltable({ manifests, tree: repo.tree })).toEqual([]);
  });

  it("reports a folder without MLTable, naming a look-alike file when there is one", async () => {
    repo = await tempRepo({ "t/MLTable.yaml": "paths: []", "u/x.csv": "" });
    const manifests = manifestsFrom({
      "a.yml": `${DATA}\nname: a\ntype: mltable\npath: t\n`,
      "p.yml": `${PIPELINE}\njobs:\n  s:\n    inputs:\n      t: {type: mltable, path: ./u}\n`,
    });
    expect(render(await checkMltable({ manifests, tree: repo.tree }))).toMatchInlineSnapshot(`
      "a.yml:4:7 error mltable-missing: path: t has no file named MLTable, which type: mltable needs
          hint: Rename MLTable.yaml to MLTable: Azure ML looks for that exact name.
      p.yml:5:32 error mltable-missing: jobs.s.inputs.t.path: u has no file named MLTable, which type: mltable needs
          hint: Add an MLTable file describing the table (paths:, transformations:) to the folder, or declare type: uri_folder."
    `);
  });
});
