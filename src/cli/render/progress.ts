// Progress on a terminal: one line on stderr, drawn in place once hashing, storing or verifying has gone
// on for a second, and cleared when it ends, so that what the command prints reads exactly as it would without.
import type { OnProgress, ProgressPhase, ProgressUpdate } from "../../progress.js";
import type { Io, Terminal } from "../io.js";

/** Quick work shows nothing: a line that flashes for a moment is noise. */
export const PROGRESS_DELAY_MS = 1000;
/** Redraws a second: enough to look alive, few enough to cost nothing. */
export const PROGRESS_INTERVAL_MS = 100;

/** Carriage return and erase the line: the cursor stays at its start, ready for a redraw or other output. */
const CLEAR_LINE = "\r\u001b[2K";

const LABELS: Record<ProgressPhase, string> = { hashing: "Hashing", storing: "Storing", verifying: "Verifying" };
const UNITS = ["KiB", "MiB", "GiB", "TiB", "PiB"];

/** `512 B`, `1.5 KiB`, `2.0 GiB`: binary units, one decimal. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) return `${Math.max(0, Math.round(Number.isFinite(bytes) ? bytes : 0))} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // 1023.96 would round to "1024.0 KiB": show it as the next unit instead.
  if (value.toFixed(1) === "1024.0" && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** `7s`, `2m05s`, `1h02m`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/**
 * The progress line for a phase that has run `elapsedMs`: `Hashing  1.2 GiB / 2.0 GiB  60%  410.5 MiB/s  ETA 2s`.
 * Without a total, bytes and rate only; the rate is the phase's average, steadier than the last instant's.
 * Before the first byte (a clone or an upload's first chunk), the time so far shows that it is still going.
 */
export function progressLine(update: Pick<ProgressUpdate, "phase" | "done" | "total">, elapsedMs: number): string {
  const { done, total } = update;
  const parts = [LABELS[update.phase]];
  const rate = elapsedMs > 0 ? (done / elapsedMs) * 1000 : 0;
  if (total !== undefined && total > 0) {
    parts.push(`${formatBytes(done)} / ${formatBytes(total)}`, `${Math.min(100, Math.floor((done / total) * 100))}%`);
  } else {
    parts.push(formatBytes(done));
  }
  if (rate > 0) {
    parts.push(`${formatBytes(rate)}/s`);
    if (total !== undefined && total > done) parts.push(`ETA ${formatDuration((total - done) / rate)}`);
  } else {
    parts.push(`${formatDuration(Math.floor(elapsedMs / 1000))} elapsed`);
  }
  return parts.join("  ");
}

/**
 * Whether progress is drawn: only on a terminal, never where output is data (`--json`, `--format json`),
 * never in CI (`CI` set to anything but "", "0" or "false"), never on a terminal that cannot erase a line.
 * NO_COLOR does not matter: the line has no colour.
 */
export function showsProgress(options: { terminal: boolean; json: boolean; env: NodeJS.ProcessEnv }): boolean {
  if (!options.terminal || options.json) return false;
  const ci = options.env["CI"]?.trim().toLowerCase();
  if (ci !== undefined && ci !== "" && ci !== "0" && ci !== "false") return false;
  return options.env["TERM"] !== "dumb";
}

/** Time and a repeating timer, replaceable so that tests run a phase of any length at once. */
export interface ProgressClock {
  /** Milliseconds, from any origin. */
  now(): number;
  /** Calls `tick` every `ms` until the returned function is called; never keeps the process alive. */
  every(ms: number, tick: () => void): () => void;
}

export const systemClock: ProgressClock = {
  now: () => performance.now(),
  every: (ms, tick) => {
    const timer = setInterval(tick, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

interface Shown {
  phase: ProgressPhase;
  done: number;
  total: number | undefined;
  startedAt: number;
}

/**
 * Draws the progress it is told of (`onProgress`) on a terminal. Updates only store the counts; a timer
 * draws them, so a fast or fully cached phase costs a few assignments and shows nothing.
 */
export class TerminalProgress {
  private shown: Shown | undefined;
  private stopTimer: (() => void) | undefined;
  private drawn = false;

  constructor(
    private readonly terminal: Terminal,
    private readonly clock: ProgressClock = systemClock,
  ) {}

  readonly onProgress: OnProgress = (update) => {
    const shown = this.shown;
    if (update.ended) {
      if (shown?.phase === update.phase) this.finish();
      return;
    }
    if (shown?.phase === update.phase) {
      shown.done = update.done;
      shown.total = update.total;
      return;
    }
    this.finish();
    this.shown = { phase: update.phase, done: update.done, total: update.total, startedAt: this.clock.now() };
    this.stopTimer = this.clock.every(PROGRESS_INTERVAL_MS, () => this.draw());
  };

  /** Erases the line for other output; the next tick draws it again. */
  interrupt(): void {
    if (!this.drawn) return;
    this.drawn = false;
    this.write(CLEAR_LINE);
  }

  /** Ends whatever is shown and leaves the line empty. */
  close(): void {
    this.finish();
  }

  private draw(): void {
    const shown = this.shown;
    if (!shown) return;
    const elapsed = this.clock.now() - shown.startedAt;
    if (elapsed < PROGRESS_DELAY_MS) return;
    let line = progressLine(shown, elapsed);
    // A line longer than the terminal wraps, and a wrapped line cannot be redrawn in place.
    const columns = this.terminal.columns();
    if (columns !== undefined && columns > 1 && line.length >= columns) line = line.slice(0, columns - 1);
    this.drawn = true;
    this.write(`${CLEAR_LINE}${line}`);
  }

  private finish(): void {
    this.stopTimer?.();
    this.stopTimer = undefined;
    this.shown = undefined;
    this.interrupt();
  }

  private write(text: string): void {
    try {
      this.terminal.write(text);
    } catch {
      // A terminal gone away (EPIPE, closed pty) is no reason to fail the command.
    }
  }
}

/**
 * Runs a command with progress drawn on stderr when `showsProgress` allows: all hashing, storing and verifying
 * of the run reports to it, and the command's own output erases the line before it is written.
 */
export async function withTerminalProgress<T>(
  io: Io,
  values: Record<string, unknown>,
  run: (io: Io) => Promise<T>,
  clock: ProgressClock = systemClock,
): Promise<T> {
  const json = values["json"] === true || values["format"] === "json";
  if (!io.errTerminal || io.quiet === true || !showsProgress({ terminal: true, json, env: io.env })) return run(io);
  const progress = new TerminalProgress(io.errTerminal, clock);
  const drawnAround: Io = {
    ...io,
    progress: progress.onProgress,
    out: (text) => {
      progress.interrupt();
      io.out(text);
    },
    err: (text) => {
      progress.interrupt();
      io.err(text);
    },
    ask: (question) => {
      progress.interrupt();
      return io.ask(question);
    },
  };
  try {
    return await run(drawnAround);
  } finally {
    progress.close();
  }
}
