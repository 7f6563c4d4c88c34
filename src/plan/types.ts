// The plan: what apply would do, as data. Serialized as the `--json` output and the saved plan file.
import type { AssetKind } from "../manifest/types.js";
import type { Artifact, Digest, JsonObject, MutableFields } from "../registry/types.js";
import type { SourceInfo } from "../source/types.js";
import type { PatchOperation } from "./patch.js";
import type { Diagnostic } from "../diagnostics.js";

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
  /**
   * On a noop: the version exists unmanaged (made by `az ml`, Studio, an SDK) with the manifest's content;
   * apply records it as managed (`record` is what it records). Shown with `=` and counted in `adopt`.
   */
  adopt?: true;
  /** Names of differing immutable fields, for conflicts. */
  fields?: string[];
  /** For create: what apply writes; for an adoption, what it records. */
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

export type AliasAction = "new" | "move" | "remove" | "noop" | "refused";

/** One alias of aliases.yaml (or of the registry, when it leaves the file) and what apply does to it. */
export interface AliasChange {
  /** `kind:name@alias`. */
  address: string;
  kind: AssetKind;
  name: string;
  alias: string;
  /** `refused`: the move breaks the policy or names no live version; the plan has an error for it. */
  action: AliasAction;
  /** The version the alias names in the registry now, or null. */
  from: string | null;
  /** The version aliases.yaml declares, or null when the alias leaves the file. */
  to: string | null;
  protected: boolean;
  /** Where aliases.yaml declares it (for a removal: its asset's block). */
  manifest: { file: string; line: number; column: number } | null;
  /** Why it is refused or removed; "" otherwise. */
  reason: string;
  /** For a refusal: the error's code (alias-target-missing, alias-order, alias-soak, alias-protected, …). */
  code?: string;
  /** For an alias in a promotion order: the alias before it, and since when (and how long) it has held `to`. */
  held?: { alias: string; since: string; ms: number };
  /** The commit aliases.yaml was read from, with its author and subject: what the move is journaled with. */
  declared_in: { commit: string | null; author: string | null; message: string | null };
}

export interface AliasSummary {
  new: number;
  move: number;
  remove: number;
  refused: number;
  noop: number;
}

export interface PlanSummary {
  create: number;
  update: number;
  noop: number;
  conflict: number;
  archive: number;
  unarchive: number;
  orphan: number;
  /** Of the noops, how many adopt an unmanaged version (absent from plans saved by older versions). */
  adopt?: number;
  /** Of the creates, how many start a new asset (no earlier version). */
  new_assets: number;
  /** The alias changes by action; absent when the repository has no aliases.yaml. */
  aliases?: AliasSummary;
  /** What the creates upload, each object once (absent from plans saved by older versions). */
  upload?: Upload;
}

export interface Plan {
  format_version: number;
  source: SourceInfo;
  registry: { url: string; serial: number };
  /** Digest over the desired state the plan was made from; apply refuses a saved plan when it moved. */
  desired_digest: Digest;
  /** The options the plan was made with, so a saved plan is re-checked with the same ones. */
  options: { prune: boolean; targets: string[]; allowProtected?: boolean };
  changes: Change[];
  /** The alias moves, applied after the versions; absent when the repository has no aliases.yaml. */
  aliases?: AliasChange[];
  summary: PlanSummary;
  /** Every error: the manifests' (as read) and the plan's own (a reference nothing defines, a cycle, an alias move refused). */
  errors: Diagnostic[];
}
