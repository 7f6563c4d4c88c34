// The planner tests' registry double: what a registry holds after apply carried out a plan's creates
// and mutable updates, without any IO.
import type { RegistrySnapshot, StoredVersion } from "../registry/types.js";
import type { Plan } from "./types.js";

export const EMPTY_SNAPSHOT: RegistrySnapshot = { serial: 0, versions: [] };

export function snapshotAfter(p: Plan, before: RegistrySnapshot = EMPTY_SNAPSHOT): RegistrySnapshot {
  const versions = [...before.versions];
  let serial = before.serial;
  for (const c of p.changes) {
    if (c.action === "create" && c.record && c.digest) {
      serial += 1;
      versions.push({
        record: {
          kind: c.kind,
          name: c.name,
          version: c.version,
          digest: c.digest,
          ...c.record,
          provenance: { commit: null, dirty: false, branch: null, remote: null, ref: null, manifest: c.manifest?.file ?? "", tool_version: "0" },
          // Distinct, increasing times: "latest" is the most recently created.
          created_at: new Date(Date.UTC(2026, 0, 1, 0, 0, serial)).toISOString(),
        },
        mutable: c.record.mutable,
        archived: false,
        updated_at: "",
      });
    } else if (c.action === "update" && c.mutable) {
      serial += 1;
      const i = versions.findIndex((v) => `${v.record.kind}:${v.record.name}:${v.record.version}` === c.address);
      versions[i] = { ...(versions[i] as StoredVersion), mutable: c.mutable };
    }
  }
  return { serial, versions };
}
