// The apply workflow every writer shares (`apply`, `watch --apply`, the library): check a plan without
// the lock, so that a refused apply writes nothing; take the lock; make sure the plan is still the one
// checked (or, when asked, plan again and check that); execute it; release. Its outcome is data — the
// caller decides what to print and which exit code it means.
import { executePlan, type ApplyEvents, type ApplyResult } from "./apply/apply.js";
import { appliedBy, lockOwner } from "./apply/identity.js";
import { staleError, staleReasons } from "./apply/stale.js";
import type { UserError } from "./diagnostics.js";
import { planHasChanges } from "./plan/changes.js";
import type { PlanOptions } from "./plan/plan.js";
import type { Plan } from "./plan/types.js";
import { keepPlan, type GitView, type PlanMemo } from "./plan-memo.js";
import type { OnProgress } from "./progress.js";
import { planAgainst, type PlanInput } from "./plan-desired.js";
import type { RegistryDriver } from "./registry/driver.js";
import type { AppliedBy } from "./registry/types.js";
import { commitAuthor } from "./source/provenance.js";
import { fenceOf, keepLock } from "./registry/lock-policy.js";

/** Why an apply wrote nothing although its plan was current. */
export type RefusalReason =
  /** The manifests have errors (the plan's or the desired state's). */
  | "errors"
  /** A pinned version would change. */
  | "conflicts"
  /** The working tree has uncommitted changes, and `allowDirty` was not given. */
  | "dirty-tree"
  /** The desired state comes from no commit (outside git), and neither `allowNoCommit` nor `allowDirty` was given. */
  | "no-commit"
  /** `approve` said no. */
  | "not-approved";

/** What an apply did. Only "applied" wrote anything. */
export type ApplyOutcome =
  | { status: "applied"; plan: Plan; result: ApplyResult }
  | { status: "refused"; reason: RefusalReason; plan: Plan }
  /** The plan given (or checked) is not what the manifests and the registry give now; `plan` is the current one. */
  | { status: "stale"; reasons: string[]; error: UserError; plan: Plan }
  | { status: "nothing-to-do"; plan: Plan };

/**
 * Where the registry comes from: one connection used throughout (the caller closes it), or a connector
 * called once to check (`write: false`: a registry that does not exist yet may read as empty) and once
 * more to write; what it opens is closed here.
 */
export type RegistrySource = RegistryDriver | { connect(write: boolean): Promise<RegistryDriver> };

export interface ApplyDesiredOptions {
  /** The options of the plan; a saved plan's own when `saved` is given. */
  options?: Omit<PlanOptions, "registryUrl">;
  /** Apply exactly this saved plan, or refuse it as stale. */
  saved?: Plan;
  /** Who holds the lock (default `user@host`), what for, and how long to wait for it (default 0: one attempt). */
  lock: { operation: string; owner?: string; timeoutMs?: number };
  /** Who runs the apply, recorded in provenance; by default read from the process's environment (see appliedBy). */
  appliedBy?: AppliedBy;
  /**
   * When the registry moved while this apply waited for its lock: "replan" applies the plan made under the
   * lock after checking it as any plan is checked (`--auto-approve`, `watch --apply`); "refuse" applies
   * only a plan that says the same as the one checked, and is stale otherwise.
   */
  whenMoved: "replan" | "refuse";
  /** Apply a desired state read from a working tree with uncommitted changes (or from no commit at all). */
  allowDirty?: boolean;
  /** Apply a desired state that comes from no commit (a folder outside git): versions record "(no commit)". */
  allowNoCommit?: boolean;
  /** Shown the plan checked before the lock, before it is judged (not for a saved plan). */
  review?(plan: Plan): void | Promise<void>;
  /** Asked, once the plan is checked, whether to go on (not for a saved plan). Default: yes. */
  approve?(plan: Plan): boolean | Promise<boolean>;
  /** Shown the plan made under the lock when the registry moved meanwhile (`whenMoved: "replan"`). */
  replanned?(before: Plan, after: Plan): void | Promise<void>;
  /** Keeps the plan of what the apply leaves for the next `plan` (see plan-memo.ts). */
  keep?: { memo: PlanMemo; git: GitView };
  onProgress?: OnProgress;
  /**
   * Aborted to stop (an interrupt): nothing more is started, the write under way ends, the lock is
   * released, and applyDesired rejects with the signal's reason. Events tell what was written before.
   */
  signal?: AbortSignal;
  events?: ApplyEvents;
}

