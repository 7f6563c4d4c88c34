// Watch mode: file events → debounce → the same read → plan (→ apply) pipeline as the other commands.
// It owns no logic of its own beyond deciding when to run and what changed between two plans.
import type { Diagnostic } from "../diagnostics.js";
import { lstatSync } from "node:fs";
import path from "node:path";
import { statKey } from "../source/stat-key.js";
import type { Plan, Change } from "../plan/types.js";

/** What the files that changed in one burst did to the plan: for every event that follows a change. */
export interface Burst {
  /** Files that changed in this burst, repository-relative (none for the first plan). */
  files: string[];
  /** Milliseconds since the first file event of this burst (absent for the first plan). */
  latency_ms?: number;
}

/** What one apply of watch --apply wrote. */
export interface Applied {
  created: number;
  updated: number;
  archived: number;
}

/** What watching reports, as data: the CLI renders it for people or as JSON, the web UI keeps the state. */
export type WatchEvent =
  | { type: "ready" }
  | ({ type: "plan"; plan: Plan } & Burst)
  /** `added`: changes new or different since the previous plan; `removed`: addresses planned before and no longer. */
  | ({ type: "changed"; plan: Plan; added: Change[]; removed: string[] } & Burst)
  | ({ type: "invalid"; diagnostics: Diagnostic[] } & Burst)
  | ({ type: "applied"; applied: Applied } & Burst)
  | { type: "error"; files?: string[]; message: string };

/** What one run of the pipeline found: the manifests' errors, or a plan (and what applying it wrote). */
export type CycleResult = { status: "invalid"; diagnostics: Diagnostic[] } | { status: "planned"; plan: Plan; applied?: Applied };

export interface WatchOptions {
  root: string;
  /** Debounce window in ms: a burst of events ends after this much quiet. */
  debounceMs?: number;
  /** Runs the pipeline once: read, validate, plan (and apply when asked). Without it, only onFile is told. */
  cycle?(): Promise<CycleResult>;
  /**
   * Run once, silently, right after the first plan is told: reads and plans as a cycle does but writes
   * nothing, so that what only a re-plan uses is loaded and every cache is filled before the first save.
   */
  warm?(): Promise<unknown>;
  /** Told each event, in order: the next is told once the promise it returns (if any) has settled. */
  emit?(event: WatchEvent): void | Promise<void>;
  /**
   * Told of every file event as it comes, before the debounce (the resident query server's freshness):
   * the absolute path, and chokidar's name of the event (add, addDir, change, unlink, unlinkDir).
   */
  onFile?(file: string, event: string): void;
}

export interface WatchHandle {
  /** Resolves when the watcher is ready and the first plan was emitted. */
  ready: Promise<void>;
  close(): Promise<void>;
}

const IGNORED_SEGMENTS = new Set([".git", "node_modules", ".assetctl"]);

/**
 * A burst of events ends after this much quiet (ms): an editor's save (a temporary file renamed over the
 * original) comes within it. Short, because a save's plan is waited for; a longer burst (a checkout) may
 * plan once on the way, and cycles never overlap, so it ends in one plan of where it stopped.
 */
export const DEFAULT_DEBOUNCE_MS = 10;

/** How long chokidar (4.x, `_emit`) stays silent about a file after reporting a change to it. */
const CHANGE_THROTTLE_MS = 50;

/** What tells one state of a file from the next: its lstat (undefined when it is gone). */
function statsOf(file: string): string | undefined {
  try {
    const st = lstatSync(file, { bigint: true, throwIfNoEntry: false });
    return st === undefined ? undefined : statKey(st);
  } catch {
    return undefined; // unreadable: its next change is chokidar's to report
  }
}

/** The changes of `next` that are new or different from `previous`, and the addresses that went away. */
export function planDelta(previous: Plan | undefined, next: Plan): { added: Change[]; removed: string[] } {
  const key = (c: Change): string => `${c.action}|${c.digest ?? ""}|${JSON.stringify(c.patch)}`;
  const before = new Map((previous?.changes ?? []).filter((c) => c.action !== "noop").map((c) => [c.address, key(c)]));
  const after = next.changes.filter((c) => c.action !== "noop");
  const added = after.filter((c) => before.get(c.address) !== key(c));
  const afterAddresses = new Set(after.map((c) => c.address));
  const removed = [...before.keys()].filter((a) => !afterAddresses.has(a)).sort();
  return { added, removed };
}

