import { describe, expect, it } from "vitest";
import type { OnProgress } from "../../progress.js";
import type { Io } from "../io.js";
import { recordingIo } from "../io.test-helper.js";
import {
  formatBytes,
  formatDuration,
  progressLine,
  showsProgress,
  TerminalProgress,
  withTerminalProgress,
  type ProgressClock,
} from "./progress.js";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** A clock that only moves when told, running the timer's ticks on the way. */
class ManualClock implements ProgressClock {
  time = 0;
  private timers: { ms: number; next: number; tick: () => void }[] = [];

  now(): number {
    return this.time;
  }

  every(ms: number, tick: () => void): () => void {
    const timer = { ms, next: this.time + ms, tick };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  get running(): number {
    return this.timers.length;
  }

  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.next <= until).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      this.time = due.next;
      due.next += due.ms;
      due.tick();
    }
    this.time = until;
  }
}

/** What was written, with the control sequences named: CR (carriage return) and EL (erase line). */
function shown(writes: readonly string[]): string[] {
  return writes.map((w) => w.replaceAll("\r", "<CR>").replaceAll("\u001b[2K", "<EL>"));
}

function terminal(columns?: number): { writes: string[]; write(text: string): void; columns(): number | undefined } {
  const writes: string[] = [];
  return { writes, write: (text) => void writes.push(text), columns: () => columns };
}

describe("formatBytes and formatDuration", () => {
  it("use binary units with one decimal, and short durations", () => {
    expect([0, 512, 1024, 1536, 10 * MiB + 300 * 1024, 2 * GiB, 1024 * 1024 - 1, 5 * 1024 * GiB].map(formatBytes)).toMatchInlineSnapshot(`
      [
        "0 B",
        "512 B",
        "1.0 KiB",
        "1.5 KiB",
        "10.3 MiB",
        "2.0 GiB",
        "1.0 MiB",
        "5.0 TiB",
      ]
    `);
    expect([0, 0.2, 7, 59.5, 125, 3600 + 125].map(formatDuration)).toMatchInlineSnapshot(`
      [
        "0s",
        "1s",
        "7s",
        "1m00s",
        "2m05s",
        "1h02m",
      ]
    `);
  });
});

describe("progressLine", () => {
  it("shows bytes, percent, rate and ETA when the total is known", () => {
    expect(progressLine({ phase: "hashing", done: 1.25 * GiB, total: 2 * GiB }, 3000)).toMatchInlineSnapshot(
      `"Hashing  1.3 GiB / 2.0 GiB  62%  426.7 MiB/s  ETA 2s"`,
    );
    expect(progressLine({ phase: "storing", done: 300 * MiB, total: 10 * GiB }, 20_000)).toMatchInlineSnapshot(
      `"Storing  300.0 MiB / 10.0 GiB  2%  15.0 MiB/s  ETA 11m03s"`,
    );
    expect(progressLine({ phase: "verifying", done: 1.5 * GiB, total: 2 * GiB }, 1000)).toMatchInlineSnapshot(`"Verifying  1.5 GiB / 2.0 GiB  75%  1.5 GiB/s  ETA 1s"`);
  });

  it("shows bytes and rate only without a total, and no rate before the first byte", () => {
    expect(progressLine({ phase: "hashing", done: 700 * MiB, total: undefined }, 2000)).toMatchInlineSnapshot(
      `"Hashing  700.0 MiB  350.0 MiB/s"`,
    );
    expect(progressLine({ phase: "storing", done: 0, total: 2 * GiB }, 1500)).toMatchInlineSnapshot(`"Storing  0 B / 2.0 GiB  0%  1s elapsed"`);
  });

  it("never claims more than 100% when a file grew while it was hashed", () => {
    expect(progressLine({ phase: "hashing", done: 11 * MiB, total: 10 * MiB }, 1000)).toMatchInlineSnapshot(
      `"Hashing  11.0 MiB / 10.0 MiB  100%  11.0 MiB/s"`,
    );
  });
});

