// The registry's read commands: list, show, history, diff. None of them needs the manifests.
import { localPathOf } from "../../source/spec-fields.js";
import { UserError } from "../../diagnostics.js";
import { shortDigest } from "../../digest.js";
import { ASSET_KINDS, type AssetKind } from "../../manifest/types.js";
import { parseAddress, type Address } from "../../plan/address.js";
import type { RegistryDriver } from "../../registry/driver.js";
import { byCreation, findVersion, versionPatch, versionsOf } from "../../registry/query.js";
import { addressOf, type AliasRecord, type Provenance, type StoredVersion } from "../../registry/types.js";
import { appliedByText } from "../../apply/identity.js";
import { connectRegistry, resolveRoot } from "../context.js";
import type { Io } from "../io.js";
import { artifactLines, patchLines } from "../render/plan-text.js";
import { artifactChanges } from "../../plan/artifacts.js";
import { common, flag, json, str, type Command, type Values } from "./command.js";

/** Runs `use` on the registry of `--dir`/`--registry`, closing it afterwards. */
export async function withRegistry<T>(values: Values, io: Io, use: (registry: RegistryDriver, root: string) => Promise<T>): Promise<T> {
  const root = await resolveRoot(str(values, "dir"), io.cwd);
  const registry = await connectRegistry(root, str(values, "registry"), io.env);
  try {
    return await use(registry, root);
  } finally {
    await registry.close();
  }
}

// Kept here too for the commands that import them from this module.
export { findVersion };

/** The alias journal, read only when an address names an alias (`KIND:NAME@ALIAS`). */
export async function aliasHistoryFor(registry: RegistryDriver, ...addresses: Address[]): Promise<AliasRecord[]> {
  return addresses.some((a) => a.alias !== undefined) ? registry.aliasHistory() : [];
}

/** `--at 2026-10-01` (the end of that day, UTC) or an ISO time: "which version was it then". */
export function parseAt(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const day = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const time = Date.parse(day ? `${text}T23:59:59.999Z` : text);
  if (Number.isNaN(time)) throw new UserError("time-invalid", `"${text}" is not a date or time`, { hint: "write e.g. 2026-10-01 or 2026-10-01T12:00:00Z" });
  return new Date(time).toISOString();
}

function commitOf(v: StoredVersion): string {
  const c = v.record.provenance.commit;
  return c ? `${c.slice(0, 12)}${v.record.provenance.dirty ? "+dirty" : ""}` : "(no commit)";
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd()).join("\n");
}

export const listCommand: Command = {
  usage: "[KIND] [--all] [--json]",
  description: "Lists the registry's assets with their latest version, the commit it came from and its digest. --all includes archived versions.",
  options: { ...common, all: { type: "boolean" } },
  async run(values, positionals, io) {
    const kind = positionals[0] === "components" ? "component" : positionals[0];
    if (kind !== undefined && !ASSET_KINDS.includes(kind as AssetKind)) {
      throw new UserError("kind-invalid", `"${kind}" is not an asset kind`, { hint: `use one of: ${ASSET_KINDS.join(", ")}` });
    }
    return withRegistry(values, io, async (registry) => {
      const snapshot = await registry.snapshot();
      const all = flag(values, "all");
      const assets = new Map<string, StoredVersion[]>();
      for (const v of snapshot.versions) {
        if (kind && v.record.kind !== kind) continue;
        if (v.record.anonymous && !all) continue;
        const key = `${v.record.kind}:${v.record.name}`;
        assets.set(key, [...(assets.get(key) ?? []), v]);
      }
      const rows = [...assets.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([, versions]) => {
          const sorted = versions.sort(byCreation);
          const live = sorted.filter((v) => !v.archived);
          return { latest: (live.at(-1) ?? sorted.at(-1)) as StoredVersion, count: sorted.length, archived: live.length === 0 };
        })
        .filter((r) => all || !r.archived);
      if (flag(values, "json")) {
        json(io, {
          serial: snapshot.serial,
          assets: rows.map((r) => ({
            address: addressOf(r.latest.record),
            kind: r.latest.record.kind,
            name: r.latest.record.name,
            latest: r.latest.record.version,
            versions: r.count,
            archived: r.archived,
            digest: r.latest.record.digest,
            commit: r.latest.record.provenance.commit,
            dirty: r.latest.record.provenance.dirty,
            created_at: r.latest.record.created_at,
          })),
        });
        return 0;
      }
      if (rows.length === 0) {
        io.out("The registry is empty." + (kind ? ` (no ${kind})` : ""));
        return 0;
      }
      io.out(
        table([
          ["KIND", "NAME", "LATEST", "VERSIONS", "COMMIT", "DIGEST", "CREATED"],
          ...rows.map((r) => [
            r.latest.record.kind,
            r.latest.record.name + (r.archived ? " (archived)" : ""),
            r.latest.record.version,
            String(r.count),
            commitOf(r.latest),
            shortDigest(r.latest.record.digest),
            r.latest.record.created_at,
          ]),
        ]),
      );
      return 0;
    });
  },
};

