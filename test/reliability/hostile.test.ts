// Hostile input: each case is a manifest or a repository layout a user or an attacker could commit. For
// every one, `validate`, `plan` and `apply --auto-approve` exit 1 with a located error (`file:line:column`)
// and a stable code, print no stack trace, never print the secret a case carries, and leave the registry
// byte for byte as it was.
//
// How it runs, and why: every case gets its own copy of one base repository whose registry was made by
// a real apply, then commits its change. All cases run the CLI's `main` in this process (the code path
// of the binary, minus process start-up: ~0.3 s a case instead of ~2 s), a few at a time. A subset —
// one or more per family, and what could crash the process or garble its output (bombs, huge files,
// control characters, secrets) — also runs through the built binary as a separate process, killed if
// it outlives its time limit. What could block a process outright if a read ever followed it (FIFOs,
// /dev/zero) runs only that way, so that nothing can hang this one. The unreadable-file cases need
// another user, since root reads anything; they run only as processes (as `nobody`), or are skipped with
// the reason printed when that is impossible.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliPath, TempRepo } from "../e2e/harness.js";
import { commitAll, copyRepo, fingerprint, mapLimited, removeTree, runCli, runInProcess, type Run, type RunOptions } from "./support.js";

const SCHEMA = "https://azuremlschemas.azureedge.net/latest";
const MODEL = `$schema: ${SCHEMA}/model.schema.json`;
const DATA = `$schema: ${SCHEMA}/data.schema.json`;
const ENV = `$schema: ${SCHEMA}/environment.schema.json`;
const COMMAND = `$schema: ${SCHEMA}/commandComponent.schema.json`;
const PIPELINE = `$schema: ${SCHEMA}/pipelineComponent.schema.json`;
const BLOB = `$schema: ${SCHEMA}/azureBlob.schema.json`;
const GEN1 = `$schema: ${SCHEMA}/azureDataLakeGen1.schema.json`;

/** A credential that must never appear in any output; its middle is what is searched for. */
const SECRET = "Zq8vR2xWcTn4PmYs0LkQ9dHf7JbUe3Ga+KvNw1Xy5Tc=";
const SECRET_CORE = SECRET.slice(4, 24);

const BASE: Record<string, string> = {
  "models/model.yml": `${MODEL}\nname: base-model\npath: ./model.pkl\n`,
  "models/model.pkl": "pickled-bytes",
  "envs/env.yml": `${ENV}\nname: train-env\nversion: "1"\nimage: python:3.11-slim\n`,
  "components/train.yml": `${COMMAND}\nname: train\nversion: "1"\ntype: command\ncode: ./src\nenvironment: azureml:train-env:1\ncommand: python train.py\n`,
  "components/src/train.py": "print('training')\n",
};

type Command = "validate" | "plan" | "apply";

interface HostileCase {
  name: string;
  files?: Record<string, string | Buffer>;
  /** Layout git cannot hold or a test must make by hand: symlinks, FIFOs, permissions. Runs in the repo root. */
  setup?: (root: string) => void;
  /** The stable code printed, per command when they differ. */
  code: string | Record<Command, string>;
  /** `file:line:column` of the error. */
  at: string;
  /** A value that must never be printed. */
  secret?: string;
  /** Also through the built CLI, as a process. */
  cli?: boolean;
  /**
   * Could block the whole process if a read ever followed it (a FIFO, a device): only as a process,
   * which a timeout can kill, never in this one, where a blocked event loop would stop every timer too.
   */
  blocking?: boolean;
  /** Only as a process of this (unprivileged) user: root reads files whatever their permissions. */
  unprivileged?: boolean;
  /** About files git does not hold (the registry itself): not checked again through `--ref`. */
  worktreeOnly?: boolean;
  /** Something else the output must say (e.g. how to fetch the real file). */
  says?: RegExp;
}

