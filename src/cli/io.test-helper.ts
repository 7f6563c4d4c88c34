// An Io for tests: no terminal, no colour, everything printed (to stdout or stderr) kept in `lines`.
import type { Io } from "./io.js";
import { plain } from "./render/style.js";

export function recordingIo(options: Partial<Pick<Io, "cwd" | "env" | "errTerminal" | "interactive" | "ask">> = {}): Io & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    out: (text) => void lines.push(text),
    err: (text) => void lines.push(text),
    style: plain,
    errStyle: plain,
    interactive: options.interactive ?? false,
    ask: options.ask ?? (async () => ""),
    cwd: options.cwd ?? "/",
    env: options.env ?? {},
    ...(options.errTerminal ? { errTerminal: options.errTerminal } : {}),
  };
}
