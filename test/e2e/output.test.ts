// What the output says, end to end on the built CLI: plans that show old → new, the files of a changed
// artifact and the bytes to upload; validate as sharp as plan; JSON a script can trust; the CLI surface.
import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import { afterEach, describe, expect, it } from "vitest";
import { projectRoot, TempRepo } from "./harness.js";

/** Validates against schemas/output/NAME.schema.json, which may refer to its neighbours. */
function outputSchemaErrors(name: string, value: unknown): unknown {
  const ajv = new Ajv({ allErrors: true });
  for (const file of ["plan", "diff", "watch-event"]) ajv.addSchema(JSON.parse(readFileSync(path.join(projectRoot, "schemas/output", `${file}.schema.json`), "utf8")) as object);
  const validate = ajv.getSchema(`https://assetctl.dev/schemas/output/${name}.schema.json`);
  return validate?.(value) ? null : (validate?.errors ?? "no schema");
}

const FOLDER_MODEL = `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json
name: churn-model
description: First model.
type: custom_model
path: ./churn
`;

describe("plans say old → new", () => {
  let repo: TempRepo;
  afterEach(() => repo.remove());

  it("shows each changed field as old → new, the files of a changed artifact with sizes, and the bytes to upload", async () => {
    repo = new TempRepo({
      "models/model.yml": FOLDER_MODEL,
      "models/churn/config.json": '{"depth": 3}',
      "models/churn/weights.bin": Buffer.alloc(2048, 1),
      "models/churn/old.txt": "notes",
    });
    repo.commit("a model");
    const first = await repo.run(["plan"]);
    expect(first.stdout).toContain("+  model:churn-model:1  new asset; 2.0 KiB to upload");
    expect(first.stdout).toContain("2.0 KiB to upload (3 objects).");
    expect((await repo.run(["apply", "--auto-approve"])).code).toBe(0);

    repo.write({
      "models/model.yml": FOLDER_MODEL.replace("First model.", "Better model."),
      "models/churn/config.json": '{"depth": 12}',
      "models/churn/new.bin": Buffer.alloc(1536, 2),
    });
    repo.git("rm", "-q", "models/churn/old.txt");
    repo.commit("retrain");
    const plan = await repo.run(["plan"]);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toContain("+v model:churn-model:2  new version (previous 1); 1.5 KiB to upload");
    expect(plan.stdout).toContain('~ /description: "First model." → "Better model."');
    expect(plan.stdout).toMatch(/~ \/spec\/path: "sha256:[0-9a-f…]+" → "sha256:[0-9a-f…]+"/);
    expect(plan.stdout).toContain("files of models/churn: 1 added, 1 changed, 1 removed");
    expect(plan.stdout).toContain("+ new.bin  1.5 KiB");
    expect(plan.stdout).toContain("~ config.json  12 B → 13 B");
    expect(plan.stdout).toContain("- old.txt  5 B");
    expect(plan.stdout).toContain("1.5 KiB to upload (2 objects).");

    const json = JSON.parse((await repo.run(["plan", "--json"])).stdout) as {
      changes: { address: string; patch: { op: string; path: string; old?: unknown; value?: unknown }[]; artifacts?: unknown[]; upload?: unknown }[];
      summary: { upload: { objects: number; bytes: number } };
    };
    const change = json.changes.find((c) => c.address === "model:churn-model:2");
    expect(change?.patch).toContainEqual({ op: "replace", path: "/description", old: "First model.", value: "Better model." });
    expect(change?.artifacts).toEqual([
      {
        pointer: "/path",
        source: "models/churn",
        added: [{ path: "new.bin", size: 1536 }],
        changed: [{ path: "config.json", old_size: 12, size: 13 }],
        removed: [{ path: "old.txt", size: 5 }],
      },
    ]);
    expect(change?.upload).toEqual({ objects: 2, bytes: 1549 });
    expect(json.summary.upload).toEqual({ objects: 2, bytes: 1549 });
    expect(outputSchemaErrors("plan", json)).toBeNull();
  });

  it("diff ADDR ADDR shows the same, and --exit-code says whether they differ", async () => {
    repo = new TempRepo({ "models/model.yml": FOLDER_MODEL, "models/churn/config.json": '{"depth": 3}' });
    repo.commit("a model");
    await repo.run(["apply", "--auto-approve"]);
    repo.write({ "models/model.yml": FOLDER_MODEL.replace("First model.", "Better model."), "models/churn/config.json": '{"depth": 12}' });
    repo.commit("retrain");
    await repo.run(["apply", "--auto-approve"]);

    const diff = await repo.run(["diff", "model:churn-model:1", "model:churn-model:2"]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('~ /description: "First model." → "Better model."');
    expect(diff.stdout).toContain("files of models/churn: 0 added, 1 changed, 0 removed");
    expect(diff.stdout).toContain("~ config.json  12 B → 13 B");
    expect((await repo.run(["diff", "--exit-code", "model:churn-model:1", "model:churn-model:2"])).code).toBe(1);
    const same = await repo.run(["diff", "--exit-code", "model:churn-model:2", "model:churn-model:2"]);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain("The two versions have the same content.");
    const json = JSON.parse((await repo.run(["diff", "--json", "model:churn-model:1", "model:churn-model:2"])).stdout) as { artifacts: unknown[]; patch: unknown[] };
    expect(json.artifacts).toHaveLength(1);
    expect(outputSchemaErrors("diff", json)).toBeNull();
    expect(outputSchemaErrors("diff", { ...json, artifacts: "none" })).not.toBeNull();
    expect(json.patch).toContainEqual({ op: "replace", path: "/description", old: "First model.", value: "Better model." });
  });

  it("the markdown plan shows a new asset's whole spec, never cut at 80 characters", async () => {
    const long = "A model of churn trained on two years of subscriptions, with the features of the billing system and support tickets.";
    repo = new TempRepo({ "models/model.yml": FOLDER_MODEL.replace("First model.", long), "models/churn/config.json": "{}" });
    repo.commit("a model");
    const md = (await repo.run(["plan", "--format", "markdown"])).stdout;
    expect(md).toContain(long);
    expect(md).toContain('"type": "custom_model"');
    expect(md).not.toContain("…");
  });
});

const ENV = `$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json
name: train-env
image: python:3.11
`;
const COMPONENT = `$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
name: train
command: echo
environment: azureml:trian-env@latest
`;

describe("validate finds what plan finds", () => {
  let repo: TempRepo;
  afterEach(() => repo.remove());

  it("warns at @latest of a name no manifest defines, with the line and a did-you-mean; plan's error has both too", async () => {
    repo = new TempRepo({ "envs/env.yml": ENV, "components/train.yml": COMPONENT });
    repo.commit("a component");
    const validate = await repo.run(["validate"]);
    expect(validate.stdout).toContain("components/train.yml:4:14: warning environment: azureml:trian-env@latest refers to environment trian-env, which no manifest defines");
    expect(validate.stdout).toContain("4 | environment: azureml:trian-env@latest");
    expect(validate.stdout).toContain('did you mean "train-env"?');
    const plan = await repo.run(["plan"]);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain("[reference-missing]");
    expect(plan.stderr).toContain("4 | environment: azureml:trian-env@latest");
    expect(plan.stderr).toContain("hint: did you mean environment train-env?");
  });

  it("a schema error no longer hides the file's other errors: all are reported in one pass", async () => {
    repo = new TempRepo({ "models/model.yml": "$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\nname: churn-model\ndescriptoin: x\npath: ./missing.pkl\n" });
    repo.commit("a model");
    const validate = await repo.run(["validate"]);
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain("[schema-unknown-key]");
    expect(validate.stdout).toMatch(/missing.pkl does not exist.*\[path-missing\]/);
    expect(validate.stdout).toContain("2 errors");
  });
});

describe("the CLI surface", () => {
  let repo: TempRepo;
  afterEach(() => repo.remove());

  it("FORCE_COLOR colours piped output, --no-color and NO_COLOR turn it off; the conflict's fix is bold", async () => {
    repo = new TempRepo({ "models/model.yml": FOLDER_MODEL.replace("type:", "version: \"1\"\ntype:"), "models/churn/a.txt": "a" });
    repo.commit("a model");
    await repo.run(["apply", "--auto-approve"]);
    repo.write({ "models/churn/a.txt": "b" });
    repo.commit("retrain without a new version");
    const coloured = await repo.run(["plan"], { env: { NO_COLOR: "", FORCE_COLOR: "1" } });
    expect(coloured.stdout).toContain("\u001b[");
    expect(coloured.stdout).toContain('\u001b[1mbump "version" or remove it to let assetctl pick the next one\u001b[22m');
    const plain = await repo.run(["plan", "--no-color"], { env: { NO_COLOR: "", FORCE_COLOR: "1" } });
    expect(plain.stdout).not.toContain("\u001b[");
    expect((await repo.run(["plan"])).stdout).not.toContain("\u001b[");
  });

  it("completion bash|zsh|fish prints a script naming every command; help COMMAND describes every flag", async () => {
    repo = new TempRepo({});
    for (const shell of ["bash", "zsh", "fish"]) {
      const out = await repo.run(["completion", shell]);
      expect(out.code).toBe(0);
      for (const command of ["plan", "apply", "validate", "diff", "completion"]) expect(out.stdout).toContain(command);
    }
    expect((await repo.run(["completion", "tcsh"])).stderr).toContain("[flag-invalid]");
    const help = await repo.run(["help", "plan"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--detailed-exitcode\s+exit 2 when/);
    expect(help.stdout).toMatch(/--target ADDR\s+/);
    expect((await repo.run(["plan", "--help"])).stdout).toBe(help.stdout);
  });

  it("refuses a malformed flag value before any work: no lock taken, nothing hashed", async () => {
    repo = new TempRepo({ "models/model.yml": FOLDER_MODEL, "models/churn/a.txt": "a" });
    repo.commit("a model");
    const apply = await repo.run(["apply", "--auto-approve", "--lock-timeout", "5 minutes"]);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toContain("--lock-timeout 5 minutes is not a duration [flag-invalid]");
    expect(apply.stdout).toBe("");
    const watch = await repo.run(["watch", "--debounce", "soon"]);
    expect(watch.code).toBe(1);
    expect(watch.stderr).toContain("--debounce soon is not a whole number [flag-invalid]");
  });

  it("exits quietly when the reader of its output goes away (| head)", async () => {
    repo = new TempRepo({});
    const { spawnSync } = await import("node:child_process");
    const { cliPath } = await import("./harness.js");
    // Some 120 KiB, more than a pipe holds: the reader is gone before the writing ends, so the CLI meets
    // EPIPE (a short output fits the pipe whole, and would pass without the handler in bin.ts).
    const script = `{ "${process.execPath}" "${cliPath}" schemas; echo "exit $?" >&2; } | head -c 1`;
    const run = spawnSync("sh", ["-c", script], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    expect(run.stdout).toBe("{");
    expect(run.stderr).toBe("exit 0\n");
  });
});

describe("JSON a script can trust", () => {
  let repo: TempRepo;
  afterEach(() => repo.remove());

  it("--json and --format json are accepted by every command that prints data, and give the same JSON", async () => {
    repo = new TempRepo({ "models/model.yml": FOLDER_MODEL, "models/churn/a.txt": "a" });
    repo.commit("a model");
    await repo.run(["apply", "--auto-approve"]);
    await repo.run(["init"]); // so that both runs of init below find the same files
    for (const args of [["init"], ["list"], ["show", "model:churn-model"], ["history", "model:churn-model"], ["diff", "model:churn-model:1", "model:churn-model:1"], ["validate"], ["plan"], ["verify"], ["lock", "status"]]) {
      const a = await repo.run([...args, "--json"]);
      expect(a.code, `${args.join(" ")} --json: ${a.stderr}`).toBe(0);
      const parsed: unknown = JSON.parse(a.stdout);
      expect(parsed).toBeTypeOf("object");
      const b = await repo.run([...args, "--format", "json"]);
      expect(b.code, `${args.join(" ")} --format json: ${b.stderr}`).toBe(0);
      expect(JSON.parse(b.stdout)).toEqual(parsed);
    }
    expect((await repo.run(["list", "--format", "yaml"])).stderr).toContain("[format-invalid]");
  });

  it("a plan with errors lists no orphans: the failed manifest's asset is not reported as undeclared", async () => {
    repo = new TempRepo({ "models/model.yml": FOLDER_MODEL, "models/churn/a.txt": "a" });
    repo.commit("a model");
    await repo.run(["apply", "--auto-approve"]);
    repo.write({ "models/model.yml": FOLDER_MODEL.replace("description:", "descriptoin:") });
    repo.commit("a typo");
    const plan = JSON.parse((await repo.run(["plan", "--json"])).stdout) as { changes: { action: string }[]; summary: { orphan: number }; errors: unknown[] };
    expect(plan.errors.length).toBeGreaterThan(0);
    expect(plan.changes.filter((c) => c.action === "orphan")).toEqual([]);
    expect(plan.summary.orphan).toBe(0);
  });
});