const x = (body: string, header = MODEL): string => `${header}\n${body}`;
const model = (name: string, extra = "path: ./model.pkl\n"): string => x(`name: ${name}\n${extra}`);
const long = (n: number, c = "a"): string => c.repeat(n);
const link = (target: string, at: string) => (root: string) => {
  mkdirSync(path.dirname(path.join(root, at)), { recursive: true });
  symlinkSync(target, path.join(root, at));
};
const fifo = (at: string) => (root: string) => {
  mkdirSync(path.dirname(path.join(root, at)), { recursive: true });
  execFileSync("mkfifo", [path.join(root, at)]);
};
const billionLaughs = (depth: number): string =>
  ["tags:", '  l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    .concat(Array.from({ length: depth }, (_, i) => `  l${i + 1}: &l${i + 1} [${Array(9).fill(`*l${i}`).join(",")}]`))
    .join("\n");
const lfsPointer = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 123456789\n";
const pipeline = (name: string, component: string, version = "") =>
  x(`type: pipeline\nname: ${name}\n${version}jobs:\n  step:\n    type: command\n    component: ${component}\n`, PIPELINE);

const CASES: HostileCase[] = [
  // Paths that leave the repository.
  { name: "path with .. out of the repository", files: { "models/x.yml": model("dotdot", "path: ../../etc/passwd\n") }, code: "path-escapes-repo", at: "models/x.yml:3:7", cli: true },
  { name: "absolute path", files: { "models/x.yml": model("abs", "path: /etc/passwd\n") }, code: "path-escapes-repo", at: "models/x.yml:3:7" },
  { name: "Windows drive path", files: { "models/x.yml": model("drive", "path: C:\\Windows\\win.ini\n") }, code: "path-escapes-repo", at: "models/x.yml:3:7" },
  { name: "UNC path", files: { "models/x.yml": model("unc", "path: \\\\server\\share\\m.pkl\n") }, code: "path-escapes-repo", at: "models/x.yml:3:7" },
  { name: ".. hidden in the middle of a path", files: { "models/x.yml": model("mid", "path: ./sub/../../../outside.pkl\n") }, code: "path-escapes-repo", at: "models/x.yml:3:7" },
  { name: "symlink to an absolute path outside", files: { "models/x.yml": model("leak", "path: ./leak.pkl\n") }, setup: link("/etc/passwd", "models/leak.pkl"), code: "symlink-escapes-repo", at: "models/x.yml:3:7", cli: true },
  { name: "symlink climbing out relatively", files: { "models/x.yml": model("up", "path: ./up.pkl\n") }, setup: link("../../../../../../etc/hostname", "models/up.pkl"), code: "symlink-escapes-repo", at: "models/x.yml:3:7" },
  { name: "symlinked parent folder outside", files: { "models/x.yml": model("parent", "path: ./etc/passwd\n") }, setup: link("/etc", "models/etc"), code: "symlink-escapes-repo", at: "models/x.yml:3:7" },
  { name: "symlink loop", files: { "models/x.yml": model("loop", "path: ./a\n") }, setup: (r) => (link("b", "models/a")(r), link("a", "models/b")(r)), code: "symlink-loop", at: "models/x.yml:3:7", cli: true },
  { name: "symlink to itself", files: { "models/x.yml": model("self", "path: ./self\n") }, setup: link("self", "models/self"), code: "symlink-loop", at: "models/x.yml:3:7" },
  { name: "folder holding a symlink out", files: { "models/x.yml": model("folderleak", "path: ./folder\n"), "models/folder/ok.txt": "ok" }, setup: link("/etc/passwd", "models/folder/leak"), code: "symlink-escapes-repo", at: "models/x.yml:3:7" },
  { name: "folder holding a link to its own parent", files: { "models/x.yml": model("folderloop", "path: ./folder\n"), "models/folder/ok.txt": "ok" }, setup: link("..", "models/folder/up"), code: "symlink-loop", at: "models/x.yml:3:7" },
  { name: "symlink to /dev/zero", files: { "models/x.yml": model("zero", "path: ./zero.pkl\n") }, setup: link("/dev/zero", "models/zero.pkl"), code: "symlink-escapes-repo", at: "models/x.yml:3:7", blocking: true },
  { name: "folder holding a symlink to /dev/urandom", files: { "models/x.yml": model("random", "path: ./folder\n"), "models/folder/ok.txt": "ok" }, setup: link("/dev/urandom", "models/folder/noise"), code: "symlink-escapes-repo", at: "models/x.yml:3:7", blocking: true },
  { name: "FIFO as the artifact", files: { "models/x.yml": model("fifo", "path: ./pipe.pkl\n") }, setup: fifo("models/pipe.pkl"), code: "path-not-regular", at: "models/x.yml:3:7", blocking: true },
  { name: "FIFO inside a folder artifact", files: { "models/x.yml": model("fifofolder", "path: ./folder\n"), "models/folder/ok.txt": "ok" }, setup: fifo("models/folder/pipe"), code: "path-not-regular", at: "models/x.yml:3:7", blocking: true },
  { name: "symlink to a FIFO inside the repository", files: { "models/x.yml": model("fifolink", "path: ./link.pkl\n") }, setup: (r) => (fifo("models/pipe")(r), link("pipe", "models/link.pkl")(r)), code: "path-not-regular", at: "models/x.yml:3:7", blocking: true },
  { name: "environment build context outside", files: { "envs/x.yml": x("name: ctx\nbuild:\n  path: ../../outside\n", ENV) }, code: "path-escapes-repo", at: "envs/x.yml:4:9" },
  { name: "conda file by absolute path", files: { "envs/x.yml": x("name: conda\nimage: python:3.11\nconda_file: /etc/passwd\n", ENV) }, code: "path-escapes-repo", at: "envs/x.yml:4:13" },
  { name: "component code outside", files: { "components/x.yml": x("name: outside\ntype: command\ncode: ../../outside\nenvironment: azureml:train-env:1\ncommand: python x.py\n", COMMAND) }, code: "path-escapes-repo", at: "components/x.yml:4:7" },
  { name: "additional include outside", files: { "components/x.yml": x("name: inc\ntype: command\ncode: ./src\nadditional_includes:\n  - ../../../etc\nenvironment: azureml:train-env:1\ncommand: python x.py\n", COMMAND) }, code: "path-escapes-repo", at: "components/x.yml:6:5" },
  { name: "data path into the registry itself", files: { "data/x.yml": x("name: state\ntype: uri_folder\npath: ../.assetctl/registry\n", DATA) }, code: "path-in-assetctl-state", at: "data/x.yml:4:7", cli: true, worktreeOnly: true },
  { name: "symlink into the registry", files: { "models/x.yml": model("statelink", "path: ./state/registry\n") }, setup: link("../.assetctl", "models/state"), code: "path-in-assetctl-state", at: "models/x.yml:3:7" },
  { name: "NUL inside a path", files: { "models/x.yml": model("nulpath", 'path: "./model\\u0000.pkl"\n') }, code: "path-missing", at: "models/x.yml:3:7" },
  { name: "path longer than PATH_MAX", files: { "models/x.yml": model("longpath", `path: ./${long(5000)}\n`) }, code: "path-missing", at: "models/x.yml:3:7" },

  // YAML built to exhaust the reader.
  { name: "billion laughs", files: { "models/x.yml": x(`name: lol\npath: ./model.pkl\n${billionLaughs(8)}\n`) }, code: "yaml-alias-limit", at: "models/x.yml:6:12", cli: true },
  { name: "alias bomb through merge keys", files: { "models/x.yml": x("name: merge\npath: ./model.pkl\na: &a {a1: 1, a2: 2}\nb: &b {<<: [*a, *a, *a, *a]}\nc: &c {<<: [*b, *b, *b, *b]}\ntags: {<<: [*c, *c, *c, *c, *c, *c]}\n") }, code: "yaml-alias-limit", at: "models/x.yml:1:1" },
  { name: "alias to itself", files: { "models/x.yml": x("name: selfalias\npath: ./model.pkl\ntags: &a\n  x: *a\n") }, code: "schema-type", at: "models/x.yml:5:6" },
  { name: "deep flow nesting", files: { "models/x.yml": x(`name: deep\npath: ./model.pkl\ntags: ${"[".repeat(5000)}${"]".repeat(5000)}\n`) }, code: "yaml-too-deep", at: "models/x.yml:4:71", cli: true },
  { name: "deep block nesting", files: { "models/x.yml": x(`name: deepblock\npath: ./model.pkl\ntags:\n${Array.from({ length: 200 }, (_, i) => `${" ".repeat(i + 1)}k${i}:`).join("\n")} v\n`) }, code: "yaml-too-deep", at: "models/x.yml:132:129" },
  { name: "duplicate top-level key", files: { "models/x.yml": x("name: a\nname: b\npath: ./model.pkl\n") }, code: "yaml-duplicate-key", at: "models/x.yml:3:1", cli: true },
  { name: "duplicate key in tags", files: { "models/x.yml": x("name: duptag\npath: ./model.pkl\ntags:\n  team: a\n  team: b\n") }, code: "yaml-duplicate-key", at: "models/x.yml:6:3" },
  { name: "duplicate key spelled two ways", files: { "models/x.yml": x('name: a\n"name": b\npath: ./model.pkl\n') }, code: "yaml-duplicate-key", at: "models/x.yml:3:1" },
  { name: "two documents in one file", files: { "models/x.yml": x(`name: one\npath: ./model.pkl\n---\n${MODEL}\nname: two\npath: ../../etc/passwd\n`) }, code: "yaml-syntax", at: "models/x.yml:4:1" },
  { name: "invalid UTF-8", files: { "models/x.yml": Buffer.concat([Buffer.from(`${MODEL}\nname: bad`), Buffer.from([0xff, 0xfe, 0x41]), Buffer.from("\npath: ./model.pkl\n")]) }, code: "not-text", at: "models/x.yml:2:10", cli: true },
  { name: "UTF-16 with a byte-order mark", files: { "models/x.yml": Buffer.from(`\ufeff${model("utf16")}`, "utf16le") }, code: "not-text", at: "models/x.yml:1:1" },
  { name: "NUL byte in the file", files: { "models/x.yml": Buffer.concat([Buffer.from(`${MODEL}\nname: nul`), Buffer.from([0]), Buffer.from("\npath: ./model.pkl\n")]) }, code: "not-text", at: "models/x.yml:2:10" },
  { name: "manifest over the 1 MiB limit", files: { "models/x.yml": `${MODEL}\nname: huge\npath: ./model.pkl\n${"# padding padding padding padding padding padding padding padding padding padding\n".repeat(14_000)}` }, code: "file-too-large", at: "models/x.yml:1:1", cli: true },
  { name: "PyYAML object tag", files: { "models/x.yml": x('name: py\npath: ./model.pkl\ntags: !!python/object/apply:os.system ["touch /tmp/assetctl-pwned"]\n') }, code: "schema-type", at: "models/x.yml:4:39" },
  { name: "unterminated quote", files: { "models/x.yml": x('name: "open\npath: ./model.pkl\n') }, code: "yaml-syntax", at: "models/x.yml:2:7" },
  { name: "tab indentation", files: { "models/x.yml": x("name: tabs\npath: ./model.pkl\ntags:\n\tteam: a\n") }, code: "yaml-syntax", at: "models/x.yml:5:1" },

  // Names and versions that try to become paths, or to take over the terminal.
  ...(
    [
      ["../x", "dot-dot slash"],
      ["a/b", "slash"],
      [".", "dot"],
      ["..", "dot-dot"],
      ["%2e%2e", "percent-encoded dot-dot"],
      [long(300), "300 characters"],
      ["a\\u0000b", "NUL"],
      ["a\\u001b[31mred", "an escape sequence"],
      ["evil\\nmodels/model.yml:1:1: error forged [fake]", "a newline forging an output line"],
      ["a:b", "a colon"],
      ["a\\\\b", "a backslash"],
      ["m\u043Edel", "a Cyrillic look-alike"],
      ["ab\\u202ecd", "a right-to-left override"],
    ] as const
  ).map(
    ([name, what], i): HostileCase => ({
      name: `name with ${what}`,
      files: { "models/x.yml": model(`"${name}"`) },
      code: "name-invalid",
      at: "models/x.yml:2:7",
      cli: i === 0 || i === 6 || i === 7 || i === 8,
    }),
  ),
  ...(
    [
      ["../x", "dot-dot slash"],
      ["a/b", "slash"],
      [".", "dot"],
      ["..", "dot-dot"],
      ["%2e%2e", "percent-encoded dot-dot"],
      ["a\\u0000b", "NUL"],
      ["1:2", "a colon"],
      ["1 2", "a space"],
    ] as const
  ).map(
    ([version, what]): HostileCase => ({
      name: `version with ${what}`,
      files: { "models/x.yml": model("versioned", `version: "${version}"\npath: ./model.pkl\n`) },
      code: "version-invalid",
      at: "models/x.yml:3:10",
    }),
  ),
  { name: "version of 300 characters", files: { "models/x.yml": model("versioned", `version: "${long(300, "1")}"\npath: ./model.pkl\n`) }, code: "version-invalid", at: "models/x.yml:3:10", cli: true },
  { name: "version as a 300-digit number", files: { "models/x.yml": model("versioned", `version: ${long(300, "7")}\npath: ./model.pkl\n`) }, code: "version-invalid", at: "models/x.yml:3:10" },

  // Definitions that contradict each other or themselves.
  { name: "one pinned version defined twice", files: { "models/a.yml": model("twin", 'version: "1"\npath: ./model.pkl\n'), "models/b.yml": model("twin", 'version: "1"\npath: ./a.yml\n') }, code: "duplicate-definition", at: "models/a.yml:3:10", cli: true },
  { name: "one auto-versioned name defined twice", files: { "models/copy.yml": model("base-model", "path: ./copy.yml\n") }, code: "duplicate-auto-versioned", at: "models/copy.yml:2:7" },
  { name: "one datastore defined twice", files: { "stores/a.yml": x("name: blobs\ntype: azure_blob\naccount_name: a\ncontainer_name: c\n", BLOB), "stores/b.yml": x("name: blobs\ntype: azure_blob\naccount_name: b\ncontainer_name: c\n", BLOB) }, code: "duplicate-definition", at: "stores/a.yml:2:7" },
  { name: "reference cycle between pinned pipelines", files: { "pipes/a.yml": pipeline("pa", "azureml:pb:1", 'version: "1"\n'), "pipes/b.yml": pipeline("pb", "azureml:pa:1", 'version: "1"\n') }, code: "reference-cycle", at: "pipes/a.yml:8:16", cli: true },
  { name: "reference cycle through @latest", files: { "pipes/a.yml": pipeline("pa", "azureml:pb@latest"), "pipes/b.yml": pipeline("pb", "azureml:pc@latest"), "pipes/c.yml": pipeline("pc", "azureml:pa@latest") }, code: "reference-cycle", at: "pipes/a.yml:7:16" },
  { name: "component files loading each other", files: { "pipes/a.yml": pipeline("pa", "./b.yml"), "pipes/b.yml": pipeline("pb", "./a.yml") }, code: "reference-cycle", at: "pipes/a.yml:7:16", cli: true },
  { name: "pipeline loading its own file", files: { "pipes/a.yml": pipeline("pa", "./a.yml") }, code: "reference-cycle", at: "pipes/a.yml:7:16" },
  { name: "pipeline naming its own version", files: { "pipes/a.yml": pipeline("pa", "azureml:pa:1", 'version: "1"\n') }, code: "reference-cycle", at: "pipes/a.yml:8:16" },
  {
    name: "pipeline steps waiting on each other",
    files: {
      "pipes/a.yml": x(
        "type: pipeline\nname: steps\njobs:\n  one:\n    type: command\n    component: azureml:train:1\n    inputs:\n      data: ${{parent.jobs.two.outputs.model}}\n  two:\n    type: command\n    component: azureml:train:1\n    inputs:\n      data: ${{parent.jobs.one.outputs.model}}\n",
        PIPELINE,
      ),
    },
    code: "pipeline-cycle",
    at: "pipes/a.yml:9:13",
  },

  // Git LFS pointers where the content should be.
  { name: "LFS pointer as the model file", files: { "models/x.yml": model("lfs", "path: ./big.pkl\n"), "models/big.pkl": lfsPointer }, code: "lfs-pointer", at: "models/x.yml:3:7", cli: true, says: /git lfs pull/ },
  { name: "LFS pointers inside a data folder", files: { "data/x.yml": x("name: lfsdata\ntype: uri_folder\npath: ./shards\n", DATA), "data/shards/a.parquet": lfsPointer, "data/shards/b.parquet": lfsPointer }, code: "lfs-pointer", at: "data/x.yml:4:7", says: /git lfs pull/ },

  // Files the user running assetctl cannot read.
  { name: "unreadable artifact file", files: { "models/x.yml": model("unread", "path: ./secret.pkl\n"), "models/secret.pkl": "data" }, setup: (r) => chmodSync(path.join(r, "models/secret.pkl"), 0o000), code: "path-unreadable", at: "models/x.yml:3:7", unprivileged: true },
  { name: "unreadable folder inside a folder artifact", files: { "data/x.yml": x("name: locked\ntype: uri_folder\npath: ./parts\n", DATA), "data/parts/a.csv": "a", "data/parts/inner/b.csv": "b" }, setup: (r) => chmodSync(path.join(r, "data/parts/inner"), 0o000), code: "path-unreadable", at: "data/x.yml:4:7", unprivileged: true },

  // Literal secrets.
  { name: "account key written in a datastore", files: { "stores/x.yml": x(`name: store\ntype: azure_blob\naccount_name: acct\ncontainer_name: c\ncredentials:\n  account_key: ${SECRET}\n`, BLOB) }, code: "secret-literal", at: "stores/x.yml:7:16", secret: SECRET_CORE, cli: true },
  { name: "SAS token written in a datastore", files: { "stores/x.yml": x(`name: store\ntype: azure_blob\naccount_name: acct\ncontainer_name: c\ncredentials:\n  sas_token: "?sv=2022-11-02&ss=b&sig=${SECRET}"\n`, BLOB) }, code: "secret-literal", at: "stores/x.yml:7:14", secret: SECRET_CORE },
  { name: "client secret written in a datastore", files: { "stores/x.yml": x(`name: lake\ntype: azure_data_lake_gen1\nstore_name: lake\ncredentials:\n  tenant_id: 00000000-0000-0000-0000-000000000000\n  client_id: 00000000-0000-0000-0000-000000000001\n  client_secret: ${SECRET}\n`, GEN1) }, code: "secret-literal", at: "stores/x.yml:8:18", secret: SECRET_CORE },
  { name: "sig= in a data URL", files: { "data/x.yml": x(`name: signed\ntype: uri_file\npath: https://acct.blob.core.windows.net/c/f.csv?sv=2022-11-02&sig=${encodeURIComponent(SECRET)}\n`, DATA) }, code: "secret-literal", at: "data/x.yml:4:7", secret: encodeURIComponent(SECRET).slice(4, 24), cli: true },
  { name: "connection string in a tag", files: { "models/x.yml": model("conn", `path: ./model.pkl\ntags:\n  storage: "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=${SECRET};EndpointSuffix=core.windows.net"\n`) }, code: "secret-literal", at: "models/x.yml:5:12", secret: SECRET_CORE },
  { name: "credentials written as one string", files: { "stores/x.yml": x(`name: store\ntype: azure_blob\naccount_name: acct\ncontainer_name: c\ncredentials: ${SECRET}\n`, BLOB) }, code: "schema-type", at: "stores/x.yml:6:14", secret: SECRET_CORE, cli: true },
  { name: "client secret where the schema has no place for it", files: { "stores/x.yml": x(`name: store\ntype: azure_blob\naccount_name: acct\ncontainer_name: c\ncredentials:\n  client_secret: ${SECRET}\n`, BLOB) }, code: "schema-unknown-key", at: "stores/x.yml:7:3", secret: SECRET_CORE, cli: true },
  { name: "account key written twice", files: { "stores/x.yml": x(`name: store\ntype: azure_blob\naccount_name: acct\ncontainer_name: c\ncredentials:\n  account_key: ${SECRET}\n  account_key: ${SECRET}x\n`, BLOB) }, code: "yaml-duplicate-key", at: "stores/x.yml:8:3", secret: SECRET_CORE },
  { name: "account key in a list", files: { "stores/x.yml": x(`name: store\ntype: azure_blob\naccount_name: acct\ncontainer_name: c\ncredentials:\n  account_key: [${SECRET}]\n`, BLOB) }, code: "schema-unknown-key", at: "stores/x.yml:7:3", secret: SECRET_CORE },

  // The configuration file is input too.
  {
    name: "alias bomb in assetctl.yaml",
    files: { "assetctl.yaml": "exclude: &a [x, x, x, x, x, x, x, x, x]\nkinds: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nregistry: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n" },
    code: { validate: "yaml-alias-limit", plan: "config-invalid", apply: "config-invalid" },
    at: "assetctl.yaml:2:12",
    cli: true,
  },
];

const COMMANDS: Record<Command, string[]> = { validate: ["validate"], plan: ["plan"], apply: ["apply", "--auto-approve"] };
const REGISTRY = ".assetctl/registry";
/** Each run's limit: generous for a loaded machine, far below a hang. */
const RUN_LIMIT_MS = 30_000;

/**
 * Who plays the unprivileged user: this user when it is not root (permissions bind it already), else
 * `nobody` (only root can switch); a string says why neither is possible.
 */
function unprivilegedUser(): { uid: number; gid: number } | "self" | string {
  if (process.getuid?.() !== 0) return "self";
  try {
    const uid = Number(execFileSync("id", ["-u", "nobody"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "nobody"], { encoding: "utf8" }).trim());
    return { uid, gid };
  } catch {
    return "there is no `nobody` user to run as, and root reads files whatever their permissions";
  }
}

/** Whether every folder from the root down to `dir` lets other users through (the execute bit). */
function searchableByOthers(dir: string): boolean {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) return false;
    if (d === path.dirname(d)) return true;
  }
}

