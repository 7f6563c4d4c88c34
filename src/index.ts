// The library API: the same functions the CLI uses, for scripts and other tools.
export type { Diagnostic, Severity } from "./diagnostics.js";
export { UserError } from "./diagnostics.js";
export type { AssetKind, Manifest, ManifestKind } from "./manifest/types.js";
export { validateRepository } from "./manifest/validate.js";
export { plan } from "./plan/plan.js";
export type { Action, Change, Plan, PlanSummary } from "./plan/types.js";
export { executePlan } from "./apply/apply.js";
export type { OnProgress, ProgressPhase, ProgressUpdate } from "./progress.js";
export type { RegistryDriver } from "./registry/driver.js";
export { RegistryError } from "./registry/driver.js";
export type { RegistrySnapshot, StoredVersion, VersionRecord } from "./registry/types.js";
export { openRegistry } from "./registry/open.js";
export type { DesiredAsset, DesiredState } from "./source/types.js";
export { WorkTree, type SourceTree } from "./source/tree.js";
export { makePlan, readDesired, validate } from "./reconcile.js";
export { applyDesired, type ApplyDesiredOptions, type ApplyOutcome, type RefusalReason, type RegistrySource } from "./apply-workflow.js";
export type { ApplyResult } from "./apply/apply.js";
export type { Desired } from "./reconcile.js";
