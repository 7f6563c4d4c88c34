// The live plan: the watch machinery re-plans after every settled save, and this keeps the latest result
// and tells subscribers (the server-sent event streams) that it moved. The plan is the CLI's own.
import { hasErrors, type Diagnostic } from "../diagnostics.js";
import type { Plan } from "../plan/types.js";
import { planAgainst } from "../plan-desired.js";
import { readDesired } from "../reconcile.js";
import { GitAnswers } from "../source/git-answers.js";
import { KeptListing } from "../source/kept-listing.js";
import type { RegistrySnapshot } from "../registry/types.js";
import { DEFAULT_DEBOUNCE_MS, watchRepository, type WatchHandle } from "../watch/watch.js";
import type { RegistryAccess } from "./model.js";

export type LiveState =
  | { status: "starting" }
  | { status: "plan"; plan: Plan; snapshot: RegistrySnapshot; diagnostics: Diagnostic[] }
  | { status: "invalid"; diagnostics: Diagnostic[] }
  | { status: "error"; message: string };

export class LivePlan {
  state: LiveState = { status: "starting" };
  /** Increases with every new state: what the event stream sends. */
  serial = 0;
  private readonly listeners = new Set<(serial: number) => void>();
  private handle: Promise<WatchHandle> | undefined;

  constructor(
    private readonly root: string,
    private readonly registry: RegistryAccess,
    private readonly debounceMs = DEFAULT_DEBOUNCE_MS,
  ) {}

  /** Starts watching (once) and resolves when the first plan is in. */
  async start(): Promise<void> {
    this.handle ??= this.watch();
    await (await this.handle).ready;
  }

  subscribe(listener: (serial: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    this.listeners.clear();
    if (handle) await (await handle).close();
  }

  private set(state: LiveState): void {
    this.state = state;
    this.serial++;
    for (const listener of this.listeners) listener(this.serial);
  }

  private watch(): Promise<WatchHandle> {
    let next: LiveState = { status: "starting" };
    const git = new GitAnswers(this.root);
    const listing = new KeptListing(this.root);
    return watchRepository({
      root: this.root,
      debounceMs: this.debounceMs,
      onFile: (file, event) => {
        git.fileChanged(file);
        listing.fileEvent(event, file);
      },
      cycle: async () => {
        const desired = await readDesired({ root: this.root, git, listing });
        const diagnostics = desired.state.diagnostics;
        if (hasErrors(diagnostics)) {
          next = { status: "invalid", diagnostics };
          return { status: "invalid", diagnostics };
        }
        const registry = await this.registry.forPlan();
        if (registry === undefined) {
          next = { status: "error", message: "The registry cannot be read: the Health page says why." };
          return { status: "invalid", diagnostics: [] }; // no plan: the state above says why
        }
        const { plan, snapshot } = await planAgainst(desired, registry);
        next = { status: "plan", plan, snapshot, diagnostics };
        return { status: "planned", plan };
      },
      emit: (event) => {
        if (event.type === "error") this.set({ status: "error", message: event.message });
        else if (event.type === "plan" || event.type === "changed" || event.type === "invalid") this.set(next);
      },
    });
  }
}
