// The view models of the read commands (list, show, history, diff): plain data built from a registry
// snapshot and its journals, with no styling. `--json` prints them (less the few fields only the text
// needs, stripped by the `…Json` functions); cli/render/read.ts turns them into text. Pure.
import type { Operation } from "fast-json-patch";
import { localPathOf } from "../../source/spec-fields.js";
import type { AssetKind } from "../../manifest/types.js";
import { artifactChanges } from "../../plan/artifacts.js";
import type { ArtifactChange } from "../../plan/types.js";
import { aliasKey } from "../../registry/alias-state.js";
import { latestOf, versionPatch, versionsByAsset } from "../../registry/query.js";
import {
  addressOf,
  type AliasRecord,
  type AppliedBy,
  type Digest,
  type MutableFields,
  type RegistrySnapshot,
  type StoredVersion,
  type VersionRecord,
  type VersionUpdate,
} from "../../registry/types.js";

/** One asset in `list`: its latest version (registry/query.ts latestOf); `archived` when none is live. */
export interface ListRow {
  address: string;
  kind: AssetKind;
  name: string;
  latest: string;
  versions: number;
  /** No version is live (all archived or deleted by gc). */
  archived: boolean;
  /** Present (true) when gc deleted every version: the one shown too. */
  deleted?: true;
  digest: Digest;
  commit: string | null;
  dirty: boolean;
  created_at: string;
}

export interface ListView {
  serial: number;
  assets: ListRow[];
}

/** The assets of a snapshot, by `kind:name`; anonymous ones and wholly archived ones only with `all`. */
export function listView(snapshot: RegistrySnapshot, filter: { kind?: AssetKind | undefined; all: boolean }): ListView {
  const assets = versionsByAsset(
    snapshot.versions.filter((v) => filter.kind === undefined || v.record.kind === filter.kind),
    { anonymous: filter.all },
  );
  const rows = [...assets.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, versions]): ListRow => {
      const { version, live } = latestOf(versions) as { version: StoredVersion; live: boolean };
      const { record } = version;
      return {
        address: addressOf(record),
        kind: record.kind,
        name: record.name,
        latest: record.version,
        versions: versions.length,
        archived: !live,
        ...(version.deleted === true ? { deleted: true as const } : {}),
        digest: record.digest,
        commit: record.provenance.commit,
        dirty: record.provenance.dirty,
        created_at: record.created_at,
      };
    });
  return { serial: snapshot.serial, assets: rows.filter((r) => filter.all || !r.archived) };
}

/** One version as `show` tells it: the record, its current mutable state, and how it was named. */
export interface VersionView extends VersionRecord {
  mutable: MutableFields;
  archived: boolean;
  /** Present when gc deleted the version: the serial of the journal entry that did (null if none is found). */
  deleted?: { by: "gc"; journal: number | null };
  updated_at: string;
  /** Present when the address named an alias: which, and at what time (null: now). */
  via_alias?: { alias: string; at: string | null };
  /** Text only: where a model's or data's files are when they are not stored in the registry. */
  files_at?: string;
}

export function versionView(v: StoredVersion, via: { alias: string; at: string | null } | undefined, deletedAt: number | undefined): VersionView {
  const remote = v.record.spec["path"];
  const filesAt = (v.record.kind === "model" || v.record.kind === "data") && typeof remote === "string" && localPathOf(remote) === undefined ? remote : undefined;
  return {
    ...v.record,
    mutable: v.mutable,
    archived: v.archived,
    ...(v.deleted === true ? { deleted: { by: "gc" as const, journal: deletedAt ?? null } } : {}),
    updated_at: v.updated_at,
    ...(via === undefined ? {} : { via_alias: via }),
    ...(filesAt === undefined ? {} : { files_at: filesAt }),
  };
}

/** What `show --json` prints. */
export function versionJson(view: VersionView): Omit<VersionView, "files_at"> {
  const { files_at: _, ...json } = view;
  return json;
}

/** One version in `history`, with every update of its mutable fields, archive flag and gc deletion. */
export interface HistoryVersion {
  address: string;
  version: string;
  digest: Digest;
  commit: string | null;
  dirty: boolean;
  manifest: string;
  author: string | null;
  applied_by: AppliedBy | null;
  created_at: string;
  archived: boolean;
  updates: VersionUpdate[];
  /** Text only: gc deleted it. */
  deleted: boolean;
}

export interface HistoryView {
  versions: HistoryVersion[];
  /** The moves of the asset's aliases that name one of these versions (from or to), oldest first. */
  alias_moves: AliasRecord[];
}

export function historyView(events: readonly { v: StoredVersion; updates: VersionUpdate[] }[], aliasHistory: readonly AliasRecord[]): HistoryView {
  const first = events[0]?.v.record;
  const shown = new Set(events.map(({ v }) => v.record.version));
  const aliasMoves = aliasHistory.filter(
    (m) => m.kind === first?.kind && m.name === first.name && ((m.from !== null && shown.has(m.from)) || (m.to !== null && shown.has(m.to))),
  );
  return {
    versions: events.map(({ v, updates }) => ({
      address: addressOf(v.record),
      version: v.record.version,
      digest: v.record.digest,
      commit: v.record.provenance.commit,
      dirty: v.record.provenance.dirty,
      manifest: v.record.provenance.manifest,
      author: v.record.provenance.author ?? null,
      applied_by: v.record.provenance.applied_by ?? null,
      created_at: v.record.created_at,
      archived: v.archived,
      updates,
      deleted: v.deleted === true,
    })),
    alias_moves: [...aliasMoves].sort((a, b) => a.serial - b.serial),
  };
}

/** What `history --json` prints: `alias_moves` only when the asset's aliases ever moved. */
export function historyJson(view: HistoryView): { versions: Omit<HistoryVersion, "deleted">[]; alias_moves?: AliasRecord[] } {
  return {
    versions: view.versions.map(({ deleted: _, ...json }) => json),
    ...(view.alias_moves.length === 0 ? {} : { alias_moves: view.alias_moves }),
  };
}

/** `history KIND:NAME@ALIAS`: every move of one alias, oldest first. */
export interface AliasHistoryView {
  alias: string;
  moves: AliasRecord[];
}

export function aliasHistoryView(address: { kind: AssetKind; name: string; alias: string }, aliasHistory: readonly AliasRecord[]): AliasHistoryView {
  const key = aliasKey(address);
  return { alias: key, moves: aliasHistory.filter((m) => aliasKey(m) === key) };
}

/** What differs between two versions: a JSON patch of spec, dependencies and mutable fields, and the artifacts' files. */
export interface DiffView {
  from: Digest;
  to: Digest;
  patch: Operation[];
  artifacts: ArtifactChange[];
}

export function diffView(a: StoredVersion, b: StoredVersion): DiffView {
  return { from: a.record.digest, to: b.record.digest, patch: versionPatch(a, b), artifacts: artifactChanges(a.record.artifacts, b.record.artifacts) };
}

export function differs(view: DiffView): boolean {
  return view.patch.length > 0 || view.artifacts.length > 0;
}

/** What an update did, in words: shared by `history` and the web UI. */
export function updateText(u: VersionUpdate): string {
  if (u.deleted !== undefined) return u.deleted ? "deleted by gc" : "restored by gc --restore";
  if (u.archived !== undefined) return u.archived ? "archived" : "restored";
  return `updated ${Object.keys(u.mutable ?? {}).join(", ")}`;
}
