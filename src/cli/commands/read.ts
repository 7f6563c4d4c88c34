// The registry's read commands: list, show, history, diff. None of them needs the manifests.
import { UserError } from "../../diagnostics.js";
import { ASSET_KINDS, type AssetKind } from "../../manifest/types.js";
import { parseAddress, type Address } from "../../plan/address.js";
import type { RegistryDriver } from "../../registry/driver.js";
import { findVersion, versionsOf } from "../../registry/query.js";
import { addressOf, type AliasRecord } from "../../registry/types.js";
import { connectRegistry, resolveRoot } from "../context.js";
import type { Io } from "../io.js";
import { aliasHistoryText, diffText, historyText, listText, versionText } from "../render/read.js";
import { aliasHistoryView, differs, diffView, historyJson, historyView, listView, versionJson, versionView } from "../views/read.js";
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
      const view = listView(await registry.snapshot(), { kind: kind as AssetKind | undefined, all: flag(values, "all") });
      if (flag(values, "json")) json(io, view);
      else io.out(listText(view, kind));
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
      const view = versionView(v, via, deletedAt);
      if (flag(values, "json")) json(io, versionJson(view));
      else io.out(versionText(view));
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
      const [events, aliases] = await Promise.all([
        Promise.all(versions.map(async (v) => ({ v, updates: await registry.history(v.record.kind, v.record.name, v.record.version) }))),
        registry.aliasHistory(),
      ]);
      const view = historyView(events, aliases);
      if (flag(values, "json")) json(io, historyJson(view));
      else io.out(historyText(view));
      return 0;
    });
  },
};

/** `history KIND:NAME@ALIAS`: the alias's moves, oldest first. */
async function aliasHistory(values: Values, io: Io, address: Address): Promise<number> {
  return withRegistry(values, io, async (registry) => {
    const all = await registry.aliasHistory();
    const view = aliasHistoryView({ kind: address.kind, name: address.name, alias: address.alias ?? "" }, all);
    if (flag(values, "json")) {
      json(io, view);
      return 0;
    }
    if (view.moves.length === 0) {
      const others = [...new Set(all.filter((m) => m.kind === address.kind && m.name === address.name).map((m) => m.alias))];
      throw new UserError("alias-not-found", `${view.alias} has never been set.`, {
        hint: others.length > 0 ? `${address.kind}:${address.name} has the aliases: ${others.join(", ")}` : "aliases are set from aliases.yaml by apply",
      });
    }
    io.out(aliasHistoryText(view));
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
      const view = diffView(va, vb);
      if (flag(values, "json")) json(io, view);
      else io.out(diffText(view));
      return differs(view) && flag(values, "exit-code") ? 1 : 0;
    });
  },
};

export function requireArg(positionals: string[], index: number, what: string): string {
  const value = positionals[index];
  if (value === undefined) throw new UserError("argument-missing", `missing ${what}`, { hint: "run the command with --help" });
  return value;
}
