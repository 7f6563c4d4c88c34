// The plan: what apply would do, as data. Serialized as the `--json` output and the saved plan file.
import type { AssetKind } from "../manifest/types.js";
import type { Artifact, Digest, JsonObject, MutableFields } from "../registry/types.js";
import type { SourceInfo } from "../source/types.js";
import type { PatchOperation } from "./patch.js";

export const PLAN_FORMAT_VERSION = 1;

/** `unarchive`: a manifest declares a version the registry has archived; apply restores it (and its mutable fields). */
export type Action = "create" | "update" | "noop" | "conflict" | "archive" | "unarchive" | "orphan";

export interface Change {
  address: string;
  kind: AssetKind;
  name: string;
  version: string;
  action: Action;
  /** Version this one is compared with (the previous latest), or null for a new asset. */
  previous: string | null;
  digest: Digest | null;
  /** The changed fields as a JSON patch; a `replace` or `remove` says what it replaces in `old`. */
  patch: PatchOperation[];
  manifest: { file: string; line: number } | null;
  reason: string;
  /** Names of differing immutable fields, for conflicts. */
  fields?: string[];
  /** For create: what apply writes. */
  record?: PlannedVersion;
  /** For update (and unarchive, when they changed too): the new mutable fields. */
  mutable?: MutableFields;
  /**
   * For a new version of an existing asset or a conflict: the versions this plan creates that it depends
   * on — a cascade's cause (a new environment version re-versions its components). Absent when none.
   */
  caused_by?: string[];
  /** For a new version of an existing asset (and a conflict): the files each changed artifact adds, removes and changes. */
  artifacts?: ArtifactChange[];
  /** For create: the objects the registry does not hold yet, and their bytes. Absent when nothing is uploaded. */
  upload?: Upload;
}

export interface FileSize {
  path: string;
  size: number;
}

/** One artifact (by its place in the spec) whose content differs from the version compared with. */
export interface ArtifactChange {
  pointer: string;
  source: string;
  added: FileSize[];
  changed: { path: string; old_size: number; size: number }[];
  removed: FileSize[];
}

export interface Upload {
  objects: number;
  bytes: number;
}

/** Everything apply needs to write one new version. */
export interface PlannedVersion {
  spec: JsonObject;
  mutable: MutableFields;
  artifacts: Artifact[];
  dependencies: string[];
  anonymous: boolean;
}

export interface PlanSummary {
  create: number;
  update: number;
  noop: number;
  conflict: number;
  archive: number;
  unarchive: number;
  orphan: number;
  /** Of the creates, how many start a new asset (no earlier version). */
  new_assets: number;
  /** What the creates upload, each object once (absent from plans saved by older versions). */
  upload?: Upload;
}

export interface PlanError {
  code: string;
  message: string;
  file: string;
  line: number;
  column: number;
  /** What to do about it, e.g. a did-you-mean; absent when there is nothing to add. */
  hint?: string;
}

export interface Plan {
  format_version: number;
  source: SourceInfo;
  registry: { url: string; serial: number };
  /** Digest over the desired state the plan was made from; apply refuses a saved plan when it moved. */
  desired_digest: Digest;
  /** The options the plan was made with, so a saved plan is re-checked with the same ones. */
  options: { prune: boolean; targets: string[] };
  changes: Change[];
  summary: PlanSummary;
  errors: PlanError[];
}
