// Small, valid registry records for tests of the registry and of what sits on it: one place to change
// when the record shape grows.
import { sha256 } from "../digest.js";
import type { AssetKind } from "../manifest/types.js";
import type { AliasMove, Artifact, Provenance, VersionRecord, VersionUpdate } from "./types.js";

export function sampleProvenance(overrides: Partial<Provenance> = {}): Provenance {
  return {
    commit: "0123456789abcdef0123456789abcdef01234567",
    dirty: false,
    branch: "main",
    remote: null,
    ref: null,
    manifest: "models/model.yml",
    tool_version: "0.0.0-test",
    ...overrides,
  };
}

/** A record without artifacts (so it needs no objects) unless `artifacts` is given. */
export function sampleRecord(overrides: Partial<VersionRecord> = {}): VersionRecord {
  const kind: AssetKind = overrides.kind ?? "model";
  const name = overrides.name ?? "mnist";
  const version = overrides.version ?? "1";
  const spec = overrides.spec ?? { name, version, type: "custom_model", path: "sha256:none" };
  return {
    kind,
    name,
    version,
    digest: sha256(JSON.stringify(spec)),
    spec,
    mutable: { description: "a model", tags: { team: "vision" } },
    artifacts: [],
    dependencies: [],
    anonymous: false,
    provenance: sampleProvenance(),
    created_at: "2026-01-01T00:00:00.000Z",
    ...overrides,
  };
}

/** A single-file artifact whose one file is `data`. */
export function sampleArtifact(data: Buffer, fileName = "model.pkl"): Artifact {
  const digest = sha256(data);
  return {
    pointer: "/path",
    source: `models/${fileName}`,
    type: "file",
    digest,
    size: data.length,
    files: [{ path: fileName, digest, size: data.length, mode: 0o644 }],
    git: "untracked",
  };
}

export function sampleUpdate(record: Pick<VersionRecord, "kind" | "name" | "version">, overrides: Partial<VersionUpdate> = {}): VersionUpdate {
  return {
    kind: record.kind,
    name: record.name,
    version: record.version,
    provenance: sampleProvenance(),
    updated_at: "2026-02-01T00:00:00.000Z",
    ...overrides,
  };
}

/** A move of `model:mnist@production` from nothing to version 1, declared in a commit. */
export function sampleAliasMove(overrides: Partial<AliasMove> = {}): AliasMove {
  return {
    kind: "model",
    name: "mnist",
    alias: "production",
    from: null,
    to: "1",
    commit: "0123456789abcdef0123456789abcdef01234567",
    author: "Ada <ada@example.com>",
    message: "promote mnist",
    at: "2026-03-01T00:00:00.000Z",
    ...overrides,
  };
}
