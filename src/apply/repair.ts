// Puts back the registry's damaged objects (missing, or bytes that no longer hash to their digest) from
// the files they were stored from, where those files still hash right. Verify finds the damage; the
// versions that use each object name the files to try. Records are never touched, and the registry
// itself refuses bytes that hash otherwise, so a repair can only ever restore what was there.
import { isDigest } from "../digest.js";
import { UserError } from "../diagnostics.js";
import type { OnProgress } from "../progress.js";
import { RegistryError, type RegistryDriver } from "../registry/driver.js";
import { affectedBy } from "../registry/query.js";
import type { Digest, ObjectUse } from "../registry/types.js";
import type { SourceTree } from "../source/tree.js";
import { objectSource } from "./objects.js";

export interface ObjectRepair {
  digest: Digest;
  problem: "object-corrupt" | "object-missing";
  /** The versions' files that are this object. */
  uses: ObjectUse[];
  /** The file whose bytes restored it; undefined when none could. */
  restoredFrom: ObjectUse | undefined;
  /** For each file tried in vain, why it could not serve. */
  refused: { file: string; reason: string }[];
}

export interface RepairOptions {
  /** Who holds the lock while objects are put back, and how long to wait for it. */
  lock: { owner: string; timeoutMs: number };
  onProgress?: OnProgress | undefined;
}

/** Verifies the registry under its lock and restores every damaged object it can from `tree`. */
export async function repairObjects(registry: RegistryDriver, tree: SourceTree, options: RepairOptions): Promise<ObjectRepair[]> {
  if (!registry.repairObject) {
    throw new UserError("repair-unsupported", `The registry ${registry.url} cannot put back damaged objects.`, {
      hint: "restore its objects from a backup of the store",
    });
  }
  const lock = await registry.lock({ owner: options.lock.owner, operation: "repair", timeoutMs: options.lock.timeoutMs });
  try {
    const [problems, snapshot] = await Promise.all([registry.verify(options.onProgress ? { onProgress: options.onProgress } : {}), registry.snapshot()]);
    const damaged = new Map<Digest, ObjectRepair>();
    for (const p of affectedBy(problems, snapshot)) {
      if ((p.code !== "object-corrupt" && p.code !== "object-missing") || !isDigest(p.subject) || damaged.has(p.subject)) continue;
      damaged.set(p.subject, { digest: p.subject, problem: p.code, uses: p.affects ?? [], restoredFrom: undefined, refused: [] });
    }
    for (const repair of damaged.values()) {
      const tried = new Set<string>();
      for (const use of repair.uses) {
        if (tried.has(use.file)) continue;
        tried.add(use.file);
        try {
          await registry.repairObject(repair.digest, await objectSource(tree, use.file, use.size));
          repair.restoredFrom = use;
          break;
        } catch (error) {
          repair.refused.push({ file: use.file, reason: whyNot(error) });
        }
      }
    }
    return [...damaged.values()];
  } finally {
    await lock.release();
  }
}

function whyNot(error: unknown): string {
  if (error instanceof RegistryError && error.code === "object-digest-mismatch") return "its bytes hash otherwise (it changed since it was applied)";
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "it is not in the working tree";
  if (error instanceof UserError && error.code === "artifact-changed") return "it changed while it was read";
  return (error as Error).message;
}
