import { afterEach, describe, expect, it } from "vitest";
import { WorkTree, type SourceTree } from "../../source/tree.js";
import { manifestsFrom, render, tempRepo, type RepoEntry, type TempRepo } from "./fixture.test-helper.js";
import { checkLocalPaths } from "./local-paths.js";

const MODEL = "$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json";
const DATA = "$schema: https://azuremlschemas.azureedge.net/latest/data.schema.json";
const ENV = "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json";
const COMPONENT = "$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json";
const PIPELINE = "$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json";

let repo: TempRepo | undefined;
afterEach(async () => {
  await repo?.remove();
  repo = undefined;
});

/** The working tree through the promise API only: the rule's way for trees that cannot answer at once. */
function promisesOnly(tree: SourceTree): SourceTree {
  return {
    root: tree.root,
    label: tree.label,
    listFiles: () => tree.listFiles(),
    stat: (p) => tree.stat(p),
    readDir: (p) => tree.readDir(p),
    readFile: (p, max) => tree.readFile(p, max),
    readLink: (p) => tree.readLink(p),
  };
}

async function check(files: Record<string, RepoEntry>, manifests: Record<string, string>): Promise<string> {
  repo = await tempRepo({ ...files, ...manifests });
  const found = render(await checkLocalPaths({ manifests: manifestsFrom(manifests), tree: repo.tree }));
  // Every way of asking the tree says the same: through promises, and as one run's tree that listed
  // the repository first (folders on the way then come from the listing).
  expect(render(await checkLocalPaths({ manifests: manifestsFrom(manifests), tree: promisesOnly(repo.tree) }))).toBe(found);
  const run = new WorkTree(repo.root, { shareStats: true });
  await run.listFiles();
  expect(render(await checkLocalPaths({ manifests: manifestsFrom(manifests), tree: run }))).toBe(found);
  return found;
}

const LFS_POINTER = [
  "version https://git-lfs.github.com/spec/v1",
  "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393",
  "size 12345",
  "",
].join("\n");

