// Watch mode: file events → debounce → the same read → plan (→ apply) pipeline as the other commands.
// It owns no logic of its own beyond deciding when to run and what changed between two plans.
import type { Diagnostic } from "../diagnostics.js";
import path from "node:path";
import type { Plan, Change } from "../plan/types.js";

export interface WatchEvent {
  type: "ready" | "plan" | "changed" | "invalid" | "applied" | "error";
  /** Milliseconds since the first file event of this burst (for "changed", "invalid", "applied"). */
  latency_ms?: number;
  /** Files that changed in this burst, repository-relative. */
  files?: string[];
  plan?: Plan;
  /** Changes that appeared or changed since the previous plan. */
  added?: Change[];
  /** Addresses planned before and no longer. */
  removed?: string[];
  message?: string;
  /** For "invalid": the diagnostics, as objects (code, severity, message, file, line, column, hint). */
  diagnostics?: Diagnostic[];
}

export interface WatchOptions {
  root: string;
  /** Debounce window in ms: a burst of events ends after this much quiet. */
  debounceMs?: number;
  /** Runs the pipeline once: read, validate, plan (and apply when asked). */
  cycle(): Promise<{ plan?: Plan; invalid?: string; diagnostics?: Diagnostic[]; applied?: string }>;
  emit(event: WatchEvent): void;
  /** Told of every file event as it comes, before the debounce (the resident query server's freshness). */
  onFile?(file: string): void;
}

export interface WatchHandle {
  /** Resolves when the watcher is ready and the first plan was emitted. */
  ready: Promise<void>;
  close(): Promise<void>;
}

const IGNORED_SEGMENTS = new Set([".git", "node_modules", ".assetctl"]);

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
  const debounceMs = options.debounceMs ?? 50;
  let previous: Plan | undefined;
  let pending = new Set<string>();
  let burstStart = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let closed = false;

  const runCycle = async (files: string[], started: number): Promise<void> => {
    try {
      const result = await options.cycle();
      const latency_ms = started ? Date.now() - started : undefined;
      const timing = latency_ms === undefined ? {} : { latency_ms };
      if (result.invalid !== undefined) {
        options.emit({ type: "invalid", ...timing, files, message: result.invalid, ...(result.diagnostics ? { diagnostics: result.diagnostics } : {}) });
        return;
      }
      if (result.plan) {
        if (previous === undefined) options.emit({ type: "plan", ...timing, files, plan: result.plan });
        else options.emit({ type: "changed", ...timing, files, plan: result.plan, ...planDelta(previous, result.plan) });
        previous = result.plan;
      }
      if (result.applied !== undefined) {
        options.emit({ type: "applied", ...timing, files, message: result.applied });
        previous = undefined; // the registry moved: the next plan is shown whole
      }
    } catch (error) {
      options.emit({ type: "error", files, message: (error as Error).message });
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

  watcher.on("all", (_event, file) => {
    if (closed) return;
    if (burstStart === 0) burstStart = Date.now();
    pending.add(path.relative(options.root, file).split(path.sep).join("/"));
    options.onFile?.(file);
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, debounceMs);
  });
  watcher.on("error", (error) => options.emit({ type: "error", message: (error as Error).message }));

  const ready = new Promise<void>((resolve) => {
    watcher.once("ready", () => {
      options.emit({ type: "ready" });
      running = running.then(() => runCycle([], 0));
      void running.then(resolve);
    });
  });

  return {
    ready,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await watcher.close();
      await running;
    },
  };
}
