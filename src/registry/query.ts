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
      ? versions.filter((v) => !v.archived && v.deleted !== true).at(-1) ?? versions.filter((v) => v.deleted !== true).at(-1)
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

/** The latest live version of every named (not anonymous) asset. */
export function latestVersions(versions: readonly StoredVersion[]): StoredVersion[] {
  const latest = new Map<string, StoredVersion>();
  for (const v of versions) {
    if (v.archived || v.deleted === true || v.record.anonymous) continue;
    const key = `${v.record.kind}:${v.record.name}`;
    const current = latest.get(key);
    if (!current || current.record.created_at <= v.record.created_at) latest.set(key, v);
  }
  return [...latest.values()];
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