function expectRefused(c: HostileCase, command: Command, run: Run, how: string): void {
  const output = `${run.stdout}\n${run.stderr}`;
  const context = `${c.name} — ${command} (${how})\n${output}`;
  expect.soft(run.timedOut, context).toBe(false);
  expect.soft(run.code, context).toBe(1);
  const code = typeof c.code === "string" ? c.code : c.code[command];
  const located = output.split("\n").some((line) => line.includes(c.at) && line.includes(`[${code}]`));
  expect.soft(located, `${context}\nexpected a line with ${c.at} and [${code}]`).toBe(true);
  expect.soft(output, context).not.toMatch(/\n\s+at /);
  expect.soft(output, context).not.toMatch(/internal error/i);
  // Nothing from the file reaches the terminal raw: no control character but newline and tab.
  expect.soft(output, context).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202e]/);
  if (c.secret !== undefined) expect.soft(output.includes(c.secret), `${context}\nthe secret was printed`).toBe(false);
  if (c.says !== undefined) expect.soft(output, context).toMatch(c.says);
}

describe("hostile input is refused, located, and writes nothing", () => {
  let base: TempRepo;
  const repos = new Map<string, string>();

  beforeAll(async () => {
    base = new TempRepo(BASE);
    base.commit("base assets");
    const applied = await runCli(["apply", "--auto-approve"], { cwd: base.root, timeoutMs: RUN_LIMIT_MS });
    expect(applied.stderr).toBe("");
    expect(applied.code).toBe(0);
    // One repository per case, built up front (the file system work is cheap next to the runs).
    for (const c of CASES) {
      const root = copyRepo(base.root);
      for (const [rel, content] of Object.entries(c.files ?? {})) {
        mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
        writeFileSync(path.join(root, rel), content);
      }
      commitAll(root, c.name);
      c.setup?.(root);
      repos.set(c.name, root);
    }
  }, 120_000);

  afterAll(() => {
    for (const root of repos.values()) removeTree(root);
    base?.remove();
  });

  it(`has at least 60 cases (${CASES.length})`, () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it("applies a harmless change in the same setting, so a refusal below means something", async () => {
    const root = copyRepo(base.root);
    try {
      writeFileSync(path.join(root, "models/model.pkl"), "retrained");
      commitAll(root, "retrain");
      const before = fingerprint(path.join(root, REGISTRY));
      const run = await runInProcess(COMMANDS.apply, { cwd: root, timeoutMs: RUN_LIMIT_MS });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(fingerprint(path.join(root, REGISTRY))).not.toBe(before);
    } finally {
      removeTree(root);
    }
  });

  const inProcess = CASES.filter((c) => !c.unprivileged && !c.blocking);
  it(`refuses ${inProcess.length} cases in-process`, async () => {
    await mapLimited(inProcess, 4, async (c) => {
      const root = repos.get(c.name) as string;
      const before = fingerprint(path.join(root, REGISTRY));
      for (const command of ["validate", "plan", "apply"] as const) {
        expectRefused(c, command, await runInProcess(COMMANDS[command], { cwd: root, timeoutMs: RUN_LIMIT_MS }), "in-process");
      }
      // What is committed is refused the same when read from git (symlinks, FIFOs and permissions made by
      // `setup` are not in the commit).
      if (c.setup === undefined && !c.worktreeOnly) expectRefused(c, "plan", await runInProcess(["plan", "--ref", "HEAD"], { cwd: root, timeoutMs: RUN_LIMIT_MS }), "in-process, --ref HEAD");
      if (c.secret !== undefined) {
        for (const args of [["validate", "--json"], ["plan", "--json"], ["validate", "--format", "github"]]) {
          const run = await runInProcess(args, { cwd: root, timeoutMs: RUN_LIMIT_MS });
          expect(`${run.stdout}${run.stderr}`.includes(c.secret), `${c.name} — ${args.join(" ")} printed the secret`).toBe(false);
        }
      }
      expect(fingerprint(path.join(root, REGISTRY)), `${c.name}: the registry changed`).toBe(before);
    });
  }, 240_000);

  const asProcesses = CASES.filter((c) => (c.cli || c.blocking) && !c.unprivileged);
  it(`refuses ${asProcesses.length} cases through the built CLI`, async () => {
    await mapLimited(asProcesses, 3, async (c) => {
      const root = repos.get(c.name) as string;
      const before = fingerprint(path.join(root, REGISTRY));
      for (const command of ["validate", "plan", "apply"] as const) {
        expectRefused(c, command, await runCli(COMMANDS[command], { cwd: root, timeoutMs: RUN_LIMIT_MS }), "process");
      }
      expect(fingerprint(path.join(root, REGISTRY)), `${c.name}: the registry changed`).toBe(before);
    });
  }, 240_000);

  const unprivileged = CASES.filter((c) => c.unprivileged);
  it(`refuses ${unprivileged.length} unreadable-file cases as an unprivileged user`, async (ctx) => {
    const user = unprivilegedUser();
    if (typeof user === "string" && user !== "self") {
      console.log(`skipped: ${user}`);
      ctx.skip();
      return;
    }
    const closed = user === "self" ? undefined : [path.dirname(base.root), path.dirname(cliPath)].find((dir) => !searchableByOthers(dir));
    if (closed !== undefined) {
      console.log(`skipped: ${closed} (or a folder above it) is closed to other users, so \`nobody\` cannot run the CLI there`);
      ctx.skip();
      return;
    }
    for (const c of unprivileged) {
      const root = repos.get(c.name) as string;
      // The other user must reach the repository: open it up (the temp folder is private to its creator).
      execFileSync("chmod", ["-R", "a+rwX", root]);
      c.setup?.(root);
      const options: RunOptions = {
        cwd: root,
        timeoutMs: RUN_LIMIT_MS,
        ...(user === "self" ? {} : { user }),
        // git refuses repositories owned by someone else unless told they are safe; HOME for its config.
        env: { HOME: root, GIT_CONFIG_COUNT: "1", GIT_CONFIG_KEY_0: "safe.directory", GIT_CONFIG_VALUE_0: "*" },
      };
      const before = fingerprint(path.join(root, REGISTRY));
      for (const command of ["validate", "plan", "apply"] as const) expectRefused(c, command, await runCli(COMMANDS[command], options), "process, unprivileged");
      expect(fingerprint(path.join(root, REGISTRY)), `${c.name}: the registry changed`).toBe(before);
    }
  }, 120_000);
});
