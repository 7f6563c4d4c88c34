// Lineage queries of the registry: `dependents ADDR` (who uses this version) and `why A B` (a dependency
// path between two versions). `impact` (from the manifests) is in impact.ts.
import path from "node:path";
import { lineageGraph, reachable, somePath } from "../../lineage/graph.js";
import { parseAddress } from "../../plan/address.js";
import { addressOf } from "../../registry/types.js";
import { common, flag, json, type Command } from "./command.js";
import { depthOption } from "./graph.js";
import { findVersion, latestVersions } from "../../registry/query.js";
import { lineageSnapshot } from "../../lineage/snapshot-memo.js";
import { STATE_DIR } from "../../source/tree.js";
import { aliasHistoryFor, requireArg, withRegistry } from "./read.js";

export const dependentsCommand: Command = {
  usage: "ADDR [--depth N] [--latest] [--json]",
  description:
    "Lists the versions that depend on ADDR, directly or through others (to --depth hops). --latest keeps only dependents that are their asset's latest version: what a change would reach now.",
  options: { ...common, depth: { type: "string" }, latest: { type: "boolean" } },
  async run(values, positionals, io) {
    const target = parseAddress(requireArg(positionals, 0, "ADDR"));
    const depth = depthOption(values);
    return withRegistry(values, io, async (registry, root) => {
      const snapshot = await lineageSnapshot(registry, path.join(root, STATE_DIR, "cache"));
      const start = addressOf(findVersion(snapshot, target, await aliasHistoryFor(registry, target)).record);
      const graph = lineageGraph(snapshot.versions);
      const latest = new Set(latestVersions(snapshot.versions).map((v) => addressOf(v.record)));
      const found = [...reachable(graph, [start], "down", depth)]
        .filter(([address, hops]) => hops > 0 && (!flag(values, "latest") || latest.has(address)))
        .sort(([a, da], [b, db]) => da - db || a.localeCompare(b));
      const rows = found.map(([address, hops]) => {
        const v = graph.nodes.get(address)?.version;
        return { address, depth: hops, latest: latest.has(address), archived: v?.archived ?? false, commit: v?.record.provenance.commit ?? null };
    });
    if (flag(values, "json")) json(io, { address: start, dependents: rows });
    else if (rows.length === 0) io.out(`Nothing depends on ${start}${flag(values, "latest") ? " among latest versions" : ""}.`);
    else {
      io.out(`${rows.length} version${rows.length === 1 ? "" : "s"} depend${rows.length === 1 ? "s" : ""} on ${start}:`);
      for (const r of rows) {
        const marks = [r.latest ? "latest" : "", r.archived ? "archived" : "", r.depth > 1 ? `${r.depth} hops` : "direct"].filter(Boolean);
        io.out(`  ${r.address}  ${io.style.dim(`(${marks.join(", ")})`)}`);
      }
    }
    return 0;
    });
  },
};

export const whyCommand: Command = {
  usage: "A B [--json]",
  description: "Shows how version A depends on version B (or B on A): one shortest path of dependencies. Exits 1 when there is none.",
  options: { ...common },
  async run(values, positionals, io) {
    const a = parseAddress(requireArg(positionals, 0, "A"));
    const b = parseAddress(requireArg(positionals, 1, "B"));
    return withRegistry(values, io, async (registry, root) => {
      const snapshot = await lineageSnapshot(registry, path.join(root, STATE_DIR, "cache"));
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
