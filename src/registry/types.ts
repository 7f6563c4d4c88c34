// The records a registry keeps: immutable versions with their artifacts and provenance, the mutable
// fields' history, the journal. Shared by every driver; no IO here.
import type { Digest } from "../domain.js";
import type { AssetKind } from "../manifest/types.js";

/** `sha256:<64 hex>` (defined with the domain's shared types). */
export type { Digest };

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** The fields Azure ML lets you change on an existing version. */
export interface MutableFields {
  description?: string;
  display_name?: string;
  tags?: Record<string, string>;
}

export interface ArtifactFile {
  /** POSIX path inside the artifact; for a single-file artifact, the file's base name. */
  path: string;
  digest: Digest;
  size: number;
  /** 0o644 or 0o755. */
  mode: number;
}

/** A local file or folder a manifest names, hashed and stored as objects. */
export interface Artifact {
  /** Where the path sits in the spec, as a JSON pointer: `/path`, `/code`, `/build/path`, `/additional_includes/0`. */
  pointer: string;
  /** Repository-relative POSIX path of the file or folder. */
  source: string;
  type: "file" | "folder";
  /** The file's digest, or for a folder the digest of its canonical listing (path, mode, digest per file). */
  digest: Digest;
  size: number;
  files: ArtifactFile[];
  /** How git saw it when it was read: a trained model is often untracked or ignored. */
  git: "tracked" | "untracked" | "ignored" | "unknown";
}

export interface Provenance {
  commit: string | null;
  dirty: boolean;
  branch: string | null;
  remote: string | null;
  ref: string | null;
  manifest: string;
  tool_version: string;
  /** The commit's author, `Name <email>`; null without a commit. Absent from records written before it was kept. */
  author?: string | null;
  /** Who ran the apply. Absent from records written before it was kept. */
  applied_by?: AppliedBy;
}

/** Who ran an apply: the CI system's actor when a CI system ran it, else the OS user on that host (`user@host`). */
export interface AppliedBy {
  user: string;
  via: "github-actions" | "gitlab-ci" | "azure-pipelines" | "ci" | "os";
}

/** One immutable version, exactly as written by apply. */
export interface VersionRecord {
  kind: AssetKind;
  name: string;
  version: string;
  digest: Digest;
  /** Normalized spec without the mutable fields; local paths replaced by their artifact digests. */
  spec: JsonObject;
  mutable: MutableFields;
  artifacts: Artifact[];
  /** Addresses (`kind:name:version`) this version refers to, resolved at apply time. */
  dependencies: string[];
  anonymous: boolean;
  provenance: Provenance;
  created_at: string;
}

/** A change to a version's mutable fields or archive flag, kept in its history. */
export interface VersionUpdate {
  kind: AssetKind;
  name: string;
  version: string;
  mutable?: MutableFields;
  archived?: boolean;
  /**
   * true: deleted by gc — the record, its number and provenance stay, the version is no longer live (not
   * latest, not referable) and its objects may be swept; false: brought back by `gc --restore`.
   */
  deleted?: boolean;
  provenance: Provenance;
  updated_at: string;
}

/** A version as the registry shows it now: the record plus the latest mutable state. */
export interface StoredVersion {
  record: VersionRecord;
  mutable: MutableFields;
  archived: boolean;
  /** Present (true) only when gc deleted the version; its journal has the `gc-delete` entry. */
  deleted?: true;
  updated_at: string;
  /** Made outside assetctl (`az ml`, Studio, an SDK) and not adopted: its record is what the service holds. */
  unmanaged?: true;
  /**
   * Set before planning (never by a snapshot) on an unmanaged version a manifest pins: whether its
   * content equals the manifest's (see RegistryDriver.sameContent).
   */
  adoption?: ContentMatch;
}

/** An unmanaged version against a manifest: the same content, other content, or not decidable without downloading. */
export type ContentMatch = "equal" | "different" | "undecidable";

export interface RegistrySnapshot {
  /** Increases with every journal entry; a saved plan is stale when it moved. */
  serial: number;
  versions: StoredVersion[];
}

export type JournalEntry =
  | { op: "create"; address: string; digest: Digest }
  /** An unmanaged version whose content equals a manifest's becomes managed: the record is the driver's to keep. */
  | { op: "adopt"; address: string; digest: Digest }
  | { op: "update"; address: string }
  | { op: "archive"; address: string; archived: boolean }
  | { op: "gc-delete"; address: string }
  | { op: "gc-restore"; address: string }
  | { op: "apply-begin"; plan: string }
  | { op: "apply-end"; plan: string }
  /** Written by the driver itself in moveAlias: the journal is where aliases live. */
  | { op: "alias"; move: AliasMove };

export interface JournalRecord {
  serial: number;
  at: string;
  entry: JournalEntry;
}

/**
 * One move of an alias (`kind:name@alias`), as journaled: `from` is null when the alias is first set,
 * `to` null when it is removed. Moves come from a commit of `aliases.yaml` (or an out-of-band command).
 */
export interface AliasMove {
  kind: AssetKind;
  name: string;
  alias: string;
  from: string | null;
  to: string | null;
  /** The commit the move was declared in, its author and subject; null when not made from git. */
  commit: string | null;
  author: string | null;
  message: string | null;
  at: string;
}

/** An alias move as the registry keeps it, with the serial of its journal entry. */
export interface AliasRecord extends AliasMove {
  serial: number;
}

export interface LockInfo {
  id: string;
  owner: string;
  host: string;
  pid: number;
  created_at: string;
  expires_at: string;
  operation: string;
}

export interface VerifyProblem {
  code: "object-corrupt" | "object-missing" | "record-corrupt" | "record-tampered" | "journal-broken" | "format";
  message: string;
  /** Object digest, record address or file the problem is about. */
  subject: string;
  /** For an object problem: the versions that use the object, and as which of their files (see affectedBy). */
  affects?: ObjectUse[];
}

/** A version's file stored as an object: the version's address and the file's repository-relative path. */
export interface ObjectUse {
  address: string;
  file: string;
  size: number;
}

/** `KIND:NAME:VERSION`: the one spelling of a version's address (records, plans, journals, messages). */
export function addressOf(v: { kind: string; name: string; version: string }): string {
  return `${v.kind}:${v.name}:${v.version}`;
}
