// `assetctl init` as users run it (the built CLI, in a temporary folder): on a fresh folder, on an
// existing repository whose files it must keep, and a second time, when it must change nothing.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { afterEach, describe, expect, it } from "vitest";
import { TOOL_VERSION } from "../src/version.js";
import { projectRoot, runCli, TempRepo } from "./e2e/harness.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "assetctl-init-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function repo(files: Record<string, string> = {}): TempRepo {
  const r = new TempRepo(files);
  cleanups.push(() => r.remove());
  return r;
}

/** Every file and its bytes, but git's own bookkeeping, which a commit-less run still touches. */
function fingerprint(dir: string): string {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((x, y) => (x.name < y.name ? -1 : 1))) {
      if (entry.name === ".git") continue;
      const abs = path.join(d, entry.name);
      if (entry.isDirectory()) walk(abs, `${rel}${entry.name}/`);
      else out.push(`${rel}${entry.name}\0${readFileSync(abs, "base64")}`);
    }
  };
  walk(dir, "");
  return out.join("\n");
}

describe("assetctl init", () => {
  it("sets up a fresh folder, with --github the workflow, and changes nothing when run again", async () => {
    const dir = tempDir();
    const first = await runCli(["init", "--github", "--example"], { cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stdout.replaceAll(dir, "<dir>")).toMatchInlineSnapshot(`
      "wrote    assetctl.yaml
      wrote    assets/example/model.yml
      wrote    assets/example/model.pkl
      updated  .gitignore (+ .assetctl/)
      note     <dir> is not in a git repository: the workflow assumes it will be the repository's top
      wrote    .github/workflows/assetctl.yml

      Next: \`assetctl validate\`, then \`assetctl plan\`, commit and push; for a shared registry set ASSETCTL_REGISTRY_READ and, in the assetctl-apply environment, ASSETCTL_REGISTRY_WRITE (docs/github.md).
      "
    `);
    expect(readFileSync(path.join(dir, ".gitignore"), "utf8")).toBe("# assetctl: the embedded registry and caches\n.assetctl/\n");
    const workflow = parse(readFileSync(path.join(dir, ".github/workflows/assetctl.yml"), "utf8")) as {
      jobs: { assetctl: { uses: string; with: Record<string, string> } };
    };
    // Pinned to the commit this assetctl was built from (a release's is recorded by prepack), the tag in a comment.
    const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: projectRoot, encoding: "utf8" }).trim();
    expect(workflow.jobs.assetctl.uses).toBe(`assetctl/assetctl/.github/workflows/assetctl.yml@${commit}`);
    expect(readFileSync(path.join(dir, ".github/workflows/assetctl.yml"), "utf8")).toContain(`@${commit} # v${TOOL_VERSION}\n`);
    expect(workflow.jobs.assetctl.with["working-directory"]).toBe(".");

    const before = fingerprint(dir);
    const second = await runCli(["init", "--github", "--example"], { cwd: dir });
    expect(second.code).toBe(0);
    expect(second.stdout.split("\n").filter((l) => /^(wrote|replaced|updated)/.test(l))).toEqual([]);
    expect(fingerprint(dir)).toBe(before);

    // What init wrote is valid as it stands.
    const validate = await runCli(["validate", "--dir", dir], { cwd: dir });
    expect(validate.stdout).toContain("1 manifest valid.");
    expect(validate.code).toBe(0);
  });

  it("keeps a repository's own files without --force, and adds to .gitignore only what is missing", async () => {
    const r = repo({
      ".gitignore": "node_modules/\n*.log",
      "ml/assetctl.yaml": "# mine\nexclude: []\n",
      ".github/workflows/assetctl-ml.yml": "name: mine\n",
    });
    r.commit("existing project");
    const run = await r.run(["init", "ml", "--github"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatchInlineSnapshot(`
      "kept     assetctl.yaml (exists; --force replaces it)
      updated  .gitignore (+ .assetctl/)
      kept     ../.github/workflows/assetctl-ml.yml (exists; --force replaces it)

      Next: \`assetctl validate\`, then \`assetctl plan\`, commit and push; for a shared registry set ASSETCTL_REGISTRY_READ and, in the assetctl-apply environment, ASSETCTL_REGISTRY_WRITE (docs/github.md).
      "
    `);
    expect(r.read("ml/assetctl.yaml")).toBe("# mine\nexclude: []\n");
    expect(r.read(".github/workflows/assetctl-ml.yml")).toBe("name: mine\n");
    // The .gitignore beside assetctl.yaml, ml/.gitignore, is new; the top one is untouched.
    expect(r.read(".gitignore")).toBe("node_modules/\n*.log");
    expect(r.read("ml/.gitignore")).toBe("# assetctl: the embedded registry and caches\n.assetctl/\n");

    const before = fingerprint(r.root);
    const again = await r.run(["init", "ml", "--github"]);
    expect(again.code).toBe(0);
    expect(fingerprint(r.root)).toBe(before);
  });

  it("replaces its own files with --force, never the user's .gitignore lines", async () => {
    const r = repo({ ".gitignore": "dist/\n.assetctl\n", "assetctl.yaml": "exclude: []\n" });
    r.commit("existing project");
    const run = await r.run(["init", "--force", "--github"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("replaced assetctl.yaml");
    expect(run.stdout).toContain("kept     .gitignore (has .assetctl/)");
    expect(run.stdout).toContain("wrote    .github/workflows/assetctl.yml");
    expect(r.read(".gitignore")).toBe("dist/\n.assetctl\n");
    expect(r.read("assetctl.yaml")).toContain("# assetctl configuration");
  });

  it("writes the workflow at the repository's top for a root in a subfolder, scoped to it", async () => {
    const r = repo();
    r.git("checkout", "-q", "-b", "trunk");
    r.commit("start");
    const run = await r.run(["init", "--github"]);
    expect(run.code).toBe(0);
    const sub = await r.run(["init", "teams/vision", "--github"]);
    expect(sub.code).toBe(0);
    const workflow = parse(r.read(".github/workflows/assetctl-teams-vision.yml")) as {
      name: string;
      on: { pull_request: { paths: string[] }; push: { branches: string[]; paths: string[] } };
      jobs: { assetctl: { with: Record<string, string> } };
    };
    expect(workflow.name).toBe("assetctl (teams/vision)");
    expect(workflow.on.pull_request.paths).toEqual(["teams/vision/**", ".github/workflows/assetctl-teams-vision.yml"]);
    expect(workflow.on.push).toEqual({ branches: ["trunk"], paths: ["teams/vision/**"] });
    expect(workflow.jobs.assetctl.with["working-directory"]).toBe("teams/vision");
    // The root's own workflow is still there, unscoped.
    expect(parse(r.read(".github/workflows/assetctl.yml"))).toMatchObject({ on: { push: { branches: ["trunk"] } } });
  });
});
