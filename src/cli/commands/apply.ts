// `assetctl apply [PLANFILE]`: applies a fresh plan (after confirmation) or exactly a saved one, under
// the registry's lock.
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { executePlan, type ApplyResult } from "../../apply/apply.js";
import { assertNotStale } from "../../apply/stale.js";
import { UserError } from "../../diagnostics.js";
import { planHasChanges } from "../../plan/plan.js";
import { PLAN_FORMAT_VERSION, type Plan } from "../../plan/types.js";
import { keepPlan, surveyForPlan } from "../../plan-memo.js";
import { planAgainst, readDesiredWithGit, type Desired, type RegistryPlan } from "../../reconcile.js";
import type { RegistryDriver } from "../../registry/driver.js";
import { keepLock } from "../../registry/lock-policy.js";
import { WorkTree } from "../../source/tree.js";
import { connectRegistry, parseDuration, resolveRoot } from "../context.js";
import type { Io } from "../io.js";
import { printPlan } from "./plan.js";
import { planOptions } from "./plan.js";
import { flag, str, strs, type Command, type Values } from "./command.js";

export const applyCommand: Command = {
  usage: "[PLANFILE] [--auto-approve] [--allow-dirty] [--lock-timeout DUR] [--prune] [--target ADDR]…",
  description:
    "Creates the new versions, updates mutable fields and archives (with --prune), under the registry's lock. With PLANFILE, applies exactly that saved plan or refuses it as stale. Without a terminal, --auto-approve is required.",
  options: {
    ...planOptions,
    "auto-approve": { type: "boolean" },
    "allow-dirty": { type: "boolean" },
    "lock-timeout": { type: "string" },
  },
  async run(values, positionals, io) {
    const root = await resolveRoot(str(values, "dir"), io.cwd);
    const saved = positionals[0] ? await readPlanFile(path.resolve(io.cwd, positionals[0])) : undefined;
    const ref = str(values, "ref") ?? saved?.source.ref ?? undefined;
    const options = saved ? (saved.options ?? { prune: false, targets: [] }) : { prune: flag(values, "prune"), targets: strs(values, "target") };
    // The working tree is surveyed first, so that the plan of what this apply leaves can be kept for the next plan.
    const memo = ref === undefined ? surveyForPlan(root, new WorkTree(root, { shareStats: true }), options) : undefined;
    const { desired, git } = await readDesiredWithGit({ root, ...(ref ? { ref } : {}), ...(memo ? { tree: memo.tree } : {}) });

    // Everything that can refuse is checked first without the lock, so a refused apply writes nothing.
    const checked = await planWithoutLock(root, values, io, desired, options);
    const preview = checked.plan;
    // Errors in the manifests come first: they are what to fix, whatever else is refused.
    if (!saved && preview.errors.length > 0) {
      await printPlan(preview, desired, io);
      return 1;
    }
    if (desired.state.source.dirty && !flag(values, "allow-dirty") && !ref) {
      throw new UserError("tree-dirty", "The working tree has uncommitted changes to tracked files; apply records the commit each version came from.", {
        hint: "commit first, or pass --allow-dirty to record the versions as made from a dirty tree",
      });
    }
    if (saved) assertNotStale(saved, preview);
    else {
      await printPlan(preview, desired, io);
      if (preview.errors.length > 0) return 1;
      if (preview.summary.conflict > 0) {
        io.err("\nApply refused: the plan has conflicts. Nothing was written.");
        return 1;
      }
    }
    if (!planHasChanges(saved ?? preview)) {
      if (saved) io.out("No changes. The registry matches the manifests.");
      return 0;
    }
    if (!saved && !(await approved(values, io))) return 1;

    const registry = await connectRegistry(root, str(values, "registry"), io.env, { create: true });
    try {
      const timeoutMs = parseDuration(str(values, "lock-timeout") ?? "0s");
      const lock = await registry.lock({ owner: `${os.userInfo().username}@${os.hostname()}`, operation: "apply", timeoutMs });
      // Renewed while the apply runs, however long its uploads take; if it is lost, writing stops.
      const kept = keepLock(lock);
      try {
        // Under the lock, the plan must still be the one that was checked (and shown). When the registry
        // has not moved since, it is that plan; otherwise the plan made now must say the same.
        const { plan: fresh } = await planAgainst(desired, registry, options, { ...checked, desired, options });
        if (saved) assertNotStale(saved, fresh);
        else if (flag(values, "auto-approve") && fresh.registry.serial !== preview.registry.serial) {
          const ended = await showReplanned(preview, fresh, desired, io);
          if (ended !== undefined) return ended;
        } else if (fresh !== preview) assertNotStale(preview, fresh, "plan shown");
        const result = await executePlan(fresh, registry, { tree: desired.tree, signal: kept.signal });
        io.out(`\n${applySummary(result)}`);
        if (memo && git) {
          // What a plan made now would say (no changes, unless the files moved meanwhile): kept for the next plan.
          const token = await registry.stateToken?.();
          const { plan: after } = await planAgainst(desired, registry, options);
          await keepPlan(memo, registry, token, { plan: after, diagnostics: desired.state.diagnostics, git });
        }
        return 0;
      } finally {
        kept.stop();
        await lock.release();
      }
    } finally {
      await registry.close();
    }
  },
};

