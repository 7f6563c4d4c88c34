// `assetctl apply [PLANFILE]`: applies a fresh plan (after confirmation) or exactly a saved one, under
// the registry's lock.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { ApplyResult } from "../../apply/apply.js";
import { appliedBy, lockOwner } from "../../apply/identity.js";
import { repairObjects, type ObjectRepair } from "../../apply/repair.js";
import { applyDesired, type RefusalReason } from "../../apply-workflow.js";
import { UserError } from "../../diagnostics.js";
import { PLAN_FORMAT_VERSION, type AliasChange, type Change, type Plan } from "../../plan/types.js";
import { recallDesired, surveyForPlan } from "../../plan-memo.js";
import { gitStamp } from "../../source/git-stamp.js";
import { readDesiredOfRef, readDesiredOfTree, type PlanInput } from "../../plan-desired.js";
import { isGitRepository, uncommittedFiles } from "../../source/provenance.js";
import type { RegistryDriver } from "../../registry/driver.js";
import { WorkTree } from "../../source/tree.js";
import { connectRegistry, parseDuration, registryLocation, resolveRoot } from "../context.js";
import type { Io } from "../io.js";
import { printable } from "../render/printable.js";
import { formatBytes } from "../render/progress.js";
import { aliasesManaged, planOptions, printPlan } from "./plan.js";
import { flag, progressOf, str, strs, type Command, type Values } from "./command.js";

export const applyCommand: Command = {
  usage: "[PLANFILE] [--auto-approve] [--allow-dirty] [--lock-timeout DUR] [--prune] [--target ADDR]… [--repair] [--no-git] [--allow-protected]",
  description:
    "Creates the new versions, updates mutable fields and archives (with --prune), then moves the aliases of aliases.yaml (protected ones only with --allow-protected), under the registry's lock. With PLANFILE, applies exactly that saved plan or refuses it as stale. Without a terminal, --auto-approve is required. --repair first puts back damaged objects (see verify) from the working tree's files that still hash right. Outside git, --no-git applies versions that record no commit.",
  options: {
    ...planOptions,
    "auto-approve": { type: "boolean" },
    "allow-dirty": { type: "boolean" },
    "lock-timeout": { type: "string" },
    "no-git": { type: "boolean" },
    repair: { type: "boolean" },
  },
  async run(values, positionals, io) {
    const root = await resolveRoot(str(values, "dir"), io.cwd);
    const saved = positionals[0] ? await readPlanFile(path.resolve(io.cwd, positionals[0])) : undefined;
    const ref = str(values, "ref") ?? saved?.source.ref ?? undefined;
    const options = saved ? (saved.options ?? { prune: false, targets: [] }) : { prune: flag(values, "prune"), targets: strs(values, "target"), ...(flag(values, "allow-protected") ? { allowProtected: true } : {}) };
    // The working tree is surveyed first, so that the plan of what this apply leaves can be kept for the
    // next plan, and the desired state the last plan kept is reused when the files are as it saw them.
    const tree = ref === undefined && !aliasesManaged(root) ? new WorkTree(root, { shareStats: true }) : undefined;
    const stamp = tree ? gitStamp(root, io.env) : undefined;
    const recalled = tree ? recallDesired(root, stamp) : undefined;
    const memo = tree ? surveyForPlan(root, tree, options, stamp) : undefined;
    const { desired, git } = memo
      ? await readDesiredOfTree(memo, recalled, progressOf(io))
      : await readDesiredOfRef(root, ref, progressOf(io));
    const timeoutMs = parseDuration(str(values, "lock-timeout") ?? "0s");
    if (flag(values, "repair")) await repair(root, values, io, timeoutMs);

    const interrupt = onInterrupt(io);
    const written: Change[] = [];
    const moved: AliasChange[] = [];
    let outcome;
    try {
      outcome = await applyDesired(
        desired,
        { connect: (write) => connectRegistry(root, str(values, "registry"), io.env, { create: write }) },
        {
          options,
          ...(saved ? { saved } : {}),
          lock: { operation: "apply", timeoutMs },
          appliedBy: appliedBy(io.env),
          // --auto-approve approves whatever the plan is, so a plan made before waiting for the lock is made
          // again under it, against the registry as another apply may have left it meanwhile.
          whenMoved: flag(values, "auto-approve") ? "replan" : "refuse",
          allowDirty: flag(values, "allow-dirty") || ref !== undefined,
          allowNoCommit: flag(values, "no-git"),
          review: (plan) => printPlan(plan, desired, io),
          approve: () => approved(values, io),
          replanned: async (before, after) => {
            io.out(`\nThe registry moved (serial ${before.registry.serial} to ${after.registry.serial}) while this apply waited for its lock; the plan is now:\n`);
            await printPlan(after, desired, io);
          },
          ...(memo && git ? { keep: { memo, git } } : {}),
          signal: interrupt.signal,
          ...progressOf(io),
          events: { onChange: (change) => void written.push(change), onAlias: (change) => void moved.push(change) },
        },
      );
    } catch (error) {
      if (!interrupt.signal.aborted || error !== interrupt.signal.reason) throw error;
      reportInterrupted(written, io);
      return 130;
    } finally {
      interrupt.dispose();
    }
    switch (outcome.status) {
      case "applied":
        io.out(`${io.quiet ? "" : "\n"}${appliedLines(written, outcome.plan)}${movedLines(moved)}${applySummary(outcome.result)}`);
        return 0;
      case "nothing-to-do":
        if (saved) io.out("No changes. The registry matches the manifests.");
        return 0;
      case "stale":
        throw outcome.error;
      case "refused":
        return refused(outcome.reason, { root, desired }, io);
    }
  },
};

