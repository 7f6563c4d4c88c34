// Archiving and restoring one version out of band (`assetctl archive|unarchive ADDR`): the same fenced,
// journaled update apply writes for `--prune`, under the registry's lock, decided on the state read
// under that lock so that two people archiving at once write it once.
import type { AssetKind } from "../manifest/types.js";
import type { RegistryDriver } from "../registry/driver.js";
import { fenceOf } from "../registry/lock-policy.js";
import { addressOf, type AppliedBy, type Provenance } from "../registry/types.js";
import { appliedBy, lockOwner } from "./identity.js";
import { TOOL_VERSION } from "../version.js";

export interface ArchiveRequest {
  kind: AssetKind;
  name: string;
  version: string;
  /** true archives, false restores. */
  archived: boolean;
  /** How long to wait for the lock, in ms (default 0: one attempt). */
  lockTimeoutMs?: number;
  /** Who asks, recorded in the update's provenance (default: from the process's environment, see appliedBy). */
  appliedBy?: AppliedBy;
  now?: () => Date;
}

/** "changed": the update was written; "unchanged": the version was already in that state (nothing written). */
export type ArchiveOutcome = "changed" | "unchanged";

export async function setArchived(registry: RegistryDriver, request: ArchiveRequest): Promise<ArchiveOutcome> {
  const operation = request.archived ? "archive" : "unarchive";
  const lock = await registry.lock({ owner: lockOwner(), operation, timeoutMs: request.lockTimeoutMs ?? 0 });
  try {
    const address = addressOf(request);
    const stored = (await registry.snapshot()).versions.find((v) => addressOf(v.record) === address);
    // The caller found it; versions are never removed, so only its state can have moved since.
    if (stored?.archived === request.archived) return "unchanged";
    const provenance: Provenance = {
      commit: null,
      dirty: false,
      branch: null,
      remote: null,
      ref: null,
      manifest: "",
      tool_version: TOOL_VERSION,
      author: null,
      applied_by: request.appliedBy ?? appliedBy(process.env),
    };
    const at = (request.now ?? (() => new Date()))().toISOString();
    await registry.updateVersion(
      { kind: request.kind, name: request.name, version: request.version, archived: request.archived, provenance, updated_at: at },
      fenceOf(lock),
    );
    return "changed";
  } finally {
    await lock.release();
  }
}
