// The planner: desired state × registry snapshot → Plan. Pure: no IO, no clock, no randomness, so the
// same inputs always give the same plan and its tests need no disk.
import type { Operation } from "fast-json-patch";
import { canonicalJson, sha256, shortDigest } from "../digest.js";
import { isError, type Diagnostic } from "../diagnostics.js";
import type { AssetKind } from "../manifest/types.js";
import { addressOf, type Digest, type JsonObject, type JsonValue, type MutableFields, type RegistrySnapshot, type StoredVersion } from "../registry/types.js";
import type { AssetReference, DesiredAsset, DesiredState } from "../source/types.js";
import { redact } from "../redact.js";
import { artifactChanges, markUploads } from "./artifacts.js";
import { closest } from "../manifest/suggest.js";
import { diffDocuments } from "./patch.js";
import { parseAddress, type Address } from "./address.js";
import { PLAN_FORMAT_VERSION, type AliasChange, type AliasSummary, type Change, type Plan, type PlanSummary } from "./types.js";
import type { AliasRecord } from "../registry/types.js";
import { planAliases, type TargetState } from "./alias-plan.js";
import { aliasesAt, aliasKey } from "../registry/alias-state.js";

export interface PlanOptions {
  registryUrl: string;
  /** Archive orphaned versions instead of only listing them. */
  prune?: boolean;
  /** Restrict the plan to these addresses and what they depend on. */
  targets?: readonly string[];
  /** Move protected aliases (policy.protected of aliases.yaml); without it their moves are refused. */
  allowProtected?: boolean;
  /** The registry's alias journal (aliasHistory()): where the aliases are now, and where they were. */
  aliasHistory?: readonly AliasRecord[];
  /** The time soak periods are measured to (ISO); the planner reads no clock. Default: the latest move's time. */
  now?: string;
}

/** Apply order of kinds: what a kind may refer to comes first. */
const KIND_ORDER: Record<AssetKind, number> = { datastore: 0, environment: 1, model: 2, data: 3, component: 4 };

/** Length of the digest prefix that names an anonymous asset's version. */
const ANONYMOUS_VERSION_LENGTH = 16;

/** The registry's versions, indexed for lookups by asset and by address. */
class RegistryIndex {
  private readonly byAsset = new Map<string, StoredVersion[]>();
  private readonly byAddress = new Map<string, StoredVersion>();

  constructor(snapshot: RegistrySnapshot) {
    for (const stored of snapshot.versions) {
      const r = stored.record;
      const key = assetKey(r.kind, r.name);
      const list = this.byAsset.get(key) ?? [];
      list.push(stored);
      this.byAsset.set(key, list);
      this.byAddress.set(`${key}:${r.version}`, stored);
    }
    // Latest = most recently created, as in Azure ML; ties broken by version for determinism.
    for (const list of this.byAsset.values()) {
      list.sort(
        (a, b) =>
          a.record.created_at.localeCompare(b.record.created_at) || compareVersions(a.record.version, b.record.version),
      );
    }
  }

  versions(kind: AssetKind, name: string): readonly StoredVersion[] {
    return this.byAsset.get(assetKey(kind, name)) ?? [];
  }

  get(kind: AssetKind, name: string, version: string): StoredVersion | undefined {
    return this.byAddress.get(`${assetKey(kind, name)}:${version}`);
  }

  /** The most recent version gc has not deleted. */
  latest(kind: AssetKind, name: string): StoredVersion | undefined {
    return this.versions(kind, name).findLast((v) => v.deleted !== true);
  }

  assets(): Iterable<[string, StoredVersion[]]> {
    return this.byAsset.entries();
  }
}

function assetKey(kind: string, name: string): string {
  return `${kind}:${name}`;
}