async function planWithoutLock(root: string, values: Values, io: Io, desired: Desired, options: Plan["options"]): Promise<RegistryPlan> {
  const registry = await connectRegistry(root, str(values, "registry"), io.env);
  try {
    return await planAgainst(desired, registry, options);
  } finally {
    await registry.close();
  }
}

/**
 * `--auto-approve` approves whatever the plan is, so a plan made before waiting for the lock is made
 * again under it, against the registry as another apply may have left it meanwhile: shown when it
 * differs, and refused only for what any plan is refused for. Returns the exit code when it ends here.
 */
async function showReplanned(preview: Plan, fresh: Plan, desired: Desired, io: Io): Promise<number | undefined> {
  io.out(`\nThe registry moved (serial ${preview.registry.serial} to ${fresh.registry.serial}) while this apply waited for its lock; the plan is now:\n`);
  await printPlan(fresh, desired, io);
  if (fresh.errors.length > 0) return 1;
  if (fresh.summary.conflict > 0) {
    io.err("\nApply refused: the plan has conflicts. Nothing was written.");
    return 1;
  }
  return planHasChanges(fresh) ? undefined : 0;
}

async function approved(values: Values, io: Io): Promise<boolean> {
  if (flag(values, "auto-approve")) return true;
  if (!io.interactive) {
    throw new UserError("approval-required", "apply needs a confirmation, and there is no terminal to ask on.", {
      hint: "review the plan and pass --auto-approve, or apply a saved plan file: `assetctl plan --out plan.json` then `assetctl apply plan.json`",
    });
  }
  const answer = await io.ask("\nApply these changes? Only 'yes' is accepted: ");
  if (answer.trim() !== "yes") {
    io.out("Apply cancelled. Nothing was written.");
    return false;
  }
  return true;
}

function applySummary(r: ApplyResult): string {
  const mb = (r.bytesStored / 1024 / 1024).toFixed(1);
  return `Apply complete: ${r.created} version${r.created === 1 ? "" : "s"} created, ${r.updated} updated, ${r.archived} archived; ${r.objectsStored} object${r.objectsStored === 1 ? "" : "s"} stored (${mb} MiB).`;
}

async function readPlanFile(file: string): Promise<Plan> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new UserError("plan-file-invalid", `${file} cannot be read as a saved plan: ${(error as Error).message}`, {
      hint: "make one with `assetctl plan --out FILE`",
    });
  }
  const p = parsed as Partial<Plan>;
  if (typeof p !== "object" || p === null || typeof p.format_version !== "number" || !Array.isArray(p.changes) || !p.registry || !p.source) {
    throw new UserError("plan-file-invalid", `${file} is not a saved plan`, { hint: "make one with `assetctl plan --out FILE`" });
  }
  if (p.format_version > PLAN_FORMAT_VERSION) {
    throw new UserError("plan-file-newer", `${file} was written by a newer assetctl (plan format ${p.format_version}); this one reads format ${PLAN_FORMAT_VERSION}.`, {
      hint: "upgrade assetctl, or make the plan again with this version",
    });
  }
  return p as Plan;
}

export type { RegistryDriver };
