// Plans a desired state against a registry, and gets the desired state of a working tree: the one kept
// by the last plan or apply when the files are as it saw them (see plan-memo.ts), else read by the
// pipeline (reconcile.ts), which is loaded only then — an apply of files a plan has just read loads no
// parser, schema or rule.
import { canonicalJson } from "./digest.js";
import { artifactFilePath } from "./apply/objects.js";
import { forEachConcurrent } from "./concurrency.js";
import { plan as computePlan, type PlanOptions } from "./plan/plan.js";
import type { Plan } from "./plan/types.js";
import { keepDesired, reuseDesired, type GitView, type PlanMemo, type RecalledDesired } from "./plan-memo.js";
import type { ReadOptions } from "./reconcile.js";
import type { RegistryDriver } from "./registry/driver.js";
import type { SourceTree } from "./source/tree.js";
import type { DesiredState } from "./source/types.js";
import { addressOf, type Artifact, type ArtifactFile, type RegistrySnapshot, type VersionRecord } from "./registry/types.js";

/** What planning and applying read of a desired state: the state, and the tree its artifacts are read from. */
export interface PlanInput {
  tree: SourceTree;
  state: DesiredState;
}

/**
 * The desired state of the working tree `memo` surveyed, and what git said of it: the one the last plan
 * or apply kept when the tree, git and assetctl's code are unchanged (see plan-memo.ts), else read from
 * the files and kept for the next run. `manifestFiles` lists every manifest it was read from.
 */
export async function readDesiredOfTree(
  memo: PlanMemo,
  recalled: RecalledDesired | undefined,
  options: Omit<ReadOptions, "root" | "ref" | "tree">,
): Promise<{ desired: PlanInput & { manifestFiles: string[] }; git: GitView | undefined }> {
  const reused = await reuseDesired(memo, recalled);
  if (reused !== undefined) return { desired: { tree: memo.tree, state: reused.state, manifestFiles: reused.manifestFiles }, git: reused.git };
  const { readDesiredWithGit } = await import("./reconcile.js");
  const { desired, git } = await readDesiredWithGit({ ...options, root: memo.root, tree: memo.tree });
  const manifestFiles = desired.manifests.map((m) => m.file);
  if (git !== undefined) await keepDesired(memo, { state: desired.state, manifestFiles, git });
  return { desired: { tree: desired.tree, state: desired.state, manifestFiles }, git };
}

/**
 * The desired state read in full, where none is kept to reuse: of a git ref, or of a working tree whose
 * plans are never kept (aliases.yaml manages aliases).
 */
export async function readDesiredOfRef(
  root: string,
  ref: string | undefined,
  options: Omit<ReadOptions, "root" | "ref" | "tree">,
): Promise<{ desired: PlanInput & { manifestFiles: string[] }; git: undefined }> {
  const { readDesired } = await import("./reconcile.js");
  const desired = await readDesired({ ...options, root, ...(ref ? { ref } : {}) });
  return { desired: { tree: desired.tree, state: desired.state, manifestFiles: desired.manifests.map((m) => m.file) }, git: undefined };
}

/** `read`: the registry's snapshot when already asked for (read while the manifests were). */
export async function makePlan(
  desired: PlanInput,
  registry: RegistryDriver,
  options: Omit<PlanOptions, "registryUrl"> = {},
  read?: Promise<RegistrySnapshot>,
): Promise<Plan> {
  return (await planAgainst(desired, registry, options, undefined, read)).plan;
}

/** A plan and the registry state it was made against. */
export interface RegistryPlan {
  plan: Plan;
  snapshot: RegistrySnapshot;
}

/**
 * Plans against the registry's current state. Given an earlier plan of the same desired state, it is
 * reused when the registry is in the same state (apply plans once to check, again under the lock): the
 * planner is pure, so the same inputs can only give the same plan.
 */
