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
if (!args.includes("plan")) process.exitCode = await main(args, processIo());
else {
  // A plan's answer is recorded, to be replayed by the executable while nothing it was made of changes.
  const [{ AnswerRecorder, invocationOf }, { codeFolder, fingerprintText }, { sha256Hex }] = await Promise.all([
    import("./answer.js"),
    import("../code-fingerprint.js"),
    import("../digest.js"),
  ]);
  const recorder = new AnswerRecorder();
  const io = processIo((fd, text) => recorder.record(fd, text));
  const exitCode = await main(args, { ...io, vouch: (basis) => recorder.vouch(basis) });
  process.exitCode = exitCode;
  if (recorder.basis) {
    const invocation = invocationOf(process.argv.slice(2), io.cwd, process.env, process);
    await recorder.keep(sha256Hex(invocation), { folder: codeFolder(), text: fingerprintText(codeFolder()) }, exitCode);
  }
}
