// The CLI's connection to the outside world, passed to every command so tests can capture it.
import { styleFor, type Style } from "./render/style.js";

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Colours for stdout and stderr (plain when not a TTY or with NO_COLOR). */
  style: Style;
  errStyle: Style;
  /** True when a person can answer a question on stdin. */
  interactive: boolean;
  /** Asks a question on the terminal and returns the answer. */
  ask(question: string): Promise<string>;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export function processIo(): Io {
  return {
    out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
    err: (text) => process.stderr.write(text.endsWith("\n") ? text : `${text}\n`),
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
  };
}
