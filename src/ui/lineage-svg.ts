// The dependency graph around a version, laid out in layers on the server (dagre) and drawn as SVG whose
// nodes link to their versions' pages. The browser needs no graph library and no script to show it.
import dagre, { type Point } from "@dagrejs/dagre";
import { html } from "hono/html";
import type { DependencyGraph } from "../registry/query.js";

type Html = ReturnType<typeof html>;

const CHAR_WIDTH = 7.3;
const NODE_HEIGHT = 30;

export interface LineageDrawing {
  svg: Html;
  width: number;
  height: number;
}

/**
 * `link(address)` gives a node's page (undefined for a dependency the registry does not hold);
 * `focus` is drawn highlighted. Edges point from a version to what it depends on.
 */
export function drawLineage(graph: DependencyGraph, focus: string, link: (address: string) => string | undefined): LineageDrawing {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 14, ranksep: 46, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) g.setNode(node, { width: Math.ceil(node.length * CHAR_WIDTH) + 20, height: NODE_HEIGHT });
  for (const [from, to] of graph.edges) g.setEdge(from, to);
  dagre.layout(g);
  const { width = 0, height = 0 } = g.graph();
  const nodes = graph.nodes.map((address) => {
    const n = g.node(address);
    const x = n.x - n.width / 2;
    const y = n.y - n.height / 2;
    const href = link(address);
    const cls = `node${address === focus ? " focus" : ""}${href === undefined ? " missing" : ""}`;
    const box = html`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${n.width}" height="${n.height}" rx="6"></rect><text x="${(x + 10).toFixed(1)}" y="${(n.y + 4).toFixed(1)}">${address}</text>`;
    return href === undefined
      ? html`<g class="${cls}"><title>${address} (not in the registry)</title>${box}</g>`
      : html`<a href="${href}" class="${cls}" aria-label="${address}"><title>${address}</title>${box}</a>`;
  });
  const edges = g.edges().map((e: { v: string; w: string }) => {
    const points: Point[] = (g.edge(e) as { points?: Point[] }).points ?? [];
    const d = points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(" ");
    return html`<path class="edge" d="${d}" marker-end="url(#arrow)"></path>`;
  });
  const svg = html`<svg class="graph" role="img" aria-labelledby="lineage-title" xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}"><title id="lineage-title">Dependency graph around ${focus}: ${graph.nodes.length} versions, ${graph.edges.length} links</title><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrow" d="M0,0 L10,5 L0,10 z"></path></marker></defs>${edges}${nodes}</svg>`;
  return { svg, width, height };
}
