#!/usr/bin/env node
// The executable: runs the CLI on this process's arguments and sets the exit code. Node's compile cache
// (Node ≥ 22.1) is enabled before anything else is loaded, so later runs skip compiling the CLI.
import module from "node:module";

(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
// A reader that goes away (`assetctl list | head`) is no error: stop quietly, as other Unix tools do.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw error;
  });
}
// `--no-color` anywhere is NO_COLOR for this run, read before any output is styled.
const args = process.argv.slice(2).filter((arg) => arg !== "--no-color");
if (args.length !== process.argv.length - 2) process.env["NO_COLOR"] = "1";
const [{ main }, { processIo }] = await Promise.all([import("./main.js"), import("./io.js")]);
process.exitCode = await main(args, processIo());
