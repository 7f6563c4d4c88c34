// The CLI's connection to the outside world, passed to every command so tests can capture it.
import type { OnProgress } from "../progress.js";
import type { AnswerBasis } from "./answer.js";
import { redact } from "../redact.js";
import { styleFor, type Style } from "./render/style.js";

/** A terminal to draw on in place (progress), rather than to print lines to. */
export interface Terminal {
  write(text: string): void;
  /** Its width, when known. */
  columns(): number | undefined;
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /**
   * Prints a line that must carry a secret of this run's own making, unredacted: the web UI's address with
   * its access token, which is how its user gets in. Never for anything read from a file or the registry.
   */
  reveal?(text: string): void;
  /** Colours for stdout and stderr (plain when not a TTY or with NO_COLOR). */
  style: Style;
  errStyle: Style;
  /** True when a person can answer a question on stdin. */
  interactive: boolean;
  /** Asks a question on the terminal and returns the answer. */
  ask(question: string): Promise<string>;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** stderr, when it is a terminal. */
  errTerminal?: Terminal;
  /**
   * `--quiet`: print the result and errors only. Headers, details, progress, warnings' source lines and
   * hints, and what to run next are left out; every error is printed whole.
   */
  quiet?: boolean;
  /**
   * Told, by a command whose answer could be replayed, what vouches for it (cli/answer.ts): set by the
   * executable, which records what is printed.
   */
  vouch?(basis: AnswerBasis): void;
  /** Told of the bytes of long work (hashing, storing, verifying), when progress is shown (render/progress.ts). */
  progress?: OnProgress;
}

/** The process's own Io; `printed`, when given, is told every line as written (the answer's recorder, bin.ts). */
export function processIo(printed?: (fd: 1 | 2, line: string) => void): Io {
  const write = (fd: 1 | 2, text: string): void => {
    const line = text.endsWith("\n") ? text : `${text}\n`;
    printed?.(fd, line);
    (fd === 1 ? process.stdout : process.stderr).write(line);
  };
  return {
    out: (text) => write(1, text),
    err: (text) => write(2, text),
    style: styleFor(process.stdout),
    errStyle: styleFor(process.stderr),
    interactive: process.stdin.isTTY === true && process.stdout.isTTY === true,
    ask: async (question) => {
      const { createInterface } = await import("node:readline/promises");
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
    cwd: process.cwd(),
    env: process.env,
    ...(process.stderr.isTTY ? { errTerminal: { write: (text: string) => void process.stderr.write(text), columns: () => process.stderr.columns } } : {}),
  };
}

/**
 * The same Io with every printed line redacted: whatever a command, a driver or a library prints, no
 * credential reaches stdout, stderr or the terminal (plans in every format, errors, progress).
 */
export function redactingIo(io: Io): Io {
  return {
    ...io,
    out: (text) => io.out(redact(text)),
    reveal: io.reveal ?? io.out,
    err: (text) => io.err(redact(text)),
    ...(io.errTerminal ? { errTerminal: { write: (text: string) => io.errTerminal?.write(redact(text)), columns: () => io.errTerminal?.columns() } } : {}),
  };
}