/** Numeric versions compare as numbers, everything else as text after them. */
export function compareVersions(a: string, b: string): number {
  const na = /^\d+$/.test(a) ? Number(a) : undefined;
  const nb = /^\d+$/.test(b) ? Number(b) : undefined;
  if (na !== undefined && nb !== undefined) return na - nb;
  if (na !== undefined) return -1;
  if (nb !== undefined) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `max(numeric versions) + 1`, or `1` for an asset without numeric versions. */
export function nextVersion(existing: Iterable<string>): string {
  let max = 0;
  for (const v of existing) if (/^\d+$/.test(v)) max = Math.max(max, Number(v));
  return String(max + 1);
}

/** The digest of a version: its content plus the exact versions it refers to. */
export function versionDigest(contentDigest: Digest, dependencies: readonly string[]): Digest {
  // jsonDigest({ content, dependencies }), its canonical JSON written out: one per asset on every plan.
  const sorted = [...dependencies].sort();
  let list = "";
  for (const [i, d] of sorted.entries()) list += `${i > 0 ? "," : ""}${JSON.stringify(d)}`;
  return sha256(`{"content":${JSON.stringify(contentDigest)},"dependencies":[${list}]}`);
}

/** A digest over everything the plan was computed from on the desired side. */
export function desiredDigest(assets: readonly DesiredAsset[]): Digest {
  // jsonDigest of the sorted canonicalJson([kind, name, version, contentDigest, mutable, references]) rows,
  // with the canonical JSON of the strings written out: one row per asset on every plan.
  const rows = assets
    .map(
      (a) =>
        `[${JSON.stringify(a.kind)},${JSON.stringify(a.name)},${a.version === undefined ? "null" : JSON.stringify(a.version)},` +
        `${JSON.stringify(a.contentDigest)},${canonicalJson(a.mutable)},${canonicalJson(a.references)}]`,
    )
    .sort();
  let text = "[";
  for (let i = 0; i < rows.length; i++) text += `${i > 0 ? "," : ""}${JSON.stringify(rows[i])}`;
  return sha256(`${text}]`);
}

/** What aliases.yaml declares, without positions: a saved plan goes stale when it changes. */
function declaredAliasRows(desired: DesiredState): JsonValue {
  const declared = desired.aliases;
  if (declared === undefined) return null;
  return {
    aliases: declared.aliases.map((a) => [a.kind, a.name, a.alias, a.version]),
    policy: { names: declared.policy.names ?? null, order: declared.policy.order, soak: declared.policy.soak, protected: declared.policy.protected },
  };
}

interface Resolved {
  asset: DesiredAsset;
  version: string;
  digest: Digest;
  dependencies: string[];
}

export function plan(desired: DesiredState, snapshot: RegistrySnapshot, options: PlanOptions): Plan {
  const index = new RegistryIndex(snapshot);
  const errors: Diagnostic[] = desired.diagnostics.filter(isError);

  const { ordered, cycleErrors } = orderByDependencies(desired.assets);
  errors.push(...cycleErrors);

  // Versions decided so far in this plan, by asset key: references to `@latest` see them.
  const planned = new Map<string, Resolved>();
  const plannedAssets = new Map<DesiredAsset, Resolved>();
  const byContent = new Map<Digest, DesiredAsset>();
  for (const asset of desired.assets) if (asset.anonymous) byContent.set(asset.contentDigest, asset);

  const changes: Change[] = [];
  /** The change planned for each address so far: one address is never created twice by one plan. */
  const byAddress = new Map<string, Change>();
  const aliasVersion = aliasResolver(desired, options);
  for (const asset of ordered) {
    const dependencies: string[] = [];
    for (const ref of asset.references) {
      const resolved = resolveReference(ref, desired.assets, planned, plannedAssets, byContent, index, aliasVersion);
      if (typeof resolved === "string") dependencies.push(resolved);
      // Workspaces come with datastores of their own (workspaceblobstore, …) that no manifest declares.
      else if (ref.kind === "datastore") continue;
      else errors.push({ ...resolved, severity: "error", file: asset.manifest.file, line: ref.line, column: ref.column });
    }
    const digest = versionDigest(asset.contentDigest, dependencies);
    const change = planAsset(asset, digest, dependencies, index);
    const resolved: Resolved = { asset, version: change.version, digest, dependencies };
    plannedAssets.set(asset, resolved);
    if (!asset.anonymous) planned.set(assetKey(asset.kind, asset.name), resolved);
    const earlier = byAddress.get(change.address);
    if (earlier === undefined) {
      byAddress.set(change.address, change);
      changes.push(change);
      const archive = asset.archived ? archiveDeclared(change, index) : undefined;
      if (archive) changes.push(archive);
    } else if (earlier.digest !== change.digest) {
      // Two definitions claim one version (an auto-versioned one and a pinned one, say): never one over the other.
      errors.push({
        code: "duplicate-definition",
        severity: "error",
        message: `${change.address} would be created from both ${earlier.manifest?.file ?? "another manifest"} and ${asset.manifest.file}, with different content`,
        file: asset.manifest.file,
        line: asset.manifest.line,
        column: 1,
      });
    }
    // An identical second definition is the same version: planned once.
  }

  markCauses(changes, plannedAssets);
  // A manifest that failed to load declares nothing: with errors, what looks undeclared may be its asset.
  if (errors.length === 0) changes.push(...orphans(desired.assets, index, options.prune === true));
  const selected = options.targets?.length ? selectTargets(changes, options.targets, planned) : changes;
  const history = options.aliasHistory ?? [];
  const aliasPlan = planAliases({
    declared: desired.aliases,
    history,
    target: targetState(changes, index),
    now: options.now ?? history.at(-1)?.at ?? new Date(0).toISOString(),
    allowProtected: options.allowProtected === true,
    declaredIn: { commit: desired.source.commit, author: desired.aliasesDeclaredIn?.author ?? null, message: desired.aliasesDeclaredIn?.message ?? null },
  });
  errors.push(...aliasPlan.errors);
  const aliases = options.targets?.length ? selectAliasTargets(aliasPlan.changes, options.targets) : aliasPlan.changes;
  const upload = markUploads(selected, snapshot);

  return {
    format_version: PLAN_FORMAT_VERSION,
    source: desired.source,
    registry: { url: redact(options.registryUrl), serial: snapshot.serial },
    desired_digest: desired.aliases === undefined ? desiredDigest(desired.assets) : sha256(`${desiredDigest(desired.assets)}:${canonicalJson(declaredAliasRows(desired))}`),
    options: { prune: options.prune === true, targets: [...(options.targets ?? [])], ...(options.allowProtected === true ? { allowProtected: true } : {}) },
    changes: selected,
    ...(desired.aliases === undefined ? {} : { aliases }),
    summary: { ...summarize(selected), upload, ...(desired.aliases === undefined ? {} : { aliases: summarizeAliases(aliases) }) },
    errors,
  };
}

/** What an alias may point at once this plan is applied: versions it creates or restores are live. */
function targetState(changes: readonly Change[], index: RegistryIndex): (kind: AssetKind, name: string, version: string) => TargetState {
  const byAddress = new Map<string, Change>();
  for (const c of changes) if (c.action !== "orphan") byAddress.set(c.address, c);
  return (kind, name, version) => {
    const change = byAddress.get(addressOf({ kind, name, version }));
    if (change?.action === "archive") return "archived";
    if (change?.action === "create" || change?.action === "unarchive") return "live";
    const stored = index.get(kind, name, version);
    if (stored === undefined) return "missing";
    return stored.archived ? "archived" : "live";
  };
}

function selectAliasTargets(changes: AliasChange[], targets: readonly string[]): AliasChange[] {
  const parsed = targets.map((t) => parseAddress(t));
  return changes.filter((c) => parsed.some((t) => t.kind === c.kind && t.name === c.name));
}

function summarizeAliases(changes: readonly AliasChange[]): AliasSummary {
  const summary: AliasSummary = { new: 0, move: 0, remove: 0, refused: 0, noop: 0 };
  for (const c of changes) summary[c.action] += 1;
  return summary;
}

/** Sets `caused_by` on new versions and conflicts of existing assets whose dependencies this plan creates. */
function markCauses(changes: Change[], plannedAssets: ReadonlyMap<DesiredAsset, Resolved>): void {
  const created = new Set(changes.filter((c) => c.action === "create").map((c) => c.address));
  const dependenciesOf = new Map<string, readonly string[]>();
  for (const resolved of plannedAssets.values()) {
    dependenciesOf.set(addressOf({ kind: resolved.asset.kind, name: resolved.asset.name, version: resolved.version }), resolved.dependencies);
  }
  for (const change of changes) {
    if (change.previous === null || (change.action !== "create" && change.action !== "conflict")) continue;
    const causes = (dependenciesOf.get(change.address) ?? []).filter((d) => created.has(d));
    if (causes.length > 0) change.caused_by = [...new Set(causes)].sort();
  }
}

function planAsset(asset: DesiredAsset, digest: Digest, dependencies: string[], index: RegistryIndex): Change {
  // Every version, gc-deleted ones too, so that a deleted number is never given again.
  const versions = index.versions(asset.kind, asset.name);
  const latest = index.latest(asset.kind, asset.name);
  const base = {
    kind: asset.kind,
    name: asset.name,
    digest,
    manifest: asset.manifest,
  };
  // Made only for what is created or conflicts: most assets of most plans are unchanged.
  const document = (): JsonObject => ({ spec: asset.spec, dependencies, ...asset.mutable });
  const record = () => ({
    spec: asset.spec,
    mutable: asset.mutable,
    artifacts: asset.artifacts,
    dependencies,
    anonymous: asset.anonymous,
  });

  const pinned = asset.anonymous ? digest.slice(7, 7 + ANONYMOUS_VERSION_LENGTH) : asset.version;
  if (pinned !== undefined) {
    const existing = index.get(asset.kind, asset.name, pinned);
    if (!existing) {
      return {
        ...base,
        address: addressOf({ kind: asset.kind, name: asset.name, version: pinned }),
        version: pinned,
        action: "create",
        previous: latest?.record.version ?? null,
        patch: diffDocuments(latest ? storedDocument(latest) : {}, document()),
        reason: versions.length === 0 ? "new asset" : `new version (previous ${latest?.record.version})`,
        record: record(),
        ...filesChanged(latest?.record.artifacts, asset.artifacts),
      };
    }
    // What every answer about an existing pinned version shares.
    const at = { ...base, address: addressOf({ kind: asset.kind, name: asset.name, version: pinned }), version: pinned, previous: pinned };
    if (existing.deleted === true) {
      const reason = `version ${pinned} was deleted by gc; its number is never reused: bump "version" or remove it to let assetctl pick the next one`;
      return { ...at, action: "conflict", patch: [], reason, fields: [] };
    }
    if (existing.record.digest !== digest && existing.adoption === "equal") {
      return { ...at, action: "noop", adopt: true, patch: [], reason: "adopt: made outside assetctl with the same content; apply records it as managed", record: record() };
    }
    if (existing.record.digest !== digest) {
      const fields = differingFields(storedDocument(existing), document());
      // An unmanaged version whose files carry no MD5: whether it equals the manifest takes a download.
      const unsure = existing.adoption === "undecidable" ? " (made outside assetctl; its files carry no MD5, so equal content cannot be verified without downloading)" : "";
      return {
        ...at,
        action: "conflict",
        patch: diffDocuments(storedDocument(existing), document()),
        reason:
          `version ${pinned} already exists with different content (${fields.join(", ")})${unsure}; versions are immutable: ` +
          `bump "version" or remove it to let assetctl pick the next one`,
        fields,
        ...filesChanged(existing.record.artifacts, asset.artifacts),
      };
    }
    return unchangedOrUpdate(asset, existing, base, pinned);
  }

  if (latest && latest.record.digest === digest) return unchangedOrUpdate(asset, latest, base, latest.record.version);
  const version = nextVersion(versions.map((v) => v.record.version));
  const reverted = versions.find((v) => v.record.digest === digest);
  return {
    ...base,
    address: addressOf({ kind: asset.kind, name: asset.name, version }),
    version,
    action: "create",
    previous: latest?.record.version ?? null,
    patch: diffDocuments(latest ? storedDocument(latest) : {}, document()),
    reason: !latest
      ? "new asset"
      : reverted
        ? `new version (previous ${latest.record.version}; same content as ${reverted.record.version})`
        : `new version (previous ${latest.record.version})`,
    record: record(),
    ...filesChanged(latest?.record.artifacts, asset.artifacts),
  };
}

/** `{ artifacts }` naming the files that changed against the version compared with, or nothing. */
function filesChanged(before: StoredVersion["record"]["artifacts"] | undefined, after: DesiredAsset["artifacts"]): Pick<Change, "artifacts"> {
  if (before === undefined) return {};
  const artifacts = artifactChanges(before, after);
  return artifacts.length > 0 ? { artifacts } : {};
}

function unchangedOrUpdate(
  asset: DesiredAsset,
  existing: StoredVersion,
  base: Pick<Change, "kind" | "name" | "digest" | "manifest">,
  version: string,
): Change {
  const address = addressOf({ kind: asset.kind, name: asset.name, version });
  const before = mutableDocument(existing.mutable);
  const after = mutableDocument(asset.mutable);
  // Equal documents make an empty patch: the common case needs no diff.
  const patch = sameDocument(before, after) ? [] : diffDocuments(before, after);
  if (existing.archived && !asset.anonymous && asset.archived !== true) {
    // Declared again after it was archived (`apply --prune`): restoring it is a change of its own.
    // A manifest that itself says the version is archived (`isArchived: true`) leaves it so.
    return {
      ...base,
      address,
      version,
      action: "unarchive",
      previous: version,
      patch: [{ op: "replace", path: "/archived", old: true, value: false }, ...patch],
      reason: patch.length === 0 ? "archived in the registry; a manifest declares it again" : "archived in the registry; a manifest declares it again, with mutable fields changed",
      ...(patch.length === 0 ? {} : { mutable: asset.mutable }),
    };
  }
  if (patch.length === 0 || asset.anonymous) {
    // Written out rather than spread: this is every unchanged asset of every plan.
    return { kind: base.kind, name: base.name, digest: base.digest, manifest: base.manifest, address, version, action: "noop", previous: version, patch: [], reason: "unchanged" };
  }
  return {
    ...base,
    address,
    version,
    action: "update",
    previous: version,
    patch,
    reason: `mutable fields changed (${[...new Set(patch.map((op) => op.path.split("/")[1]))].join(", ")})`,
    mutable: asset.mutable,
  };
}

/**
 * Whether two mutable documents are the same JSON. They hold text, and objects of text (tags), compared
 * directly; anything else (a damaged record) is compared by canonical JSON.
 */
function sameDocument(a: JsonObject, b: JsonObject): boolean {
  const direct = sameText(a, b, 0);
  return direct ?? canonicalJson(a) === canonicalJson(b);
}

/** true or false when both hold only text (two levels deep at most); undefined otherwise. */
function sameText(a: JsonObject, b: JsonObject, depth: number): boolean | undefined {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return textOnly(a, depth) && textOnly(b, depth) ? false : undefined;
  let same = true;
  for (const key of keys) {
    const x = a[key];
    const y = Object.hasOwn(b, key) ? b[key] : undefined;
    if (typeof x === "string" && typeof y === "string") {
      if (x !== y) same = false;
    } else if (depth === 0 && isTextObject(x) && isTextObject(y)) {
      if (sameText(x, y, 1) === false) same = false;
    } else if (y === undefined && (typeof x === "string" || (depth === 0 && isTextObject(x))) && textOnly(b, depth)) {
      same = false; // a key only one side has
    } else {
      return undefined;
    }
  }
  return same;
}

function isTextObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) && textOnly(value as JsonObject, 1);
}

