// Bundles the CLI for start-up speed: `dist/cli/bin.js` becomes one ESM file,
// and what only some commands need (the manifest loader, zod, the rules, the watcher, a database client)
// goes in chunks under `dist/cli/chunks/`, loaded by dynamic import when a command asks for it. The
// library build (`tsc`, `dist/**` with types) is left as it is for programmatic users.
// The `bin` of package.json is `dist/cli/assetctl.cjs`, a CommonJS launcher: Node starts a CommonJS file
// without its ES module loader (about a tenth of Node's own start-up), so `--version` answers at the cost
// of `node -e 0`; every other command goes on to the ESM bundle.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const outdir = path.join(root, "dist", "cli");
rmSync(path.join(outdir, "chunks"), { recursive: true, force: true });

/** The dependencies bundled (with what they import), loaded only by the Azure ML driver. */
const BUNDLED = new Set(["@azure/storage-blob", "@azure/core-rest-pipeline"]);

/** Every package that assetctl's own code imports is external, except `bundled`; what those import is bundled. */
function externalExcept(bundled) {
  return {
    name: "external-except",
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.importer.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const name = args.path.startsWith("@") ? args.path.split("/").slice(0, 2).join("/") : args.path.split("/")[0];
        return bundled.has(name) ? undefined : { path: args.path, external: true };
      });
    },
  };
}

const result = await build({
  absWorkingDir: root,
  entryPoints: { bin: "src/cli/bin.ts" },
  outdir,
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20.19",
  // Dependencies stay in node_modules, loaded where used (most of them lazily): a bundle of its own
  // code is what makes start-up fast, and an installed package has its dependencies anyway. Except
  // Azure's HTTP pipeline and blob client, spread over hundreds of small modules: bundled into the Azure
  // ML driver's chunk they load in about a third of the time (every command against a workspace needs them).
  plugins: [externalExcept(BUNDLED)],
  // Bundled CommonJS parts of them call require() for Node's own modules.
  banner: { js: 'import { createRequire as __assetctlRequire } from "node:module"; const require = __assetctlRequire(import.meta.url);' },
  define: { __ASSETCTL_VERSION__: JSON.stringify(pkg.version) },
  legalComments: "none",
  sourcemap: false,
  metafile: true,
  logLevel: "warning",
});
// `plan`'s first step, on its own in one CommonJS file: replaying a kept answer loads nothing else.
await build({
  absWorkingDir: root,
  entryPoints: { replay: "src/cli/replay.ts" },
  outdir,
  outExtension: { ".js": ".cjs" },
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20.19",
  define: { __ASSETCTL_VERSION__: JSON.stringify(pkg.version) },
  // The addon is found by __dirname in CommonJS; import.meta is for the library build.
  logOverride: { "empty-import-meta": "silent" },
  legalComments: "none",
  logLevel: "warning",
});
if (process.argv.includes("--meta")) writeFileSync(path.join(root, "dist", "cli-meta.json"), JSON.stringify(result.metafile));

const launcher = `#!/usr/bin/env node
"use strict";
// The assetctl executable (written by scripts/bundle.mjs). \`--version\` is answered here; everything else
// is the ES module bundle beside this file — but for a plan whose kept answer still holds (replay.cjs).
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "version")) process.stdout.write(${JSON.stringify(`${pkg.version}\n`)});
else if (!args.includes("plan")) import("./bin.js");
else require("./replay.cjs").replayed(args).then((done) => done || import("./bin.js"));
`;
writeFileSync(path.join(outdir, "assetctl.cjs"), launcher, { mode: 0o755 });