export async function watchRepository(options: WatchOptions): Promise<WatchHandle> {
  // Loaded here only: no other command pays for the watcher.
  const { watch } = await import("chokidar");
  const debounceMs = options.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  let previous: Plan | undefined;
  let pending = new Set<string>();
  let burstStart = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let closed = false;

  // A listener that fails is told so once, as an error event; the watching goes on either way.
  const tell = async (event: WatchEvent): Promise<void> => {
    try {
      await options.emit?.(event);
    } catch (error) {
      if (event.type !== "error") await tell({ type: "error", ...("files" in event ? { files: event.files } : {}), message: (error as Error).message });
    }
  };

  const runCycle = async (files: string[], started: number): Promise<void> => {
    if (options.cycle === undefined) return;
    let result: CycleResult;
    try {
      result = await options.cycle();
    } catch (error) {
      await tell({ type: "error", files, message: (error as Error).message });
      return;
    }
    const burst: Burst = started ? { files, latency_ms: Date.now() - started } : { files };
    if (result.status === "invalid") {
      await tell({ type: "invalid", ...burst, diagnostics: result.diagnostics });
      return;
    }
    const plan = result.plan;
    await tell(previous === undefined ? { type: "plan", ...burst, plan } : { type: "changed", ...burst, plan, ...planDelta(previous, plan) });
    previous = plan;
    if (result.applied !== undefined) {
      await tell({ type: "applied", ...burst, applied: result.applied });
      previous = undefined; // the registry moved: the next plan is shown whole
    }
  };

  const flush = (): void => {
    timer = undefined;
    const files = [...pending].sort();
    const started = burstStart;
    pending = new Set();
    burstStart = 0;
    // Cycles never overlap: a burst during a cycle waits for it and then runs once.
    running = running.then(() => (closed ? undefined : runCycle(files, started)));
  };

  const watcher = watch(options.root, {
    ignoreInitial: true,
    ignored: (p: string) => p.split(path.sep).some((segment) => IGNORED_SEGMENTS.has(segment)),
    // Editors save by writing a temporary file and renaming it over the original.
    atomic: true,
  });

  const fileEvent = (event: string, file: string): void => {
    if (closed) return;
    if (burstStart === 0) burstStart = Date.now();
    pending.add(path.relative(options.root, file).split(path.sep).join("/"));
    options.onFile?.(file, event);
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
    if (event === "change") recheckAfterThrottle(file);
  };

  // chokidar drops a file's change events for CHANGE_THROTTLE_MS after one it reports, with no event at the
  // end: a second save within that window, after a cycle already read the first, would go unseen. So each
  // reported change is looked at again when the window is over, and reported if the file moved since.
  const rechecks = new Map<string, NodeJS.Timeout>();
  const recheckAfterThrottle = (file: string): void => {
    clearTimeout(rechecks.get(file));
    const seen = statsOf(file);
    const check = setTimeout(() => {
      rechecks.delete(file);
      if (statsOf(file) !== seen) fileEvent("change", file);
    }, CHANGE_THROTTLE_MS + 5);
    check.unref();
    rechecks.set(file, check);
  };

  watcher.on("all", fileEvent);
  watcher.on("error", (error) => {
    running = running.then(() => tell({ type: "error", message: (error as Error).message }));
  });

  const ready = new Promise<void>((resolve) => {
    watcher.once("ready", () => {
      running = running.then(async () => {
        await tell({ type: "ready" });
        await runCycle([], 0);
      });
      void running.then(resolve);
      // A failed warm-up is no event: the next cycle meets the same failure and tells it.
      running = running.then(async () => {
        if (!closed) await options.warm?.().catch(() => undefined);
      });
    });
  });

  return {
    ready,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const check of rechecks.values()) clearTimeout(check);
      await watcher.close();
      await running;
    },
  };
}
