// `assetctl init [dir]`: sets a repository up for assetctl (configuration, .gitignore, with --github the
// pull-request workflow) without ever overwriting a user's file, and changes nothing when run again.
import { execFile } from "node:child_process";
import { appendFile, mkdir, readFile, realpath, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { UserError } from "../../diagnostics.js";
import { TOOL_VERSION } from "../../version.js";
import { flag, json, type Command } from "./command.js";

const CONFIG = `# assetctl configuration — see https://github.com/assetctl/assetctl#configuration
# Files (globs, relative to this folder) that are never read as manifests.
exclude:
  - "**/node_modules/**"
# Where the registry lives: a directory (the default below, ignored by git), or for a team
# registry: { records: postgres://…, objects: oci://host/namespace }.
# registry: .assetctl/registry
`;

const EXAMPLE_MODEL = `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json
name: example-model
description: An example model; replace it with your own.
path: ./model.pkl
type: custom_model
tags:
  owner: you
`;

/** The line init keeps in .gitignore: the embedded registry and the caches live there. */
const IGNORED = ".assetctl/";

/** Where the reusable workflow lives; callers pin it to this release's commit. */
export const WORKFLOW_REPOSITORY = "assetctl/assetctl";

export interface GithubWorkflowOptions {
  /** The assetctl root relative to the repository's top, POSIX, "." for the top itself. */
  root: string;
  /** The branch whose pushes are applied. */
  branch: string;
  version?: string;
  /** The full commit SHA of this release in WORKFLOW_REPOSITORY: the reusable workflow is pinned to it. */
  commit: string;
}

/**
 * The commit this assetctl was released from, to pin the reusable workflow to: a tag can be moved to
 * other code, a commit SHA cannot. `npm pack` (prepack: scripts/release-commit.mjs) records it in
 * dist/release.json; a build from a git checkout falls back to that checkout's HEAD.
 */
export async function releaseCommit(): Promise<string> {
  const packageRoot = await ownPackageRoot();
  const recorded = await readFile(new URL("dist/release.json", packageRoot), "utf8")
    .then((text) => (JSON.parse(text) as { commit?: unknown }).commit)
    .catch(() => undefined);
  const commit = typeof recorded === "string" ? recorded : await git(fileURLToPath(packageRoot), "rev-parse", "HEAD");
  if (commit === undefined || !/^[0-9a-f]{40}$/.test(commit)) {
    throw new UserError("init-no-release-commit", "This assetctl does not know the commit it was released from, so the workflow cannot be pinned to it.", {
      hint: "install a released assetctl (npm install assetctl@VERSION), or write the workflow by hand from docs/github.md",
    });
  }
  return commit;
}

/** The workflow `init --github` writes: a caller of the reusable workflow, pinned to this assetctl. */
export function githubWorkflow(options: GithubWorkflowOptions): string {
  const version = options.version ?? TOOL_VERSION;
  if (!/^[0-9a-f]{40}$/.test(options.commit)) throw new Error(`not a commit SHA: ${options.commit}`);
  const file = workflowFile(options.root);
  const paths = options.root === "." ? "" : `\n    paths:\n      - "${options.root}/**"\n      - ".github/workflows/${file}"`;
  const pushPaths = options.root === "." ? "" : `\n    paths:\n      - "${options.root}/**"`;
  return `# Written by \`assetctl init --github\` (assetctl ${version}). Pull requests that touch the manifests get
# \`assetctl validate\` annotations and the plan as one comment, updated on every push; merging applies
# exactly the plan someone other than the author approved. Plans read the registry with a read-only
# credential; the write credential lives only in the \`assetctl-apply\` environment. How it works, what
# to set up, and its limits: https://github.com/${WORKFLOW_REPOSITORY}/blob/main/docs/github.md
name: ${options.root === "." ? "assetctl" : yamlString(`assetctl (${options.root})`)}

on:
  pull_request:${paths}
  push:
    branches: [${yamlString(options.branch)}]${pushPaths}
  # A merge queue runs the plan on what it is about to merge.
  merge_group:
  # "Run workflow" applies the default branch as it is, once the environment's reviewers approve.
  workflow_dispatch:
  # Weekly: what \`assetctl gc\` would delete, as a dry-run report in the job summary (nothing is deleted).
  schedule:
    - cron: "23 5 * * 1"

permissions:
  contents: read

jobs:
  assetctl:
    # The most the reusable workflow's jobs get; only its comment job writes, and only comments.
    permissions:
      contents: read
      pull-requests: write
      actions: read
    # Pinned to the commit of v${version}: a tag can be moved, a commit cannot.
    uses: ${WORKFLOW_REPOSITORY}/.github/workflows/assetctl.yml@${options.commit} # v${version}
    with:
      working-directory: ${yamlString(options.root)}
      # Exactly this release, installed without install scripts.
      assetctl-version: ${yamlString(version)}
    secrets:
      # The registry URL with a READ-ONLY credential, for plans: a repository secret.
      registry-read: \${{ secrets.ASSETCTL_REGISTRY_READ }}
      # The registry URL with the write credential: a secret of the \`assetctl-apply\` environment only
      # (deployable from ${options.branch} alone), so that only the apply job ever receives it.
      registry-write: \${{ secrets.ASSETCTL_REGISTRY_WRITE }}
`;
}

/** The folder of assetctl's own package.json, however the code is laid out (src/, dist/, a bundle). */
async function ownPackageRoot(): Promise<URL> {
  for (let dir = new URL("./", import.meta.url), i = 0; i < 6; dir = new URL("../", dir), i++) {
    const pkg = await readFile(new URL("package.json", dir), "utf8").catch(() => undefined);
    if (pkg !== undefined && (JSON.parse(pkg) as { name?: unknown }).name === "assetctl") return dir;
  }
  return new URL("../../../", import.meta.url);
}

/** One workflow per assetctl root, so that two roots in one repository do not overwrite each other's. */
export function workflowFile(root: string): string {
  return root === "." ? "assetctl.yml" : `assetctl-${root.replace(/[^A-Za-z0-9._-]+/g, "-")}.yml`;
}

/** A YAML scalar that stays a string: plain when safe, double-quoted otherwise. */
function yamlString(text: string): string {
  return /^[A-Za-z0-9._/-]+$/.test(text) && !/^[0-9.]+$/.test(text) && text !== "." ? text : JSON.stringify(text);
}

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined)) !== undefined;
}