/**
 * SIGINT/SIGTERM while apply runs: the first stops it after the write under way (the lock is released,
 * temporary files removed); the process then exits 130. Listeners live only as long as the apply.
 */
function onInterrupt(io: Io): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const reason = new UserError("interrupted", "Apply interrupted.");
  const handler = (): void => {
    if (controller.signal.aborted) return;
    io.err("\nInterrupt received. Stopping after the write under way; nothing more is started.");
    controller.abort(reason);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}

function reportInterrupted(written: readonly Change[], io: Io): void {
  const lines = ["", "Apply interrupted: the registry holds only whole versions, and its lock is released."];
  if (written.length === 0) lines.push("Nothing was written.");
  else {
    lines.push(`Written before the interrupt (${written.length}):`);
    for (const c of written) lines.push(`  ${pastTense(c)} ${c.address}`);
  }
  lines.push("Run `assetctl apply` again to finish: what was written is not written twice.");
  io.err(lines.join("\n"));
}

/** `--repair`: puts back every damaged object it can from the working tree; fails naming those it cannot. */
async function repair(root: string, values: Values, io: Io, timeoutMs: number): Promise<void> {
  const registry = await connectRegistry(root, str(values, "registry"), io.env);
  try {
    const repairs = await repairObjects(registry, new WorkTree(root), { lock: { owner: lockOwner(), timeoutMs }, ...progressOf(io) });
    if (repairs.length === 0) io.out(`Every object of ${registryLocation(registry.url, root)} is sound; nothing to repair.`);
    for (const r of repairs) {
      if (r.restoredFrom) io.out(printable(`  restored object ${r.digest.slice(0, 19)}… from ${r.restoredFrom.file} (${usedBy(r)})`));
    }
    const failed = repairs.filter((r) => r.restoredFrom === undefined);
    if (failed.length > 0) {
      for (const r of failed) {
        const why = r.refused.length === 0 ? "no version names a file for it" : r.refused.map((f) => `${f.file}: ${f.reason}`).join("; ");
        io.err(printable(`  ${r.problem === "object-missing" ? "missing" : "corrupt"} ${r.digest.slice(0, 19)}… (${usedBy(r) || "used by no version"}): ${why}`));
      }
      throw new UserError("object-unrepaired", `${failed.length} damaged object${failed.length === 1 ? "" : "s"} could not be put back from the working tree (above).`, {
        hint: "put the file back as it was when it was applied (e.g. `git checkout COMMIT -- FILE`, with the commit `assetctl show ADDR` names), then run `assetctl apply --repair` again",
      });
    }
    if (repairs.length > 0) io.out("");
  } finally {
    await registry.close();
  }
}