export const showCommand: Command = {
  usage: "ADDR [--at DATE] [--json]",
  description: "Shows one version: its spec, mutable fields, artifacts, dependencies and provenance. ADDR may be KIND:NAME@ALIAS; --at DATE shows the version the alias named then.",
  options: { ...common, at: { type: "string" } },
  async run(values, positionals, io) {
    const address = parseAddress(requireArg(positionals, 0, "ADDR"));
    const at = parseAt(str(values, "at"));
    if (at !== undefined && address.alias === undefined) {
      throw new UserError("at-needs-alias", "--at applies to an alias: a version never changes, but what an alias names does", { hint: "write KIND:NAME@ALIAS, e.g. model:churn@production" });
    }
    return withRegistry(values, io, async (registry) => {
      const v = findVersion(await registry.snapshot(), address, await aliasHistoryFor(registry, address), at);
      const via = address.alias === undefined ? undefined : { alias: address.alias, at: at ?? null };
      const deletedAt = v.deleted === true ? await gcDeletionSerial(registry, addressOf(v.record)) : undefined;
      if (flag(values, "json")) {
        json(io, { ...v.record, mutable: v.mutable, archived: v.archived, ...(v.deleted === true ? { deleted: { by: "gc", journal: deletedAt ?? null } } : {}), updated_at: v.updated_at, ...(via === undefined ? {} : { via_alias: via }) });
        return 0;
      }
      const r = v.record;
      const deleted = v.deleted === true ? ` (deleted by gc, journal #${deletedAt ?? "?"})` : "";
      const lines = [
        `${addressOf(r)}${deleted}${v.archived ? " (archived)" : ""}${r.anonymous ? " (anonymous)" : ""}${via === undefined ? "" : `  (${r.kind}:${r.name}@${via.alias}${via.at === null ? "" : ` at ${via.at}`})`}`,
        `  digest:      ${r.digest}`,
        `  created:     ${r.created_at}`,
        ...provenanceLines(r.provenance),
      ];
      if (v.mutable.description !== undefined) lines.push(`  description: ${v.mutable.description}`);
      if (v.mutable.display_name !== undefined) lines.push(`  display:     ${v.mutable.display_name}`);
      if (v.mutable.tags && Object.keys(v.mutable.tags).length > 0) {
        lines.push(`  tags:        ${Object.entries(v.mutable.tags).map(([k, val]) => `${k}=${val}`).join(", ")}`);
      }
      if (r.dependencies.length > 0) lines.push(`  depends on:  ${r.dependencies.join(", ")}`);
      for (const a of r.artifacts) {
        lines.push(`  artifact ${a.pointer}: ${a.source} (${a.type}, ${a.files.length} file${a.files.length === 1 ? "" : "s"}, ${a.size} bytes, ${a.git}) ${shortDigest(a.digest)}`);
      }
      const remote = r.spec["path"];
      if ((r.kind === "model" || r.kind === "data") && typeof remote === "string" && localPathOf(remote) === undefined) {
        lines.push(`  files at:    ${remote} (not stored in the registry)`);
      }
      lines.push("  spec:");
      lines.push(...JSON.stringify(r.spec, null, 2).split("\n").map((l) => `    ${l}`));
      io.out(lines.join("\n"));
      return 0;
    });
  },
};

/** The serial of the journal entry that deleted a version (its last `gc-delete`). */
async function gcDeletionSerial(registry: RegistryDriver, address: string): Promise<number | undefined> {
  return (await registry.journal()).findLast((j) => j.entry.op === "gc-delete" && j.entry.address === address)?.serial;
}

export const historyCommand: Command = {
  usage: "ADDR [--json]",
  description:
    "Lists an asset's versions (oldest first) with their commits, and every mutable-field update and archive. For KIND:NAME@ALIAS, every move of the alias with its commit, author, message and time.",
  options: common,
  async run(values, positionals, io) {
    const address = parseAddress(requireArg(positionals, 0, "ADDR"));
    if (address.alias !== undefined) return aliasHistory(values, io, address);
    return withRegistry(values, io, async (registry) => {
      const snapshot = await registry.snapshot();
      const versions = versionsOf(snapshot, address.kind, address.name).filter(
        (v) => address.version === undefined || address.version === "latest" || v.record.version === address.version,
      );
      if (versions.length === 0) findVersion(snapshot, address);
      const events = await Promise.all(
        versions.map(async (v) => ({ v, updates: await registry.history(v.record.kind, v.record.name, v.record.version) })),
      );
      if (flag(values, "json")) {
        json(io, {
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
          })),
        });
        return 0;
      }
      const lines: string[] = [];
      for (const { v, updates } of events) {
        lines.push(`${v.record.version.padEnd(8)} ${v.record.created_at}  ${commitOf(v)}  ${shortDigest(v.record.digest)}${v.archived ? "  (archived)" : ""}${v.deleted === true ? "  (deleted by gc)" : ""}${byText(v.record.provenance)}`);
        for (const u of updates) {
          const what =
            u.deleted !== undefined
              ? u.deleted
                ? "deleted by gc"
                : "restored by gc --restore"
              : u.archived !== undefined
                ? u.archived
                  ? "archived"
                  : "restored"
                : `updated ${Object.keys(u.mutable ?? {}).join(", ")}`;
          lines.push(`         ${u.updated_at}  ${u.provenance.commit?.slice(0, 12) ?? "(no commit)"}  ${what}${byText(u.provenance)}`);
        }
      }
      io.out(lines.join("\n"));
      return 0;
    });
  },
};