async function git(cwd: string, ...args: string[]): Promise<string | undefined> {
  try {
    const { stdout } = await promisify(execFile)("git", args, { cwd });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The branch merges land on: the remote's default, else the current branch, else main. */
async function defaultBranch(dir: string): Promise<string> {
  const remote = await git(dir, "symbolic-ref", "--short", "refs/remotes/origin/HEAD");
  if (remote) return remote.replace(/^origin\//, "");
  return (await git(dir, "branch", "--show-current")) ?? "main";
}

export const initCommand: Command = {
  usage: "[dir] [--force] [--example] [--github]",
  description:
    "Writes assetctl.yaml and adds .assetctl/ to .gitignore; --example also writes an example model manifest; --github writes the GitHub workflow that plans pull requests and applies merges. Never overwrites an existing file unless --force; running it again changes nothing.",
  options: { force: { type: "boolean" }, example: { type: "boolean" }, github: { type: "boolean" }, json: { type: "boolean" } },
  async run(values, positionals, unbuffered) {
    // With --json, the lines become `{files: [{action, file, note}], next}`.
    const asJson = flag(values, "json");
    const lines: string[] = [];
    const io = asJson ? { ...unbuffered, out: (text: string) => void lines.push(text) } : unbuffered;
    const dir = path.resolve(io.cwd, positionals[0] ?? ".");
    await mkdir(dir, { recursive: true });
    const force = flag(values, "force");
    const shown = (file: string) => path.relative(dir, file).split(path.sep).join("/");
    const write = async (file: string, content: string): Promise<void> => {
      const current = await readFile(file, "utf8").catch(() => undefined);
      if (current === content) {
        io.out(`kept     ${shown(file)} (up to date)`);
        return;
      }
      if (current !== undefined && !force) {
        io.out(`kept     ${shown(file)} (exists; --force replaces it)`);
        return;
      }
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
      io.out(`${current === undefined ? "wrote   " : "replaced"} ${shown(file)}`);
    };

    await write(path.join(dir, "assetctl.yaml"), CONFIG);
    if (flag(values, "example")) {
      await write(path.join(dir, "assets/example/model.yml"), EXAMPLE_MODEL);
      await write(path.join(dir, "assets/example/model.pkl"), "example model bytes\n");
    }

    // .gitignore is the user's: lines are only ever added, even with --force.
    const gitignore = path.join(dir, ".gitignore");
    const current = (await readFile(gitignore, "utf8").catch(() => "")) as string;
    if (current.split(/\r?\n/).some((l) => l.trim() === IGNORED || l.trim() === IGNORED.slice(0, -1))) {
      io.out(`kept     .gitignore (has ${IGNORED})`);
    } else {
      await appendFile(gitignore, `${current && !current.endsWith("\n") ? "\n" : ""}# assetctl: the embedded registry and caches\n${IGNORED}\n`);
      io.out(`updated  .gitignore (+ ${IGNORED})`);
    }

    const next = ["`assetctl validate`", "then `assetctl plan`"];
    if (flag(values, "github")) {
      // GitHub reads workflows only at the repository's top, whatever folder assetctl manages.
      const top = (await git(dir, "rev-parse", "--show-toplevel")) ?? dir;
      if (!(await exists(path.join(top, ".git")))) io.out(`note     ${dir} is not in a git repository: the workflow assumes it will be the repository's top`);
      // git prints the top with symlinks resolved (/tmp → /private/tmp): compare like with like.
      const root = path.relative(top, await realpath(dir)).split(path.sep).join("/") || ".";
      const commit = await releaseCommit();
      await write(path.join(top, ".github", "workflows", workflowFile(root)), githubWorkflow({ root, branch: await defaultBranch(dir), commit }));
      next.push("commit and push; for a shared registry set ASSETCTL_REGISTRY_READ and, in the assetctl-apply environment, ASSETCTL_REGISTRY_WRITE (docs/github.md)");
    }
    if (asJson) {
      const files = lines.map((line) => {
        const [, action = "", file = "", note] = /^(\S+)\s+(\S+)(?: \((.*)\))?/.exec(line) ?? [];
        return { action, file, ...(note ? { note } : {}) };
      });
      json(unbuffered, { files, next });
      return 0;
    }
    if (!io.quiet) io.out(`\nNext: ${next.join(", ")}.`);
    return 0;
  },
};
