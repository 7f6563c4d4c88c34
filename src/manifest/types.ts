// Domain types for manifests: what a YAML file in the repository declares, after validation.
import type { Diagnostic } from "../diagnostics.js";

/** What a manifest file declares. */
export type ManifestKind =
  | "model"
  | "data"
  | "environment"
  | "command_component"
  | "pipeline_component"
  | "spark_component"
  | "parallel_component"
  | "automl_component"
  | "datastore"
  | "pipeline_job"
  | "data_import";

/** What the registry stores. Components of every type share one kind, as in Azure ML. */
export type AssetKind = "model" | "data" | "environment" | "component" | "datastore";

export const ASSET_KINDS: readonly AssetKind[] = ["datastore", "environment", "model", "data", "component"];

export function assetKindOf(kind: ManifestKind): AssetKind | undefined {
  switch (kind) {
    case "model":
    case "data":
    case "environment":
    case "datastore":
      return kind;
    case "command_component":
    case "pipeline_component":
    case "spark_component":
    case "parallel_component":
    case "automl_component":
      return "component";
    case "pipeline_job":
    case "data_import":
      return undefined;
  }
}

/** A position inside a manifest file, 1-based. */
export interface SourcePosition {
  line: number;
  column: number;
}

/** Locates a key path of a document in its file (from the YAML nodes). */
export type Locate = (path: readonly (string | number)[]) => SourcePosition;

/** One validated manifest file. `spec` is the normalized document: defaults applied, read-only keys dropped. */
export interface Manifest {
  /** Repository-relative POSIX path. */
  file: string;
  kind: ManifestKind;
  /** Undefined for anonymous manifests (pipeline jobs without name). */
  name: string | undefined;
  /** The author's text; undefined when omitted (auto-versioned). */
  version: string | undefined;
  spec: Record<string, unknown>;
  /** True for component files referenced by a local path from a pipeline: Azure ML registers them by digest. */
  anonymous: boolean;
  locate: Locate;
  /** Declared by an asset.yaml of the azureml-assets layout: a named asset, even where pipelines use its file. */
  layout?: "azureml-assets";
}

export interface LoadResult {
  manifests: Manifest[];
  diagnostics: Diagnostic[];
  /** Files that failed their schema, as written: not planned from, but checked by the other rules. */
  unchecked?: Manifest[];
}