function textOnly(doc: JsonObject, depth: number): boolean {
  for (const key of Object.keys(doc)) {
    const value = doc[key];
    if (typeof value !== "string" && !(depth === 0 && isTextObject(value))) return false;
  }
  return true;
}

function mutableDocument(mutable: MutableFields): JsonObject {
  const doc: JsonObject = {};
  if (mutable.description !== undefined) doc["description"] = mutable.description;
  if (mutable.display_name !== undefined) doc["display_name"] = mutable.display_name;
  if (mutable.tags !== undefined) doc["tags"] = mutable.tags;
  return doc;
}

function storedDocument(stored: StoredVersion): JsonObject {
  return { spec: stored.record.spec, dependencies: stored.record.dependencies, ...mutableDocument(stored.mutable) };
}

/** Top-level immutable fields (spec keys, `dependencies`) whose values differ. */
function differingFields(before: JsonObject, after: JsonObject): string[] {
  const a = (before["spec"] ?? {}) as JsonObject;
  const b = (after["spec"] ?? {}) as JsonObject;
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k]))
    .sort();
  if (canonicalJson([...(before["dependencies"] as string[])].sort()) !== canonicalJson([...(after["dependencies"] as string[])].sort())) {
    fields.push("dependencies");
  }
  return fields;
}

