// Progress of long work — hashing artifacts, storing objects, verifying a registry — as byte counts the
// core reports and the CLI draws. The core only counts; whether and how anything is shown is the
// listener's business.

export type ProgressPhase = "hashing" | "storing" | "verifying";

export interface ProgressUpdate {
  phase: ProgressPhase;
  /** Bytes done so far in this phase. */
  done: number;
  /** Bytes the phase has to do, when known: it may grow while the work is being found (hashing). */
  total: number | undefined;
  /** The phase is over: nothing more comes for it. */
  ended: boolean;
}

/** Called on every change of the counts; must be cheap (store the numbers, draw on a timer). */
export type OnProgress = (update: ProgressUpdate) => void;

export interface ProgressItem {
  /** `bytes` more of the item are done. */
  advance(bytes: number): void;
  /** The item is done: whatever of it was not told counts now. */
  complete(): void;
}

/** The counts of one phase; a no-op without a listener, so callers need no checks of their own. */
export class ProgressMeter {
  done = 0;
  total = 0;
  private started = false;

  constructor(
    readonly phase: ProgressPhase,
    private readonly listener: OnProgress | undefined,
    /** Whether `total` is what the phase has to do; false: bytes and rate only. */
    private readonly totalKnown = true,
  ) {}

  /** `bytes` more are to be done (negative: fewer, e.g. an object the registry turned out to have). */
  expect(bytes: number): void {
    if (!this.listener) return;
    this.total += bytes;
    this.emit(false);
  }

  /** `bytes` more are done. */
  advance(bytes: number): void {
    if (!this.listener || bytes === 0) return;
    this.done += bytes;
    this.emit(false);
  }

  /**
   * The counts of one item of `size` bytes (an object) whose bytes are told as they go, by code that may
   * tell too much (a file that grew) or too little (stored in one step): the item never counts for more
   * or less than `size` once complete.
   */
  item(size: number): ProgressItem {
    let counted = 0;
    const advance = (bytes: number): void => {
      const more = Math.max(0, Math.min(bytes, size - counted));
      counted += more;
      this.advance(more);
    };
    return { advance, complete: () => advance(size - counted) };
  }

  /** The phase is over; counting again starts a new one. */
  end(): void {
    if (this.listener && this.started) this.emit(true);
    this.started = false;
    this.done = 0;
    this.total = 0;
  }

  private emit(ended: boolean): void {
    this.started = true;
    try {
      (this.listener as OnProgress)({ phase: this.phase, done: this.done, total: this.totalKnown ? Math.max(this.total, 0) : undefined, ended });
    } catch {
      // Progress is decoration: a failing listener never fails the work it watches.
    }
  }
}
