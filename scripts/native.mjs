// Builds assetctl's addon (src/native/survey.c: the tree survey, SHA-256, syncfs) into
// dist/native/survey-PLATFORM-ARCH.node, with the C compiler at hand and Node-API's headers
// (node-api-headers). Where there is no compiler, or it fails, it says so and assetctl walks the tree in
// JavaScript and syncs the embedded registry's writes file by file: the addon only makes a plan of an
// unchanged tree and an apply quicker. Not on Windows, whose compilers take other flags (the same fallback there).
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const out = path.join(root, "dist", "native", `survey-${process.platform}-${process.arch}.node`);
rmSync(out, { force: true });
if (process.platform === "win32") process.exit(0);
const headers = path.dirname(createRequire(import.meta.url).resolve("node-api-headers/package.json"));
mkdirSync(path.dirname(out), { recursive: true });
const compiler = process.env.CC || "cc";
// macOS resolves Node's symbols when the addon is loaded, as Linux does by default.
const flags = ["-O2", "-std=c11", "-D_DEFAULT_SOURCE", "-shared", "-fPIC", "-Wall", "-Werror", ...(process.platform === "darwin" ? ["-undefined", "dynamic_lookup"] : [])];
try {
  execFileSync(compiler, [...flags, "-I", path.join(headers, "include"), path.join(root, "src", "native", "survey.c"), "-o", out], { stdio: ["ignore", "inherit", "inherit"] });
} catch (error) {
  console.warn(`note: the native addon was not built (${error.code === "ENOENT" ? `no ${compiler}` : `${compiler} failed`}); plans walk the tree in JavaScript and applies sync file by file`);
}
