import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../diagnostics.js";
import { placeholdersIn, renderTemplate } from "./azureml-assets.js";
import { loadManifests } from "./load.js";
import { MemoryTree } from "./memory-tree.test-helper.js";

const line = (d: Diagnostic) => `${d.file}:${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`;

const environment = {
  "envs/py/asset.yaml": "name: py-3.11\nversion: auto\ntype: environment\nspec: spec.yaml\nextra_config: environment.yaml\n",
  "envs/py/spec.yaml": `$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json
name: "{{asset.name}}"
version: "{{asset.version}}"
build:
  path: "{{asset.repo.url}}#{{asset.repo.commit_hash}}:{{asset.repo.build_context.path}}"
  dockerfile_path: "{{image.dockerfile.path}}"
tags:
  Image: "{{image.publish.hostname}}/{{image.name}}"
  readme: README.md
`,
  "envs/py/environment.yaml": "image:\n  name: azureml/py\n  os: linux\n  context:\n    dir: context\n    dockerfile: Dockerfile\n  publish:\n    location: mcr\n    visibility: public\n",
  "envs/py/context/Dockerfile": "FROM python:{{latest-image-tag}}\n",
  "envs/py/README.md": "all about it\n",
};

const model = {
  "models/phi/asset.yaml": "extra_config: model.yaml\nspec: spec.yaml\ntype: model\n",
  "models/phi/spec.yaml": `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json
name: Phi-3.5-mini
path: ./
version: 2
isArchived: true
tags:
  contextLength: 16384
  defaults: {a: 1, b: [x, "é"]}
system_metadata:
  alias: phi
`,
  "models/phi/model.yaml": "path:\n  type: azureblob\n  storage_name: acct\n  container_name: models\n  container_path: phi/v2\npublish:\n  description: description.md\n  type: custom_model\n",
  "models/phi/description.md": "A small model.\n",
};

describe("the azureml-assets layout", () => {
  it("renders a spec from its asset.yaml and extra config, as the publisher does", async () => {
    const { manifests, diagnostics } = await loadManifests(new MemoryTree({ ...environment, ...model }));
    expect(diagnostics.filter((d) => d.severity === "error").map(line)).toEqual([]);
    const env = manifests.find((m) => m.kind === "environment");
    expect(env).toMatchObject({ name: "py-3.11", version: undefined, layout: "azureml-assets" });
    expect(env?.spec).toMatchObject({
      build: { path: "context", dockerfile_path: "Dockerfile" },
      tags: { Image: "mcr.microsoft.com/azureml/py", readme: "all about it\n" },
    });
    const phi = manifests.find((m) => m.kind === "model");
    expect(phi).toMatchObject({ name: "Phi-3.5-mini", version: "2" });
    expect(phi?.spec).toMatchObject({
      path: "https://acct.blob.core.windows.net/models/phi/v2",
      description: "A small model.\n",
      isArchived: true,
      // Python's json.dumps: `, ` and `: `, non-ASCII escaped.
      tags: { contextLength: "16384", defaults: '{"a": 1, "b": ["x", "\\u00e9"]}' },
    });
    expect(diagnostics.filter((d) => d.severity === "warning").map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`)).toEqual([
      "envs/py/context/Dockerfile:1:13 environment-pin-unresolved",
      "models/phi/spec.yaml:5:1 registry-only-key",
      "models/phi/spec.yaml:8:13 tag-value-not-text",
    ]);
  });

  it("registers a data asset from the storage its storage.yaml names, not from the spec's sample folder", async () => {
    const { manifests, diagnostics } = await loadManifests(
      new MemoryTree({
        "data/gpqa/asset.yaml": "name: gpqa\nversion: 2\ntype: data\nspec: spec.yaml\nextra_config: storage.yaml\n",
        "data/gpqa/spec.yaml": '$schema: https://azuremlschemas.azureedge.net/latest/data.schema.json\nname: "{{asset.name}}"\nversion: "{{asset.version}}"\ntype: uri_folder\npath: sample_data/\n',
        "data/gpqa/storage.yaml": "path:\n  container_name: data\n  container_path: bench/gpqa/v1\n  storage_name: benchdata\n  type: azureblob\n",
        "data/gpqa/sample_data/rows.csv": "a,b\n",
      }),
    );
    expect(diagnostics.filter((d) => d.severity === "error").map(line)).toEqual([]);
    expect(manifests).toHaveLength(1);
    expect(manifests[0]).toMatchObject({ kind: "data", name: "gpqa", version: "2" });
    expect(manifests[0]?.spec["path"]).toBe("https://benchdata.blob.core.windows.net/data/bench/gpqa/v1");
  });

  it("locates every mistake of an asset.yaml with a stable code", async () => {
    const { diagnostics } = await loadManifests(
      new MemoryTree({
        "a/asset.yaml": "type: component\nspec: missing.yaml\n",
        "b/asset.yaml": "type: widget\nspec: spec.yaml\n",
        "c/asset.yaml": "type: environment\nspec: spec.yaml\nversion: [1]\nextra_config: env.yaml\n",
        "c/spec.yaml": "name: c\nimage: x\n",
        "d/asset.yaml": "type: prompt\nspec: spec.yaml\n",
        "e/asset.yaml": "no: layout\n",
      }),
    );
    expect(diagnostics.map(line)).toEqual([
      'a/asset.yaml:2:7 error asset-file-missing "spec" names a/missing.yaml, which does not exist',
      'b/asset.yaml:1:7 error asset-config-invalid "type" must be one of component, data, environment, model, not "widget"',
      'c/asset.yaml:3:10 error asset-config-invalid "version" must be a version (such as 1 or 0.0.3) or "auto"',
      'c/asset.yaml:4:15 error asset-file-missing "extra_config" names c/env.yaml, which does not exist',
      "d/asset.yaml:1:7 warning asset-type-unmanaged d/asset.yaml declares a prompt asset, a generic azureml-assets type that is not an Azure ML asset assetctl manages, so it is not read",
    ]);
  });

  it("can be turned off in assetctl.yaml", async () => {
    const { manifests } = await loadManifests(new MemoryTree({ ...model, "assetctl.yaml": "layouts:\n  azureml-assets: false\n" }));
    // Without the layout the spec is read on its own: its `path: ./` is a local folder, and nothing is rendered.
    expect(manifests.map((m) => [m.file, m.spec["path"], m.layout])).toEqual([["models/phi/spec.yaml", "./", undefined]]);
  });

  it("renders placeholders on their own lines, leaves unknown ones and ${{…}} expressions", () => {
    const values = new Map([["asset.name", "n"]]);
    expect(renderTemplate("name: {{asset.name}}\nx: {{other}}\ncmd: ${{inputs.a}}\n", values)).toBe("name: n\nx: {{other}}\ncmd: ${{inputs.a}}\n");
    expect(placeholdersIn("a: 1\nb: '{{x}}' {{ y }}\n")).toEqual([
      { placeholder: "{{x}}", key: "x", at: { line: 2, column: 5 } },
      { placeholder: "{{ y }}", key: "y", at: { line: 2, column: 12 } },
    ]);
  });
});