describe("showsProgress", () => {
  const on = { terminal: true, json: false, env: {} };

  it("draws only on a terminal, and not when the output is JSON", () => {
    expect(showsProgress(on)).toBe(true);
    expect(showsProgress({ ...on, terminal: false })).toBe(false);
    expect(showsProgress({ ...on, json: true })).toBe(false);
  });

  it("is quiet in CI unless CI is empty, 0 or false; NO_COLOR does not matter", () => {
    expect(showsProgress({ ...on, env: { CI: "true" } })).toBe(false);
    expect(showsProgress({ ...on, env: { CI: "1" } })).toBe(false);
    expect(showsProgress({ ...on, env: { CI: "woodpecker" } })).toBe(false);
    expect(showsProgress({ ...on, env: { CI: "" } })).toBe(true);
    expect(showsProgress({ ...on, env: { CI: "0" } })).toBe(true);
    expect(showsProgress({ ...on, env: { CI: "False" } })).toBe(true);
    expect(showsProgress({ ...on, env: { NO_COLOR: "1" } })).toBe(true);
    expect(showsProgress({ ...on, env: { TERM: "dumb" } })).toBe(false);
  });
});

describe("TerminalProgress", () => {
  it("writes nothing for a phase that ends within the first second, and stops its timer", () => {
    const clock = new ManualClock();
    const tty = terminal();
    const progress = new TerminalProgress(tty, clock);
    progress.onProgress({ phase: "hashing", done: 0, total: 50 * MiB, ended: false });
    clock.advance(400);
    progress.onProgress({ phase: "hashing", done: 50 * MiB, total: 50 * MiB, ended: false });
    clock.advance(500);
    progress.onProgress({ phase: "hashing", done: 50 * MiB, total: 50 * MiB, ended: true });
    expect(clock.running).toBe(0);
    clock.advance(5000);
    expect(tty.writes).toEqual([]);
  });

  it("after a second redraws one line in place, at most ten times a second, and clears it at the end", () => {
    const clock = new ManualClock();
    const tty = terminal();
    const progress = new TerminalProgress(tty, clock);
    progress.onProgress({ phase: "hashing", done: 0, total: 2 * GiB, ended: false });
    clock.advance(999);
    expect(tty.writes).toEqual([]);
    progress.onProgress({ phase: "hashing", done: 400 * MiB, total: 2 * GiB, ended: false });
    clock.advance(1);
    progress.onProgress({ phase: "hashing", done: 800 * MiB, total: 2 * GiB, ended: false });
    clock.advance(250);
    expect(shown(tty.writes)).toMatchInlineSnapshot(`
      [
        "<CR><EL>Hashing  400.0 MiB / 2.0 GiB  19%  400.0 MiB/s  ETA 5s",
        "<CR><EL>Hashing  800.0 MiB / 2.0 GiB  39%  727.3 MiB/s  ETA 2s",
        "<CR><EL>Hashing  800.0 MiB / 2.0 GiB  39%  666.7 MiB/s  ETA 2s",
      ]
    `);
    clock.advance(1000);
    expect(tty.writes).toHaveLength(3 + 10);
    progress.onProgress({ phase: "hashing", done: 2 * GiB, total: 2 * GiB, ended: true });
    expect(shown(tty.writes.slice(-1))).toEqual(["<CR><EL>"]);
    expect(clock.running).toBe(0);
  });

  it("fits the line to the terminal's width, so it never wraps", () => {
    const clock = new ManualClock();
    const tty = terminal(20);
    const progress = new TerminalProgress(tty, clock);
    progress.onProgress({ phase: "storing", done: MiB, total: GiB, ended: false });
    clock.advance(1000);
    expect(shown(tty.writes)).toEqual(["<CR><EL>Storing  1.0 MiB / "]);
    progress.close();
    expect(shown(tty.writes).at(-1)).toBe("<CR><EL>");
  });

  it("a new phase starts its own second of silence", () => {
    const clock = new ManualClock();
    const tty = terminal();
    const progress = new TerminalProgress(tty, clock);
    progress.onProgress({ phase: "hashing", done: MiB, total: undefined, ended: false });
    clock.advance(1000);
    expect(tty.writes).toHaveLength(1);
    progress.onProgress({ phase: "storing", done: 0, total: MiB, ended: false });
    expect(shown(tty.writes).at(-1)).toBe("<CR><EL>");
    clock.advance(900);
    expect(tty.writes).toHaveLength(2);
    progress.onProgress({ phase: "storing", done: MiB, total: MiB, ended: true });
    expect(tty.writes).toHaveLength(2);
  });

  it("never throws when the terminal fails", () => {
    const clock = new ManualClock();
    const progress = new TerminalProgress(
      {
        write: () => {
          throw new Error("EPIPE");
        },
        columns: () => undefined,
      },
      clock,
    );
    progress.onProgress({ phase: "hashing", done: MiB, total: GiB, ended: false });
    expect(() => clock.advance(2000)).not.toThrow();
    expect(() => progress.close()).not.toThrow();
  });
});