function resolveReference(
  ref: AssetReference,
  assets: readonly DesiredAsset[],
  planned: ReadonlyMap<string, Resolved>,
  plannedAssets: ReadonlyMap<DesiredAsset, Resolved>,
  byContent: ReadonlyMap<Digest, DesiredAsset>,
  index: RegistryIndex,
  aliasVersion: AliasResolver,
): string | Omit<Diagnostic, "severity" | "file" | "line" | "column"> {
  const alias = aliasOfReference(ref);
  if (alias !== undefined) {
    // `azureml:churn@production`: pinned now to the version the alias names, so moving it re-versions this.
    const named = aliasVersion(ref.kind, ref.name, alias);
    if (named === undefined) {
      return {
        code: "reference-alias-missing",
        message: `${ref.raw} names the alias ${alias} of ${ref.kind} ${ref.name}, which neither aliases.yaml nor the registry sets`,
      };
    }
    return resolveReference({ ...ref, version: named, raw: `${ref.raw} (= ${named})` }, assets, planned, plannedAssets, byContent, index, aliasVersion);
  }
  if (ref.version.startsWith("sha256:")) {
    // A local component file referenced from a pipeline: the anonymous asset with that content.
    const target = byContent.get(ref.version as Digest);
    const resolved = target && plannedAssets.get(target);
    if (resolved) return addressOf({ kind: ref.kind, name: resolved.asset.name, version: resolved.version });
    return { code: "reference-missing", message: `${ref.raw} does not resolve to a component of this repository` };
  }
  const key = assetKey(ref.kind, ref.name);
  const declared = assets.filter((a) => a.kind === ref.kind && a.name === ref.name && !a.anonymous);
  if (ref.version === "latest") {
    const resolved = planned.get(key);
    if (resolved) return `${key}:${resolved.version}`;
    const latest = index.latest(ref.kind, ref.name);
    if (latest) return `${key}:${latest.record.version}`;
  } else {
    if (declared.some((a) => a.version === ref.version)) return `${key}:${ref.version}`;
    const resolved = planned.get(key);
    if (resolved && resolved.version === ref.version) return `${key}:${ref.version}`;
    const stored = index.get(ref.kind, ref.name, ref.version);
    if (stored?.deleted === true) {
      return { code: "reference-deleted", message: `${ref.raw} refers to ${ref.kind} ${ref.name} version ${ref.version}, which gc deleted; refer to a live version` };
    }
    if (stored) return `${key}:${ref.version}`;
  }
  const names = new Set([...assets.filter((a) => a.kind === ref.kind && !a.anonymous).map((a) => a.name)]);
  for (const [key] of index.assets()) if (key.startsWith(`${ref.kind}:`)) names.add(key.slice(ref.kind.length + 1));
  names.delete(ref.name);
  const near = closest(ref.name, names);
  const versions = declared.map((a) => a.version).filter((v): v is string => v !== undefined);
  for (const v of index.versions(ref.kind, ref.name)) versions.push(v.record.version);
  return {
    code: "reference-missing",
    message: `${ref.raw} refers to ${ref.kind} ${ref.name}${ref.version === "latest" ? "" : ` version ${ref.version}`}, which neither the manifests nor the registry define`,
    hint:
      near !== undefined
        ? `did you mean ${ref.kind} ${near}?`
        : versions.length > 0
          ? `${ref.kind} ${ref.name} has version ${[...new Set(versions)].sort(compareVersions).join(", ")}`
          : `define ${ref.kind} ${ref.name} in a manifest; \`assetctl list\` shows the registry's assets`,
  };
}

