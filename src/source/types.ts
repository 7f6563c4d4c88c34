// The desired state: what the manifests of one commit (or the working tree) declare, with every local
// artifact hashed. Produced by source/, consumed by the pure planner.
import type { Diagnostic } from "../diagnostics.js";
import type { AssetKind, SourcePosition } from "../manifest/types.js";
import type { Artifact, Digest, JsonObject, MutableFields } from "../registry/types.js";

/** A reference from one desired asset to another asset, as written in the manifest. */
export interface AssetReference {
  kind: AssetKind;
  name: string;
  /** A version, or "latest". */
  version: string;
  /** JSON pointer of the referring field, e.g. `/environment` or `/jobs/train/component`. */
  pointer: string;
  raw: string;
  line: number;
  column: number;
}

export interface DesiredAsset {
  kind: AssetKind;
  name: string;
  /** The pinned version, or undefined when the registry picks the next one. */
  version: string | undefined;
  /** Normalized spec without mutable fields, local paths replaced by artifact digests. */
  spec: JsonObject;
  mutable: MutableFields;
  artifacts: Artifact[];
  /** Digest of spec + artifacts, before references are resolved. */
  contentDigest: Digest;
  references: AssetReference[];
  /** Anonymous assets are named by their manifest and versioned by digest. */
  anonymous: boolean;
  manifest: { file: string; line: number };
  /** The manifest says the version is archived (`isArchived: true`, azureml-assets models). */
  archived?: boolean;
}

export interface SourceInfo {
  commit: string | null;
  dirty: boolean;
  ref: string | null;
  branch: string | null;
  remote: string | null;
}

export interface DesiredState {
  assets: DesiredAsset[];
  source: SourceInfo;
  diagnostics: Diagnostic[];
  /** aliases.yaml; undefined when the repository has none (aliases are then not managed). */
  aliases?: DeclaredAliases;
  /** Author and subject of the commit aliases.yaml was read from. */
  aliasesDeclaredIn?: { author: string; message: string };
}

/** aliases.yaml as read by manifest/aliases.ts: defined here, where the desired state holds it. */
export interface DeclaredAlias {
  kind: AssetKind;
  name: string;
  alias: string;
  version: string;
  /** Where the version is written in aliases.yaml. */
  at: SourcePosition;
}

export interface AliasPolicy {
  /** The names allowed; undefined: any name that is not reserved. */
  names: string[] | undefined;
  /** A promotion chain: each alias only takes a version the one before it has held. */
  order: string[];
  /** Alias → ms the alias before it in `order` must have held a version. */
  soak: Record<string, number>;
  protected: string[];
}

export interface DeclaredAliases {
  file: string;
  aliases: DeclaredAlias[];
  policy: AliasPolicy;
  /** Where an asset's block (`model:churn:`) starts, for moves about an alias no longer written there. */
  assetAt: Record<string, SourcePosition>;
}
