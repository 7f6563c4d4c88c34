// Runs before `npm pack` / `npm publish` (--fresh-dist before the build, then without a flag after it),
// and with --clean after them. It records what a
// published assetctl must know about itself and pins what it installs:
// - dist/release.json: the version and the git commit it was packed from; `init --github` pins the
//   reusable workflow to that commit (a tag can be moved, a commit cannot);
// - npm-shrinkwrap.json: package-lock.json without the development packages, published with the
//   package so that `npm install assetctl@VERSION` installs exactly the tested dependency tree. It exists
//   only while packing (--clean removes it and release.json): here package-lock.json stays the lockfile.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const shrinkwrap = path.join(root, "npm-shrinkwrap.json");

// A file left in dist/ by an older build (a renamed module, a test helper) would ship: build from nothing.
if (process.argv.includes("--fresh-dist")) {
  rmSync(path.join(root, "dist"), { recursive: true, force: true });
  process.exit(0);
}
if (process.argv.includes("--clean")) {
  rmSync(shrinkwrap, { force: true });
  rmSync(path.join(root, "dist", "release.json"), { force: true });
  process.exit(0);
}

const git = (...args) => execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim();
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
let commit;
try {
  commit = git("rev-parse", "HEAD");
} catch {
  console.error("prepack: not a git checkout; a release is packed from the commit its tag names");
  process.exit(1);
}
if (git("status", "--porcelain", "--untracked-files=no") !== "") {
  console.error(`prepack: warning: uncommitted changes; dist/release.json names ${commit}, which does not hold them`);
}
writeFileSync(path.join(root, "dist", "release.json"), `${JSON.stringify({ version: pkg.version, commit }, null, 2)}\n`);

const lock = JSON.parse(readFileSync(path.join(root, "package-lock.json"), "utf8"));
const packages = Object.fromEntries(Object.entries(lock.packages).filter(([key, entry]) => key === "" || entry.dev !== true));
const rootEntry = { ...packages[""] };
delete rootEntry.devDependencies;
packages[""] = rootEntry;
writeFileSync(shrinkwrap, `${JSON.stringify({ ...lock, packages }, null, 2)}\n`);
console.error(`prepack: dist/release.json (commit ${commit.slice(0, 12)}), npm-shrinkwrap.json (${Object.keys(packages).length - 1} packages)`);