type AliasResolver = (kind: AssetKind, name: string, alias: string) => string | undefined;

/** `azureml:<name>@<alias>` with an alias other than latest; undefined for every other reference. */
function aliasOfReference(ref: AssetReference): string | undefined {
  const match = /^azureml:[^:@/]+@([^@:/\s]+)$/.exec(ref.raw);
  const label = match?.[1];
  return label === undefined || label === "latest" ? undefined : label;
}

/** An alias as this commit's aliases.yaml declares it, else as the registry's journal has it now. */
function aliasResolver(desired: DesiredState, options: PlanOptions): AliasResolver {
  const declared = new Map((desired.aliases?.aliases ?? []).map((a) => [aliasKey(a), a.version]));
  const current = aliasesAt(options.aliasHistory ?? [], options.now);
  return (kind, name, alias) => {
    const key = aliasKey({ kind, name, alias });
    return declared.get(key) ?? current.get(key)?.version;
  };
}

/**
 * Orders assets so that everything an asset refers to comes before it: by kind first, then by
 * references within a kind (pipeline components after the components they use). Cycles are errors.
 */
function orderByDependencies(assets: readonly DesiredAsset[]): { ordered: DesiredAsset[]; cycleErrors: Diagnostic[] } {
  const sorted = [...assets].sort(
    (a, b) =>
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
      a.manifest.file.localeCompare(b.manifest.file),
  );
  const byKey = new Map<string, DesiredAsset[]>();
  const byContent = new Map<string, DesiredAsset>();
  for (const a of sorted) {
    const list = byKey.get(assetKey(a.kind, a.name)) ?? [];
    list.push(a);
    byKey.set(assetKey(a.kind, a.name), list);
    if (a.anonymous) byContent.set(a.contentDigest, a);
  }
  const targetsOf = (a: DesiredAsset): DesiredAsset[] =>
    a.references.flatMap((r) =>
      r.version.startsWith("sha256:")
        ? [byContent.get(r.version)].filter((t): t is DesiredAsset => t !== undefined)
        : (byKey.get(assetKey(r.kind, r.name)) ?? []).filter((t) => t !== a && !t.anonymous),
    );

  const state = new Map<DesiredAsset, "visiting" | "done">();
  const ordered: DesiredAsset[] = [];
  const cycleErrors: Diagnostic[] = [];
  const visit = (a: DesiredAsset, trail: DesiredAsset[]): void => {
    const s = state.get(a);
    if (s === "done") return;
    if (s === "visiting") {
      const cycle = [...trail.slice(trail.indexOf(a)), a].map((x) => `${x.kind}:${x.name}`);
      cycleErrors.push({
        code: "reference-cycle",
        severity: "error",
        message: `assets refer to each other in a cycle: ${cycle.join(" → ")}`,
        file: a.manifest.file,
        line: a.manifest.line,
        column: 1,
      });
      return;
    }
    state.set(a, "visiting");
    for (const t of targetsOf(a)) visit(t, [...trail, a]);
    state.set(a, "done");
    ordered.push(a);
  };
  for (const a of sorted) visit(a, []);
  return { ordered, cycleErrors };
}