function usedBy(r: ObjectRepair): string {
  return [...new Set(r.uses.map((u) => u.address))].join(", ");
}

async function refused(reason: RefusalReason, { root, desired }: { root: string; desired: PlanInput & { manifestFiles: string[] } }, io: Io): Promise<number> {
  switch (reason) {
    case "dirty-tree": {
      const source = desired.state.source;
      const files = await uncommittedFiles(root, source.commit, desired.manifestFiles).catch(() => []);
      if (files.length > 0) {
        io.err(`The working tree differs from ${source.commit ? `commit ${source.commit.slice(0, 12)}` : "its commit"}:`);
        for (const f of files) io.err(printable(`  ${f.change.padEnd(10)} ${f.path}${f.manifest ? " (a manifest)" : ""}`));
      }
      throw new UserError("tree-dirty", "The working tree has uncommitted changes; apply records the commit each version came from.", {
        hint: "commit first, or pass --allow-dirty to record the versions as made from a dirty tree",
      });
    }
    case "no-commit":
      if (await isGitRepository(root)) {
        throw new UserError("no-commit", `${root} has no commit yet; apply records the commit each version came from.`, {
          hint: "commit the manifests first, or pass --no-git to record the versions as made from no commit",
        });
      }
      throw new UserError("no-git", `${root} is not in a git repository; apply records the commit each version came from.`, {
        hint: "run `git init` and commit the manifests, or pass --no-git (or --allow-dirty) to record the versions as made from no commit",
      });
    case "conflicts":
      io.err("\nApply refused: the plan has conflicts. Nothing was written.");
      return 1;
    case "errors":
    case "not-approved":
      return 1; // already shown: the plan with its errors, or the cancellation
  }
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

/** One line per alias set, moved or removed: `moved model:churn@production 3 → 4`. */
function movedLines(moved: readonly AliasChange[]): string {
  const lines = moved.map((a) => (a.to === null ? `  removed ${a.address} (was ${a.from ?? "?"})` : a.from === null ? `  set ${a.address} → ${a.to}` : `  moved ${a.address} ${a.from} → ${a.to}`));
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

function applySummary(r: ApplyResult): string {
  const aliases = r.aliasesMoved > 0 ? `, ${r.aliasesMoved} alias${r.aliasesMoved === 1 ? "" : "es"} moved` : "";
  return `Apply complete: ${r.created} version${r.created === 1 ? "" : "s"} created, ${r.updated} updated, ${r.archived} archived${r.unarchived > 0 ? `, ${r.unarchived} restored` : ""}${aliases}; ${r.objectsStored} object${r.objectsStored === 1 ? "" : "s"} stored (${formatBytes(r.bytesStored)}).`;
}

/** One line per version written, in plan order, with the size of a new version's artifacts. */
function appliedLines(written: readonly Change[], plan: Plan): string {
  const done = new Set(written.map((c) => c.address + c.action));
  const lines = plan.changes
    .filter((c) => done.has(c.address + c.action))
    .map((c) => {
      if (c.action !== "create") return `  ${pastTense(c)} ${c.address}`;
      const bytes = (c.record?.artifacts ?? []).reduce((n, a) => n + a.size, 0);
      return `  created ${c.address}${bytes > 0 ? ` (${formatBytes(bytes)})` : ""}`;
    });
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

function pastTense(c: Change): string {
  return c.action === "create" ? "created" : c.action === "archive" ? "archived" : c.action === "unarchive" ? "restored" : "updated";
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
