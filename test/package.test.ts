// What `npm publish` would ship, read from `npm pack --dry-run --json` after the prepack step: the built
// code with its types, LICENSE, the release commit and the shrinkwrap; no tests, test helpers, fixtures
// or source maps; and no shipped file that imports a development dependency (a broken install).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "./e2e/harness.js";

interface PackageJson {
  name: string;
  version: string;
  bin: Record<string, string>;
  exports: Record<string, { types: string; default: string } | string>;
  repository: { url: string };
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

const pkg = JSON.parse(readFileSync(path.join(projectRoot, "package.json"), "utf8")) as PackageJson;

/** The package names a module's import, export-from, dynamic import and require specifiers name. */
export function importedPackages(code: string): string[] {
  const specifiers = [...code.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)["']([^"']+)["']/g)].map((m) => m[1] as string);
  return specifiers
    // A specifier never holds white space: such a match is text in bundled code (`"… import " + name`).
    .filter((s) => !s.startsWith(".") && !s.startsWith("/") && !s.startsWith("node:") && !/\s/.test(s))
    .map((s) => (s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : (s.split("/")[0] as string)));
}

describe("the published package", () => {
  let files: string[] = [];
  beforeAll(() => {
    execFileSync(process.execPath, ["scripts/prepack.mjs"], { cwd: projectRoot, stdio: "pipe" });
    const packed = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: projectRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })) as { files: { path: string }[] }[];
    files = (packed[0]?.files ?? []).map((f) => f.path);
  }, 60_000);
  afterAll(() => {
    execFileSync(process.execPath, ["scripts/prepack.mjs", "--clean"], { cwd: projectRoot, stdio: "pipe" });
  });

  it("ships the built code with its types, LICENSE, the release commit and the shrinkwrap", () => {
    expect(files).toEqual(expect.arrayContaining(["LICENSE", "README.md", "package.json", "npm-shrinkwrap.json", "dist/release.json", "dist/index.js", "dist/index.d.ts"]));
    for (const target of Object.values(pkg.bin)) expect(files).toContain(target);
    // The launcher's replay of a kept answer, and the survey in C it uses, built here (a C compiler is at hand).
    expect(files).toContain("dist/cli/replay.cjs");
    if (process.platform === "linux") expect(files).toContain(`dist/native/survey-linux-${process.arch}.node`);
    const root = pkg.exports["."];
    expect(typeof root === "object" && [root.types, root.default].map((f) => f.replace(/^\.\//, ""))).toEqual(["dist/index.d.ts", "dist/index.js"]);
    expect(pkg.repository.url).toMatch(/^git\+https:\/\/github\.com\/.+\.git$/);
    expect(pkg.scripts["prepack"]).toBe("node scripts/prepack.mjs --fresh-dist && npm run build && node scripts/prepack.mjs");
    const release = JSON.parse(readFileSync(path.join(projectRoot, "dist/release.json"), "utf8")) as { version: string; commit: string };
    expect(release).toEqual({ version: pkg.version, commit: execFileSync("git", ["rev-parse", "HEAD"], { cwd: projectRoot, encoding: "utf8" }).trim() });
  });

  it("ships no tests, test helpers, fixtures or source maps", () => {
    expect(files.filter((f) => /\.test\.|test-helper|conformance|sample-records|\.map$|(^|\/)(test|fixtures?)\//.test(f))).toEqual([]);
    expect(files.every((f) => /^(dist|schemas)\/|^(LICENSE|README\.md|package\.json|npm-shrinkwrap\.json)$/.test(f))).toBe(true);
  });

  it("ships no file that imports a development dependency or anything not installed with it", () => {
    const builtins = new Set(builtinModules);
    const js = files.filter((f) => /\.c?js$/.test(f));
    expect(js.length).toBeGreaterThan(50);
    const wrong: string[] = [];
    for (const file of js) {
      for (const name of importedPackages(readFileSync(path.join(projectRoot, file), "utf8"))) {
        if (builtins.has(name)) continue;
        if (name in pkg.devDependencies || !(name in pkg.dependencies)) wrong.push(`${file} imports ${name}`);
      }
    }
    expect(wrong).toEqual([]);
    // The check can fail: the conformance suite, were it shipped, would be caught.
    expect(importedPackages(readFileSync(path.join(projectRoot, "src/registry/conformance.test-helper.ts"), "utf8"))).toContain("vitest");
  });

  it("installs an executable that answers --version itself and hands every other command to the CLI", () => {
    const bin = path.join(projectRoot, pkg.bin["assetctl"] ?? "");
    const run = (...args: string[]) => execFileSync(process.execPath, [bin, ...args], { cwd: projectRoot, encoding: "utf8" });
    expect(run("--version")).toBe(`${pkg.version}\n`);
    expect(run("version")).toBe(`${pkg.version}\n`);
    expect(run("--version", "--no-color")).toBe(`${pkg.version}\n`);
    expect(run("--help")).toContain("Usage: assetctl <command>");
    expect(() => run("no-such-command")).toThrow(/unknown command/);
  });

  it("pins the runtime dependency tree: the shrinkwrap has every runtime package and no development one", () => {
    const shrinkwrap = JSON.parse(readFileSync(path.join(projectRoot, "npm-shrinkwrap.json"), "utf8")) as { packages: Record<string, { dev?: boolean; version?: string }> };
    const names = Object.keys(shrinkwrap.packages);
    for (const dep of Object.keys(pkg.dependencies)) expect(shrinkwrap.packages[`node_modules/${dep}`]?.version).toBe(pkg.dependencies[dep]);
    for (const dep of Object.keys(pkg.devDependencies)) expect(names).not.toContain(`node_modules/${dep}`);
    expect(Object.values(shrinkwrap.packages).some((p) => p.dev)).toBe(false);
  });
});
