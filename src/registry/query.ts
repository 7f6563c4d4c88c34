// Questions asked of a registry snapshot by the read commands and the web UI: an asset's versions, the
// version an address names, the latest versions, the dependency graph, the difference of two versions.
// Pure: the snapshot is an argument, nothing is fetched.
import type { Operation } from "fast-json-patch";
import { isDigest } from "../digest.js";
import { UserError } from "../diagnostics.js";
import type { AssetKind } from "../manifest/types.js";
import type { Address } from "../plan/address.js";
import { diffDocuments } from "../plan/patch.js";
import { compareVersions } from "../plan/plan.js";
import { aliasesAt, aliasKey } from "./alias-state.js";
import { addressOf, type AliasRecord, type Digest, type JsonObject, type ObjectUse, type RegistrySnapshot, type StoredVersion, type VerifyProblem } from "./types.js";

/** Oldest first: by creation time, then by version. */
export function byCreation(a: StoredVersion, b: StoredVersion): number {
  return a.record.created_at.localeCompare(b.record.created_at) || compareVersions(a.record.version, b.record.version);
}

/**
 * An asset's latest version as every reader names it (`list`, `show KIND:NAME`, `graph`, the web UI): the
 * newest live one, neither archived nor deleted by gc; when none is live, the newest gc left; when gc
 * deleted them all, the newest. `live` says whether it is live. `versions` are one asset's, in any order.
 */
export function latestOf(versions: readonly StoredVersion[]): { version: StoredVersion; live: boolean } | undefined {
  let newest: StoredVersion | undefined;
  let kept: StoredVersion | undefined;
  let live: StoredVersion | undefined;
  for (const v of versions) {
    if (newest === undefined || byCreation(newest, v) < 0) newest = v;
    if (v.deleted === true) continue;
    if (kept === undefined || byCreation(kept, v) < 0) kept = v;
    if (!v.archived && (live === undefined || byCreation(live, v) < 0)) live = v;
  }
  const version = live ?? kept ?? newest;
  return version === undefined ? undefined : { version, live: live !== undefined };
}

export function versionsOf(snapshot: RegistrySnapshot, kind: AssetKind, name: string): StoredVersion[] {
  return snapshot.versions.filter((v) => v.record.kind === kind && v.record.name === name).sort(byCreation);
}

/**
 * Finds the version an address names; `KIND:NAME` and `@latest` mean the most recently created one, and
 * `@ALIAS` the version the alias named at `at` (default: now) by the alias journal given.
 */
export function findVersion(snapshot: RegistrySnapshot, given: Address, aliasHistory: readonly AliasRecord[] = [], at?: string): StoredVersion {
  const address = given.alias === undefined ? given : resolveAlias(given, aliasHistory, at);
  const versions = versionsOf(snapshot, address.kind, address.name);
  const found =
    address.version === undefined || address.version === "latest"
      ? latestOf(versions)?.version
      : versions.find((v) => v.record.version === address.version);
  if (!found) {
    const known = versions.map((v) => v.record.version).join(", ");
    throw new UserError("version-not-found", `The registry has no ${address.kind} ${address.name}${address.version && address.version !== "latest" ? ` version ${address.version}` : ""}.`, {
      hint: known ? `its versions are: ${known}` : "`assetctl list` shows what the registry has",
    });
  }
  return found;
}

/** `KIND:NAME@ALIAS` → the address of the version the alias named at `at` (default: now). */
export function resolveAlias(address: Address, aliasHistory: readonly AliasRecord[], at?: string): Address {
  const alias = address.alias ?? "";
  const aliases = aliasesAt(aliasHistory, at);
  const state = aliases.get(aliasKey({ kind: address.kind, name: address.name, alias }));
  if (state === undefined) {
    const known = [...aliases.values()].filter((a) => a.kind === address.kind && a.name === address.name).map((a) => a.alias);
    throw new UserError("alias-not-found", `${address.kind}:${address.name}@${alias} names no version${at === undefined ? "" : ` at ${at}`}.`, {
      hint: known.length > 0 ? `its aliases${at === undefined ? "" : " then"}: ${known.join(", ")}` : "aliases are set by aliases.yaml and apply; `assetctl history KIND:NAME@ALIAS` lists an alias's moves",
    });
  }
  return { kind: address.kind, name: address.name, version: state.version };
}

/** The versions of every named (not anonymous) asset, by `kind:name`, in the order given. */
export function versionsByAsset(versions: readonly StoredVersion[], options: { anonymous?: boolean } = {}): Map<string, StoredVersion[]> {
  const byAsset = new Map<string, StoredVersion[]>();
  for (const v of versions) {
    if (v.record.anonymous && options.anonymous !== true) continue;
    const key = `${v.record.kind}:${v.record.name}`;
    const list = byAsset.get(key);
    if (list) list.push(v);
    else byAsset.set(key, [v]);
  }
  return byAsset;
}

/** The latest version of every named (not anonymous) asset that has a live one (see latestOf). */
export function latestVersions(versions: readonly StoredVersion[]): StoredVersion[] {
  return [...versionsByAsset(versions).values()].flatMap((list) => {
    const latest = latestOf(list);
    return latest?.live === true ? [latest.version] : [];
  });
}

/** The document two versions are compared by: spec, dependencies and the mutable fields. */
export function versionDocument(v: StoredVersion): JsonObject {
  return { spec: v.record.spec, dependencies: v.record.dependencies, ...(v.mutable as JsonObject) };
}

/** What differs between two versions, as a JSON patch from the first to the second. */
export function versionPatch(from: StoredVersion, to: StoredVersion): Operation[] {
  return diffDocuments(versionDocument(from), versionDocument(to));
}

/** Every version's file whose bytes are the object `digest`, in address order. */
export function objectUses(snapshot: RegistrySnapshot, digest: Digest): ObjectUse[] {
  const uses: ObjectUse[] = [];
  for (const v of snapshot.versions) {
    for (const artifact of v.record.artifacts) {
      for (const f of artifact.files) {
        if (f.digest === digest) uses.push({ address: addressOf(v.record), file: artifact.type === "file" ? artifact.source : `${artifact.source}/${f.path}`, size: f.size });
      }
    }
  }
  return uses;
}

/** Verify's problems, each object problem told which versions and files the object is (see objectUses). */
export function affectedBy(problems: readonly VerifyProblem[], snapshot: RegistrySnapshot): VerifyProblem[] {
  return problems.map((p) =>
    (p.code === "object-corrupt" || p.code === "object-missing") && isDigest(p.subject) ? { ...p, affects: objectUses(snapshot, p.subject) }
      : p,
  );
}
