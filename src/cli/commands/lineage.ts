// Lineage queries of the registry: `dependents ADDR` (who uses this version) and `why A B` (a dependency
// path between two versions). `impact` (from the manifests) is in impact.ts. `dependents` is asked of the
// resident query server first (lineage-resident.ts), else answered from the compact lineage cache.
import { codeFingerprint } from "../../code-fingerprint.js";
import { UserError } from "../../diagnostics.js";
import { dependentsIn, findIn, type CompactLineage, type DependentRow } from "../../lineage/compact.js";
import { compactLineageKept } from "../../lineage/snapshot-memo.js";
import { formatAddress, parseAddress, type Address } from "../../plan/address.js";
import { askResident } from "../../watch/query-server.js";
import { connectRegistry, resolveRoot } from "../context.js";
import type { Io } from "../io.js";
import { common, flag, json, str, type Command, type Values } from "./command.js";
import { depthOption } from "./command.js";
import { cacheFolder } from "../../source/root-folder.js";

export interface DependentsQuery {
  kind: "dependents";
  /** `KIND:NAME`, `KIND:NAME:VERSION` or `KIND:NAME@latest`: an alias is resolved by the one-shot path only. */
  address: string;
  /** Null: unlimited. */
  depth: number | null;
  latest: boolean;
  /** `--registry` and ASSETCTL_REGISTRY as the asker has them: the server opens the registry they name. */
  registry: string | null;
  envRegistry: string | null;
}

/** What `dependents` prints, made by the one-shot path and the resident server alike. */
export interface DependentsAnswer {
  address: string;
  dependents: DependentRow[];
}

/** The answer from the compact lineage; throws the user's error when the address names no version. */
export function dependentsAnswer(lineage: CompactLineage, address: Address, query: Pick<DependentsQuery, "depth" | "latest">): DependentsAnswer {
  const start = findIn(lineage, address);
  return { address: lineage.addresses[start] ?? "", dependents: dependentsIn(lineage, start, query.depth ?? Infinity, query.latest) };
}

export const dependentsCommand: Command = {
  usage: "ADDR [--depth N] [--latest] [--json]",
  description:
    "Lists the versions that depend on ADDR, directly or through others (to --depth hops). --latest keeps only dependents that are their asset's latest version: what a change would reach now.",
  options: { ...common, depth: { type: "string" }, latest: { type: "boolean" } },
  async run(values, positionals, io) {
    const arg = positionals[0];
    if (arg === undefined) throw new UserError("argument-missing", "missing ADDR", { hint: "run the command with --help" });
    const target = parseAddress(arg);
    const depth = depthOption(values);
    const root = await resolveRoot(str(values, "dir"), io.cwd);
    const query: DependentsQuery = {
      kind: "dependents",
      address: formatAddress(target),
      depth: Number.isFinite(depth) ? depth : null,
      latest: flag(values, "latest"),
      registry: str(values, "registry") ?? null,
      envRegistry: io.env["ASSETCTL_REGISTRY"] ?? null,
    };
    const resident = target.alias === undefined ? ((await askResident(root, codeFingerprint(), query)) as DependentsAnswer | undefined) : undefined;
    const answer = resident ?? (await dependentsOneShot(root, values, io, target, query));
    const rows = answer.dependents;
    if (flag(values, "json")) json(io, { address: answer.address, dependents: rows });
    else if (rows.length === 0) io.out(`Nothing depends on ${answer.address}${query.latest ? " among latest versions" : ""}.`);
    else {
      io.out(`${rows.length} version${rows.length === 1 ? "" : "s"} depend${rows.length === 1 ? "s" : ""} on ${answer.address}:`);
      for (const r of rows) {
        const marks = [r.latest ? "latest" : "", r.archived ? "archived" : "", r.depth > 1 ? `${r.depth} hops` : "direct"].filter(Boolean);
        io.out(`  ${r.address}  ${io.style.dim(`(${marks.join(", ")})`)}`);
      }
    }
    return 0;
  },
};

async function dependentsOneShot(root: string, values: Values, io: Io, target: Address, query: DependentsQuery): Promise<DependentsAnswer> {
  const registry = await connectRegistry(root, str(values, "registry"), io.env);
  try {
    const lineage = await compactLineageKept(registry, cacheFolder(root));
    // An alias is resolved by its journal, read only for an address that names one.
    const address = target.alias === undefined ? target : (await import("../../registry/query.js")).resolveAlias(target, await registry.aliasHistory());
    return dependentsAnswer(lineage, address, query);
  } finally {
    await registry.close();
  }
}

export const whyCommand: Command = {
  usage: "A B [--json]",
  description: "Shows how version A depends on version B (or B on A): one shortest path of dependencies. Exits 1 when there is none.",
  options: { ...common },
  async run(values, positionals, io) {
    // The registry's read commands load here only: `dependents` answers without them.
    const [{ lineageGraph, somePath }, { lineageSnapshot }, { findVersion }, { addressOf }, { aliasHistoryFor, requireArg, withRegistry }] = await Promise.all([
      import("../../lineage/graph.js"),
      import("../../lineage/snapshot-memo.js"),
      import("../../registry/query.js"),
      import("../../registry/types.js"),
      import("./read.js"),
    ]);
    const a = parseAddress(requireArg(positionals, 0, "A"));
    const b = parseAddress(requireArg(positionals, 1, "B"));
    return withRegistry(values, io, async (registry, root) => {
      const snapshot = await lineageSnapshot(registry, cacheFolder(root));
      const aliases = await aliasHistoryFor(registry, a, b);
      const from = addressOf(findVersion(snapshot, a, aliases).record);
      const to = addressOf(findVersion(snapshot, b, aliases).record);
      const graph = lineageGraph(snapshot.versions);
      // Always in dependency order: the dependent first, what it depends on last.
      const chain = somePath(graph, from, to) ?? somePath(graph, to, from);
      if (flag(values, "json")) json(io, { from, to, path: chain ?? null });
      else if (!chain) io.out(`No dependency path between ${from} and ${to}.`);
      else {
        const between = chain.length - 2;
        io.out(`${chain.join(" → ")}\n${chain[0]} depends on ${chain.at(-1)}${between > 0 ? ` through ${between} other version${between === 1 ? "" : "s"}` : ""}.`);
      }
      return chain ? 0 : 1;
    });
  },
};