describe("local paths", () => {
  it("accepts files and folders inside the repository, URIs and references", async () => {
    const out = await check(
      {
        "models/iris/model.pkl": "binary",
        "data/train/part-0.csv": "a,b",
        "env/context/Dockerfile": "FROM python",
        "env/conda.yml": "dependencies: []",
        "components/src/train.py": "print()",
        "components/common/lib.py": "",
        "pipelines/prep.yml": `${COMPONENT}\nname: prep\ncommand: echo\nenvironment:\n  image: python\n`,
        "shared/data.csv": "x",
        "linked": { symlink: "data/train" },
      },
      {
        "models/iris/model.yml": `${MODEL}\nname: iris\npath: model.pkl\n`,
        "data/train.yml": `${DATA}\nname: train\ntype: uri_folder\npath: ./train\n`,
        "data/linked.yml": `${DATA}\nname: linked\npath: ../linked\n`,
        "data/remote.yml": `${DATA}\nname: remote\npath: wasbs://c@acct.blob.core.windows.net/x\n`,
        "env/build.yml": `${ENV}\nname: built\nbuild:\n  path: context\n`,
        "env/image.yml": `${ENV}\nname: img\nimage: python\nconda_file: conda.yml\n`,
        "components/train.yml": [
          COMPONENT,
          "name: train",
          "code: ./src",
          "additional_includes: [common, ../shared/data.csv]",
          "environment: {image: python, conda_file: ../env/conda.yml}",
          "command: python train.py",
        ].join("\n"),
        "pipelines/pipe.yml": [
          PIPELINE,
          "jobs:",
          "  a:",
          "    component: ./prep.yml",
          "    inputs:",
          "      d: {type: uri_file, path: ../shared/data.csv}",
          "      r: {type: uri_folder, path: azureml://datastores/ws/paths/x}",
          "      b: ${{parent.inputs.x}}",
          "      e: {type: uri_folder, path: './runs/${{name}}'}",
          "  b:",
          "    component: file:prep.yml",
          "  c:",
          "    component: azureml://registries/azureml/components/x/labels/latest",
          "  d:",
          "    component: azureml:prep@latest",
        ].join("\n"),
      },
    );
    expect(out).toBe("");
  });

  it("reports a missing path with the resolved location and a near-miss sibling", async () => {
    const out = await check(
      { "env/conda.yml": "dependencies: []" },
      {
        "env/env.yml": `${ENV}\nname: e\nimage: python\nconda_file: conda.yaml\n`,
        "data/d.yml": `${DATA}\nname: d\npath: ./nowhere/file.csv\ntype: uri_file\n`,
      },
    );
    expect(out).toMatchInlineSnapshot(`
      "data/d.yml:3:7 error path-missing: path: data/nowhere/file.csv does not exist
          hint: Relative paths resolve against data/, the manifest's folder. Fix the path or add the file, or name data kept elsewhere by URI (azureml://datastores/<datastore>/paths/<path>, https://…).
      env/env.yml:4:13 error path-missing: conda_file: env/conda.yaml does not exist
          hint: Did you mean ./conda.yml? Relative paths resolve against env/, the manifest's folder."
    `);
  });

  it("refuses paths that leave the repository through .. or an absolute path", async () => {
    const out = await check(
      {},
      {
        "m/model.yml": `${MODEL}\nname: m\npath: ../../outside.pkl\n`,
        "m/abs.yml": `${MODEL}\nname: a\npath: /etc/passwd\n`,
      },
    );
    expect(out).toMatchInlineSnapshot(`
      "m/abs.yml:3:7 error path-escapes-repo: path: /etc/passwd is an absolute path; a manifest may only name files inside the repository
          hint: Move the files into the repository and write a path relative to m/, the manifest's folder, or name data kept elsewhere by URI (azureml://datastores/<datastore>/paths/<path>, https://…).
      m/model.yml:3:7 error path-escapes-repo: path: ../../outside.pkl leaves the repository (relative paths resolve against m/, the manifest's folder)
          hint: Move the files into the repository and name them with a path that stays inside it, or name data kept elsewhere by URI (azureml://datastores/<datastore>/paths/<path>, https://…)."
    `);
  });

  it("suggests the relative form of an absolute path that is inside the repository", async () => {
    repo = await tempRepo({ "m/model.pkl": "x" });
    const manifests = manifestsFrom({ "m/model.yml": `${MODEL}\nname: m\npath: ${repo.root}/m/model.pkl\n` });
    const [diagnostic] = await checkLocalPaths({ manifests, tree: repo.tree });
    expect(diagnostic?.code).toBe("path-escapes-repo");
    expect(diagnostic?.hint).toBe("Write ./model.pkl instead: relative paths resolve against m/, the manifest's folder, on every machine.");
  });

  it("follows symlinks component by component and refuses those leaving the repository or looping", async () => {
    const out = await check(
      {
        "../outside/model.pkl": "secret weights",
        "models/current": { symlink: "../../outside" },
        "models/hop": { symlink: "current" },
        "loop/a": { symlink: "b" },
        "loop/b": { symlink: "a" },
        "abs": { symlink: "/etc" },
      },
      {
        "m1.yml": `${MODEL}\nname: m1\npath: models/current/model.pkl\n`,
        "m2.yml": `${MODEL}\nname: m2\npath: models/hop\n`,
        "m3.yml": `${MODEL}\nname: m3\npath: loop/a/x\n`,
        "m4.yml": `${MODEL}\nname: m4\npath: abs/hosts\n`,
      },
    );
    expect(out).toMatchInlineSnapshot(`
      "m1.yml:3:7 error symlink-escapes-repo: path: models/current/model.pkl goes through the symlink models/current, which points outside the repository (to ../../outside)
          hint: Copy the content into the repository (Git LFS suits large files) or name it by URI. assetctl reads only the repository, so that a plan means the same on every machine.
      m2.yml:3:7 error symlink-escapes-repo: path: models/hop goes through the symlink models/current, which points outside the repository (to ../../outside)
          hint: Copy the content into the repository (Git LFS suits large files) or name it by URI. assetctl reads only the repository, so that a plan means the same on every machine.
      m3.yml:3:7 error symlink-loop: path: loop/a/x cannot be resolved: the symlinks loop/a → loop/b → loop/a form a loop
          hint: Point one of these symlinks at a real file or folder.
      m4.yml:3:7 error symlink-escapes-repo: path: abs/hosts goes through the symlink abs, which points outside the repository (to /etc)
          hint: Copy the content into the repository (Git LFS suits large files) or name it by URI. assetctl reads only the repository, so that a plan means the same on every machine."
    `);
  });

  it("reports a dangling symlink as a missing path", async () => {
    const out = await check({ "data/latest": { symlink: "v2" } }, { "d.yml": `${DATA}\nname: d\npath: data/latest\n` });
    expect(out).toMatchInlineSnapshot(`
      "d.yml:3:7 error path-missing: path: data/v2 does not exist
          hint: Relative paths resolve against the repository root. Fix the path or add the file, or name data kept elsewhere by URI (azureml://datastores/<datastore>/paths/<path>, https://…)."
    `);
  });

  it("refuses FIFOs, named directly or inside an uploaded folder, without opening them", async () => {
    const out = await check(
      {
        "data/pipe": { fifo: true },
        "model/weights.bin": "w",
        "model/feed": { fifo: true },
        "model/escape": { symlink: "../../.." },
        "model/self": { symlink: "." },
      },
      {
        "d.yml": `${DATA}\nname: d\ntype: uri_file\npath: data/pipe\n`,
        "m.yml": `${MODEL}\nname: m\npath: model\n`,
      },
    );
    expect(out).toMatchInlineSnapshot(`
      "d.yml:4:7 error path-not-regular: path: data/pipe is a special file (a FIFO, socket or device), not a regular file or folder
          hint: Replace it with a regular file. assetctl never opens special files: reading a FIFO would wait forever.
      m.yml:3:7 error path-not-regular: path: model contains model/feed, a special file (a FIFO, socket or device)
          hint: Remove it from the folder. assetctl never opens special files: reading a FIFO would wait forever.
      m.yml:3:7 error symlink-escapes-repo: path: model contains the symlink model/escape, which points outside the repository (to ../../..)
          hint: Replace the symlink with the content itself (Git LFS suits large files): assetctl reads only the repository.
      m.yml:3:7 error symlink-loop: path: model contains the symlink loop model/self → model
          hint: Remove the symlink or point it at a real file or folder outside its own ancestors."
    `);
  });

  it("refuses Git LFS pointers given as model or data content", async () => {
    const out = await check(
      {
        "m/model.pkl": LFS_POINTER,
        "folder/a.bin": LFS_POINTER,
        "folder/readme.txt": "real text",
        "code/weights.bin": LFS_POINTER,
      },
      {
        "m/model.yml": `${MODEL}\nname: m\npath: model.pkl\n`,
        "d.yml": `${DATA}\nname: d\npath: folder\n`,
        "c.yml": `${COMPONENT}\nname: c\ncode: code\ncommand: x\nenvironment: {image: python}\n`,
      },
    );
    expect(out).toMatchInlineSnapshot(`
      "d.yml:3:7 error lfs-pointer: path: folder holds Git LFS pointers instead of the data files: folder/a.bin
          hint: Run \`git lfs pull\` so the real files are in the working tree, then run assetctl again; registering a pointer would version 130 bytes of text instead of the content.
      m/model.yml:3:7 error lfs-pointer: path: m/model.pkl is a Git LFS pointer, not the model itself
          hint: Run \`git lfs pull\` so the real files are in the working tree, then run assetctl again; registering a pointer would version 130 bytes of text instead of the content."
    `);
  });

  it("checks that each field names a file or a folder as Azure ML requires", async () => {
    const out = await check(
      { "f/x.csv": "x", "env/context/Dockerfile": "FROM x", "comp/c.yml": "{}" },
      {
        "d1.yml": `${DATA}\nname: d1\ntype: uri_file\npath: f\n`,
        "d2.yml": `${DATA}\nname: d2\npath: f/x.csv\n`,
        "e.yml": `${ENV}\nname: e\nbuild: {path: env/context/Dockerfile}\n`,
        "p.yml": `${PIPELINE}\njobs:\n  a:\n    component: comp\n`,
      },
    );
    expect(out).toMatchInlineSnapshot(`
      "d1.yml:4:7 error path-type-mismatch: path: f is a folder, but a uri_file is one file
          hint: Point path at one file, or declare type: uri_folder.
      d2.yml:3:7 error path-type-mismatch: path: f/x.csv is a file, but a uri_folder is a folder
          hint: Point path at the folder, or declare type: uri_file.
      e.yml:3:15 error path-type-mismatch: build.path: env/context/Dockerfile is a file, but build.path is the Docker build context folder
          hint: Point it at the folder that contains the file.
      p.yml:4:16 error path-type-mismatch: jobs.a.component: comp is a folder, but a component is named by its YAML file
          hint: Point it at the file inside the folder."
    `);
  });
});