/** The archive a manifest asks for (`isArchived: true`), after the version is created, unless already archived. */
function archiveDeclared(change: Change, index: RegistryIndex): Change | undefined {
  if (change.action === "conflict" || index.get(change.kind, change.name, change.version)?.archived) return undefined;
  return {
    address: change.address,
    kind: change.kind,
    name: change.name,
    version: change.version,
    previous: change.version,
    digest: change.digest,
    manifest: change.manifest,
    action: "archive",
    patch: [{ op: "add", path: "/archived", value: true }],
    reason: "the manifest says isArchived: true; archived (reversible)",
  };
}

/** Versions of assets that no manifest declares any more (anonymous versions live with their users). */
function orphans(assets: readonly DesiredAsset[], index: RegistryIndex, prune: boolean): Change[] {
  const declared = new Set(assets.map((a) => assetKey(a.kind, a.name)));
  const changes: Change[] = [];
  for (const [key, versions] of index.assets()) {
    if (declared.has(key)) continue;
    for (const stored of versions) {
      const r = stored.record;
      if (stored.archived || stored.deleted === true || r.anonymous) continue;
      changes.push({
        address: addressOf(r),
        kind: r.kind,
        name: r.name,
        version: r.version,
        action: prune ? "archive" : "orphan",
        previous: r.version,
        digest: r.digest,
        patch: prune ? [{ op: "add", path: "/archived", value: true }] : [],
        manifest: null,
        reason: prune
          ? "no manifest declares it any more; archived (reversible)"
          : `no manifest declares it any more (commit ${r.provenance.commit?.slice(0, 7) ?? "unknown"}); archive it with --prune`,
      });
    }
  }
  return changes.sort((a, b) => a.address.localeCompare(b.address));
}

