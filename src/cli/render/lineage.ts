// A lineage subgraph as DOT (clustered by kind) or Mermaid (subgraphs by kind). Pure.
import type { Subgraph } from "../../lineage/graph.js";

function kindOf(address: string): string {
  return address.slice(0, address.indexOf(":"));
}

function byKind(nodes: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const node of nodes) {
    const list = groups.get(kindOf(node));
    if (list) list.push(node);
    else groups.set(kindOf(node), [node]);
  }
  return new Map([...groups.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

function quoteDot(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function lineageDot(sub: Subgraph, highlight: readonly string[] = []): string {
  const lines = ["digraph assets {", "  rankdir=LR;", "  node [shape=box];"];
  for (const [kind, nodes] of byKind(sub.nodes)) {
    lines.push(`  subgraph ${quoteDot(`cluster_${kind}`)} {`, `    label=${quoteDot(kind)};`);
    for (const n of nodes) lines.push(`    ${quoteDot(n)}${highlight.includes(n) ? " [style=bold]" : ""};`);
    lines.push("  }");
  }
  for (const [a, b] of sub.edges) lines.push(`  ${quoteDot(a)} -> ${quoteDot(b)};`);
  lines.push("}");
  return lines.join("\n");
}

export function lineageMermaid(sub: Subgraph): string {
  const id = (a: string): string => a.replace(/[^A-Za-z0-9_]/g, "_");
  const lines = ["graph LR"];
  for (const [kind, nodes] of byKind(sub.nodes)) {
    lines.push(`  subgraph ${kind}`);
    for (const n of nodes) lines.push(`    ${id(n)}["${n.replace(/"/g, "#quot;")}"]`);
    lines.push("  end");
  }
  for (const [a, b] of sub.edges) lines.push(`  ${id(a)} --> ${id(b)}`);
  return lines.join("\n");
}