/** Checks, locks, re-checks and executes the plan of `desired` on the registry (see the module comment). */
export async function applyDesired(desired: PlanInput, source: RegistrySource, o: ApplyDesiredOptions): Promise<ApplyOutcome> {
  const options = o.saved ? (o.saved.options ?? { prune: false, targets: [] }) : (o.options ?? {});
  const checked = await withRegistry(source, false, (registry) => planAgainst(desired, registry, options));
  const preview = checked.plan;
  // Errors in the manifests come first: they are what to fix, whatever else is refused.
  if (!o.saved && preview.errors.length > 0) {
    await o.review?.(preview);
    return { status: "refused", reason: "errors", plan: preview };
  }
  if (desired.state.source.dirty && !o.allowDirty) return { status: "refused", reason: "dirty-tree", plan: preview };
  // Provenance without a commit says nothing of where a version came from: only when asked for.
  if (desired.state.source.commit === null && desired.state.source.ref === null && !o.allowDirty && !o.allowNoCommit) {
    return { status: "refused", reason: "no-commit", plan: preview };
  }
  if (o.saved) {
    const reasons = staleReasons(o.saved, preview);
    if (reasons.length > 0) return stale(reasons, preview, "saved plan");
  } else {
    await o.review?.(preview);
    if (preview.summary.conflict > 0) return { status: "refused", reason: "conflicts", plan: preview };
  }
  if (!planHasChanges(o.saved ?? preview)) return { status: "nothing-to-do", plan: o.saved ?? preview };
  if (!o.saved && o.approve && !(await o.approve(preview))) return { status: "refused", reason: "not-approved", plan: preview };

  o.signal?.throwIfAborted();
  const identity = { author: await commitAuthor(desired.tree.root, desired.state.source.commit), appliedBy: o.appliedBy ?? appliedBy(process.env) };
  return withRegistry(source, true, async (registry) => {
    const owner = o.lock.owner ?? lockOwner();
    const lock = await registry.lock({ owner, operation: o.lock.operation, timeoutMs: o.lock.timeoutMs ?? 0 });
    // Renewed while the apply runs, however long its uploads take; if it is lost, writing stops.
    const kept = keepLock(lock);
    try {
      // Under the lock, the plan must still be the one that was checked (and shown). When the registry
      // has not moved since, it is that plan; otherwise the plan made now must say the same.
      const { plan: fresh } = await planAgainst(desired, registry, options, { ...checked, desired, options });
      if (o.saved) {
        const reasons = staleReasons(o.saved, fresh);
        if (reasons.length > 0) return stale(reasons, fresh, "saved plan");
      } else if (o.whenMoved === "replan" && fresh.registry.serial !== preview.registry.serial) {
        await o.replanned?.(preview, fresh);
        if (fresh.errors.length > 0) return { status: "refused", reason: "errors", plan: fresh };
        if (fresh.summary.conflict > 0) return { status: "refused", reason: "conflicts", plan: fresh };
        if (!planHasChanges(fresh)) return { status: "nothing-to-do", plan: fresh };
      } else if (fresh !== preview) {
        const reasons = staleReasons(preview, fresh);
        if (reasons.length > 0) return stale(reasons, fresh, "plan shown");
      }
      const result = await executePlan(fresh, registry, {
        tree: desired.tree,
        signal: o.signal ? AbortSignal.any([kept.signal, o.signal]) : kept.signal,
        ...(o.events ? { events: o.events } : {}),
        fence: fenceOf(lock),
        identity,
        ...(o.onProgress ? { onProgress: o.onProgress } : {}),
      });
      if (o.keep) {
        // What a plan made now would say (no changes, unless the files moved meanwhile): kept for the next plan.
        const token = await registry.stateToken?.();
        const { plan: after } = await planAgainst(desired, registry, options);
        await keepPlan(o.keep.memo, registry, token, { plan: after, diagnostics: desired.state.diagnostics, git: o.keep.git });
      }
      return { status: "applied", plan: fresh, result };
    } finally {
      kept.stop();
      await lock.release();
    }
  });
}

function stale(reasons: string[], plan: Plan, what: string): ApplyOutcome {
  return { status: "stale", reasons, error: staleError(reasons, what), plan };
}

async function withRegistry<T>(source: RegistrySource, write: boolean, use: (registry: RegistryDriver) => Promise<T>): Promise<T> {
  if (!("connect" in source)) return use(source);
  const registry = await source.connect(write);
  try {
    return await use(registry);
  } finally {
    await registry.close();
  }
}
