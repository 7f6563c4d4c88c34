#!/usr/bin/env node
// The executable: runs the CLI on this process's arguments and sets the exit code. Node's compile cache
// (Node ≥ 22.1) is enabled before anything else is loaded, so later runs skip compiling the CLI.
import module from "node:module";

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
const [{ main }, { processIo }] = await Promise.all([import("./main.js"), import("./io.js")]);
process.exitCode = await main(process.argv.slice(2), processIo());