/** Keeps the changes of the targeted assets and of everything they depend on. */
function selectTargets(changes: Change[], targets: readonly string[], planned: ReadonlyMap<string, Resolved>): Change[] {
  const parsed: Address[] = targets.map((t) => parseAddress(t));
  const keep = new Set<string>();
  const addWithDependencies = (key: string): void => {
    if (keep.has(key)) return;
    keep.add(key);
    for (const dep of planned.get(key)?.dependencies ?? []) addWithDependencies(dep.slice(0, dep.lastIndexOf(":")));
  };
  for (const change of changes) {
    const matches = parsed.some(
      (t) =>
        t.kind === change.kind &&
        t.name === change.name &&
        (t.version === undefined || t.version === "latest" || t.version === change.version),
    );
    if (matches) addWithDependencies(assetKey(change.kind, change.name));
  }
  return changes.filter((c) => keep.has(assetKey(c.kind, c.name)));
}

function summarize(changes: readonly Change[]): PlanSummary {
  const summary: PlanSummary = { create: 0, update: 0, noop: 0, conflict: 0, archive: 0, unarchive: 0, orphan: 0, new_assets: 0 };
  for (const c of changes) {
    summary[c.action] += 1;
    if (c.action === "create" && c.previous === null) summary.new_assets += 1;
    if (c.adopt === true) summary.adopt = (summary.adopt ?? 0) + 1;
  }
  return summary;
}

export { planHasChanges } from "./changes.js";

export { shortDigest };
export type { Operation };