export async function planAgainst(
  desired: PlanInput,
  registry: RegistryDriver,
  options: Omit<PlanOptions, "registryUrl"> = {},
  earlier?: RegistryPlan & { desired: PlanInput; options: Omit<PlanOptions, "registryUrl"> },
  read?: Promise<RegistrySnapshot>,
): Promise<RegistryPlan> {
  const snapshot = await (read ?? registry.snapshot());
  if (
    earlier !== undefined &&
    earlier.desired === desired &&
    earlier.plan.registry.url === registry.url &&
    canonicalJson(earlier.options) === canonicalJson(options) &&
    sameRegistryState(earlier.snapshot, snapshot)
  ) {
    return { plan: earlier.plan, snapshot };
  }
  // The alias journal is read only when aliases.yaml manages aliases or a manifest names one: other plans cost no extra read.
  const usesAliases = desired.state.aliases !== undefined || desired.state.assets.some((a) => a.references.some((r) => /^azureml:[^:@/]+@(?!latest$)[^@:/\s]+$/.test(r.raw)));
  const aliasHistory = usesAliases ? await registry.aliasHistory() : [];
  await judgeUnmanaged(desired, registry, snapshot);
  const plan = computePlan(desired.state, snapshot, { ...options, registryUrl: registry.url, aliasHistory, now: new Date().toISOString() });
  return { plan, snapshot };
}

/**
 * Marks each unmanaged version a manifest pins with whether its content equals the manifest's (the
 * driver decides, reading the local files it needs): the planner then plans an equal one as an adoption.
 */
async function judgeUnmanaged(desired: PlanInput, registry: RegistryDriver, snapshot: RegistrySnapshot): Promise<void> {
  const sameContent = registry.sameContent?.bind(registry);
  if (sameContent === undefined || !snapshot.versions.some((v) => v.unmanaged === true)) return;
  const byAddress = new Map(snapshot.versions.filter((v) => v.unmanaged === true).map((v) => [addressOf(v.record), v]));
  const read = (artifact: Artifact, file: ArtifactFile): Promise<Buffer> => desired.tree.readFile(artifactFilePath(artifact, file));
  await forEachConcurrent(desired.state.assets, 8, async (asset) => {
    if (asset.version === undefined || asset.anonymous) return;
    const stored = byAddress.get(addressOf({ kind: asset.kind, name: asset.name, version: asset.version }));
    if (stored === undefined) return;
    const record: VersionRecord = {
      kind: asset.kind,
      name: asset.name,
      version: asset.version,
      digest: asset.contentDigest,
      spec: asset.spec,
      mutable: asset.mutable,
      artifacts: asset.artifacts,
      dependencies: [],
      anonymous: false,
      provenance: { commit: null, dirty: false, branch: null, remote: null, ref: null, manifest: asset.manifest.file, tool_version: "" },
      created_at: "",
    };
    stored.adoption = await sameContent(stored, record, read);
  });
}

/**
 * Whether two snapshots hold the same state, as far as a plan can tell: the same serial, and the same
 * versions (records are written once, so an address with the same digest and creation time is the same
 * record) with the same mutable fields and archive flags.
 */
export function sameRegistryState(a: RegistrySnapshot, b: RegistrySnapshot): boolean {
  if (a.serial !== b.serial || a.versions.length !== b.versions.length) return false;
  for (let i = 0; i < a.versions.length; i++) {
    const x = a.versions[i];
    const y = b.versions[i];
    if (x === undefined || y === undefined) return false;
    if (
      addressOf(x.record) !== addressOf(y.record) ||
      x.record.digest !== y.record.digest ||
      x.record.created_at !== y.record.created_at ||
      x.record.anonymous !== y.record.anonymous ||
      x.archived !== y.archived ||
      x.updated_at !== y.updated_at ||
      canonicalJson(x.mutable) !== canonicalJson(y.mutable)
    ) {
      return false;
    }
  }
  return true;
}
