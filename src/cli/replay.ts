// The executable's first step for `plan` (bundled on its own as dist/cli/replay.cjs, loaded by the
// launcher before the CLI): replays the kept answer of this very invocation when nothing it was made of
// has changed (cli/answer.ts). Only Node's own modules and a few of assetctl's small ones are loaded here,
// and stdout and stderr are written to as files until they refuse: their stream classes cost more to load
// than the rest of a replay but the survey.
import { fstatSync, writeSync } from "node:fs";
import { sha256Hex } from "../digest.js";
import { replayAnswer, type Terminals } from "./answer.js";
import { nativeSha256, nativeSurvey } from "../source/native-survey.js";

/** Replays the kept answer of `args`, setting the exit code; false when the CLI must run. */
export async function replayed(args: string[]): Promise<boolean> {
  const output = new Output();
  let exitCode: number | undefined;
  try {
    exitCode = await replayAnswer(args, { cwd: process.cwd(), env: process.env, terminals: terminals(), survey, sha256 }, (fd, text) => output.write(fd, text));
  } catch (error) {
    // Whatever went wrong here, the CLI answers in full — unless something was printed already.
    if (output.started) throw error;
    return false;
  }
  if (exitCode === undefined) return false;
  process.exitCode = exitCode;
  return true;
}

/**
 * As invocationOf sees process.stdout and process.stderr, without making them (nor loading node:tty, which
 * loads node:net) where they are no terminal: a terminal is a character device.
 */
function terminals(): Terminals {
  const of = (fd: 1 | 2): Terminals["stdout"] => {
    let device = true;
    try {
      device = fstatSync(fd).isCharacterDevice();
    } catch {
      // not open: as Node makes it, below
    }
    return device ? (fd === 1 ? process.stdout : process.stderr) : { isTTY: false };
  };
  return { stdout: of(1), stderr: of(2) };
}

/** The tree's survey digest: in C where it is built, else as the CLI takes it (loaded only then). */
async function survey(root: string): Promise<string> {
  const native = nativeSurvey(root);
  if (native !== undefined) return native;
  const { WorkTree } = await import("../source/tree.js");
  return new WorkTree(root).survey().digest;
}

/** A text's SHA-256: in C where it is built, else node:crypto's. */
function sha256(text: string): string {
  return nativeSha256(text) ?? sha256Hex(text);
}

/** stdout and stderr, written to directly; through their streams once one would block (a non-blocking pipe). */
class Output {
  started = false;
  readonly #streamed = new Set<number>();

  write(fd: 1 | 2, text: string): void {
    this.started = true;
    const bytes = Buffer.from(text);
    let offset = 0;
    while (offset < bytes.length && !this.#streamed.has(fd)) {
      try {
        offset += writeSync(fd, bytes, offset);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // A reader that goes away (`assetctl plan | head`) is no error, as in the CLI (bin.ts).
        if (code === "EPIPE") process.exit(process.exitCode ?? 0);
        if (code !== "EAGAIN") throw error;
        this.#streamed.add(fd);
      }
    }
    if (offset < bytes.length) (fd === 1 ? process.stdout : process.stderr).write(bytes.subarray(offset));
  }
}