describe("withTerminalProgress", () => {
  function io(errTerminal?: Io["errTerminal"], env: NodeJS.ProcessEnv = {}): Io & { lines: string[] } {
    return recordingIo({ env, ...(errTerminal ? { errTerminal } : {}) });
  }

  async function listenerDuring(shell: Io, values: Record<string, unknown>): Promise<OnProgress | undefined> {
    return withTerminalProgress(shell, values, async (wrapped) => wrapped.progress);
  }

  it("listens for the run of a command only where progress is shown", async () => {
    expect(await listenerDuring(io(terminal()), {})).toBeTypeOf("function");
    expect(await listenerDuring(io(), {})).toBeUndefined();
    expect(await listenerDuring(io(terminal()), { json: true })).toBeUndefined();
    expect(await listenerDuring(io(terminal()), { format: "json" })).toBeUndefined();
    expect(await listenerDuring(io(terminal(), { CI: "true" }), {})).toBeUndefined();
    expect(await listenerDuring({ ...io(terminal()), quiet: true }, {})).toBeUndefined();
  });

  it("clears the line when the run ends, even by an error", async () => {
    const tty = terminal();
    const clock = new ManualClock();
    await expect(
      withTerminalProgress(
        io(tty),
        {},
        async (wrapped) => {
          (wrapped.progress as OnProgress)({ phase: "hashing", done: MiB, total: GiB, ended: false });
          clock.advance(1000);
          throw new Error("failed");
        },
        clock,
      ),
    ).rejects.toThrow("failed");
    expect(shown(tty.writes)).toEqual(["<CR><EL>Hashing  1.0 MiB / 1.0 GiB  0%  1.0 MiB/s  ETA 17m03s", "<CR><EL>"]);
    expect(clock.running).toBe(0);
  });

  it("erases the line before the command prints, so its output never lands on the progress line", async () => {
    const tty = terminal();
    const clock = new ManualClock();
    const shell = io(tty);
    await withTerminalProgress(
      shell,
      {},
      async (wrapped) => {
        (wrapped.progress as OnProgress)({ phase: "storing", done: MiB, total: 2 * MiB, ended: false });
        clock.advance(1000);
        wrapped.out("a line");
        expect(shown(tty.writes)).toEqual(["<CR><EL>Storing  1.0 MiB / 2.0 MiB  50%  1.0 MiB/s  ETA 1s", "<CR><EL>"]);
        wrapped.err("another");
        expect(tty.writes).toHaveLength(2); // nothing drawn since: nothing to erase
      },
      clock,
    );
    expect(shell.lines).toEqual(["a line", "another"]);
  });
});
