// `assetctl graph [ADDR]`: the dependency graph of the registry's versions, as DOT, Mermaid or JSON.
import { around, lineageGraph, withoutImpliedEdges, type Direction } from "../../lineage/graph.js";
import { parseAddress } from "../../plan/address.js";
import { addressOf } from "../../registry/types.js";
import { lineageDot, lineageMermaid } from "../render/lineage.js";
import { common, depthOption, flag, json, outputFormat, type Command } from "./command.js";
import { findVersion, latestVersions } from "../../registry/query.js";
import { lineageSnapshot } from "../../lineage/snapshot-memo.js";
import { aliasHistoryFor, withRegistry } from "./read.js";
import { cacheFolder } from "../../source/root-folder.js";

export const graphCommand: Command = {
  usage: "[ADDR] [--up | --down] [--depth N] [--all-edges] [--format dot|mermaid|json]",
  description:
    "Prints what depends on what: every latest version, or ADDR with its dependencies (--up, the default) or its dependents (--down), to --depth hops. Edges implied by longer paths are dropped unless --all-edges.",
  options: { ...common, format: { type: "string" }, up: { type: "boolean" }, down: { type: "boolean" }, depth: { type: "string" }, "all-edges": { type: "boolean" } },
  async run(values, positionals, io) {
    const format = outputFormat(values, ["dot", "mermaid", "json"]);
    const depth = depthOption(values);
    const direction: Direction = flag(values, "up") && flag(values, "down") ? "both" : flag(values, "down") ? "down" : "up";
    return withRegistry(values, io, async (registry, root) => {
      const snapshot = await lineageSnapshot(registry, cacheFolder(root));
      const graph = lineageGraph(snapshot.versions);
      const from = positionals[0] === undefined ? undefined : parseAddress(positionals[0]);
      const start = from ? [addressOf(findVersion(snapshot, from, await aliasHistoryFor(registry, from)).record)] : undefined;
      const whole = start
        ? around(graph, start, direction, depth)
        : around(graph, latestVersions(snapshot.versions).map((v) => addressOf(v.record)), "up", depth);
      const sub = flag(values, "all-edges") ? whole : withoutImpliedEdges(whole);
      if (format === "json") json(io, sub);
      else if (format === "mermaid") io.out(lineageMermaid(sub));
      else io.out(lineageDot(sub, start));
      return 0;
    });
  },
};