/** `history KIND:NAME@ALIAS`: the alias's moves, oldest first. */
async function aliasHistory(values: Values, io: Io, address: Address): Promise<number> {
  return withRegistry(values, io, async (registry) => {
    const key = `${address.kind}:${address.name}@${address.alias ?? ""}`;
    const all = await registry.aliasHistory();
    const moves = all.filter((m) => `${m.kind}:${m.name}@${m.alias}` === key);
    if (flag(values, "json")) {
      json(io, { alias: key, moves });
      return 0;
    }
    if (moves.length === 0) {
      const others = [...new Set(all.filter((m) => m.kind === address.kind && m.name === address.name).map((m) => m.alias))];
      throw new UserError("alias-not-found", `${key} has never been set.`, {
        hint: others.length > 0 ? `${address.kind}:${address.name} has the aliases: ${others.join(", ")}` : "aliases are set from aliases.yaml by apply",
      });
    }
    const rows = moves.map((m) => [
      m.at,
      m.from === null ? `→ ${m.to ?? ""}` : m.to === null ? `${m.from} → (removed)` : `${m.from} → ${m.to}`,
      m.commit?.slice(0, 12) ?? "(no commit)",
      m.author ?? "",
      m.message ?? "",
    ]);
    io.out(table([["TIME", "MOVE", "COMMIT", "AUTHOR", "MESSAGE"], ...rows]));
    return 0;
  });
}

export const diffCommand: Command = {
  usage: "ADDR ADDR [--exit-code] [--json]",
  description:
    "Shows what differs between two versions (either may be KIND:NAME@ALIAS): each changed field as old → new (a JSON patch from the first to the second), and the files each changed artifact adds, removes and changes, with sizes. --exit-code: exit 1 when they differ, 0 when they do not.",
  options: { ...common, "exit-code": { type: "boolean" } },
  async run(values, positionals, io) {
    const a = parseAddress(requireArg(positionals, 0, "ADDR"));
    const b = parseAddress(requireArg(positionals, 1, "second ADDR"));
    return withRegistry(values, io, async (registry) => {
      const snapshot = await registry.snapshot();
      const aliases = await aliasHistoryFor(registry, a, b);
      const [va, vb] = [findVersion(snapshot, a, aliases), findVersion(snapshot, b, aliases)];
      const patch = versionPatch(va, vb);
      const artifacts = artifactChanges(va.record.artifacts, vb.record.artifacts);
      const differ = patch.length > 0 || artifacts.length > 0;
      if (flag(values, "json")) {
        json(io, { from: va.record.digest, to: vb.record.digest, patch, artifacts });
      } else {
        io.out(differ ? [...patchLines(patch, Number.MAX_SAFE_INTEGER), ...artifactLines(artifacts, Number.MAX_SAFE_INTEGER)].join("\n") : "The two versions have the same content.");
      }
      return differ && flag(values, "exit-code") ? 1 : 0;
    });
  },
};

/**
 * A version's provenance as `show` prints it. Records written before the author and who applied were
 * kept have neither: those lines are left out rather than guessed.
 */
export function provenanceLines(p: Provenance): string[] {
  const lines = [`  commit:      ${p.commit ?? "(no commit)"}${p.dirty ? " (dirty)" : ""}${p.branch ? ` on ${p.branch}` : ""}`];
  if (p.author) lines.push(`  author:      ${p.author}`);
  if (p.applied_by) lines.push(`  applied by:  ${appliedByText(p.applied_by)}`);
  lines.push(`  manifest:    ${p.manifest}`, `  tool:        assetctl ${p.tool_version}`);
  return lines;
}

/** `  by WHO` after a history line, when the record says who. */
function byText(p: Provenance): string {
  return p.applied_by ? `  by ${appliedByText(p.applied_by)}` : "";
}

export function requireArg(positionals: string[], index: number, what: string): string {
  const value = positionals[index];
  if (value === undefined) throw new UserError("argument-missing", `missing ${what}`, { hint: "run the command with --help" });
  return value;
}
