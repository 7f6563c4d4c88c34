// `assetctl graph [ADDR]`: the dependency graph of the registry's versions, as DOT, Mermaid or JSON.
import { parseAddress } from "../../plan/address.js";
import { dependencyGraph, findVersion, latestVersions } from "../../registry/query.js";
import type { StoredVersion } from "../../registry/types.js";
import { connectRegistry, resolveRoot } from "../context.js";
import { common, json, outputFormat, str, type Command } from "./command.js";

export const graphCommand: Command = {
  usage: "[ADDR] [--format dot|mermaid|json]",
  description: "Prints what depends on what: every latest version, or ADDR and everything it depends on.",
  options: { ...common, format: { type: "string" } },
  async run(values, positionals, io) {
    const format = outputFormat(values, ["dot", "mermaid", "json"]);
    const root = await resolveRoot(str(values, "dir"), io.cwd);
    const registry = await connectRegistry(root, str(values, "registry"), io.env);
    try {
      const snapshot = await registry.snapshot();
      const start: StoredVersion[] = positionals[0]
        ? [findVersion(snapshot, parseAddress(positionals[0]))]
        : latestVersions(snapshot.versions);
      const { nodes: sortedNodes, edges } = dependencyGraph(snapshot, start);
      if (format === "json") json(io, { nodes: sortedNodes, edges });
      else if (format === "mermaid") {
        const id = (a: string): string => a.replace(/[^A-Za-z0-9_]/g, "_");
        io.out(["graph LR", ...sortedNodes.map((n) => `  ${id(n)}["${n}"]`), ...edges.map(([a, b]) => `  ${id(a)} --> ${id(b)}`)].join("\n"));
      } else {
        io.out(["digraph assets {", "  rankdir=LR;", ...sortedNodes.map((n) => `  "${n}";`), ...edges.map(([a, b]) => `  "${a}" -> "${b}";`), "}"].join("\n"));
      }
      return 0;
    } finally {
      await registry.close();
    }
  },
};
