// The dependency graph around a version, laid out in layers on the server and drawn as SVG whose nodes
// link to their versions' pages. The browser needs no graph library and no script to show it.
import { html } from "hono/html";
import type { Subgraph } from "../lineage/graph.js";
import { layeredLayout, type PlacedNode } from "./layout.js";

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
export function drawLineage(graph: Subgraph, focus: string, link: (address: string) => string | undefined): LineageDrawing {
  const layout = layeredLayout(
    graph.nodes.map((id) => ({ id, width: Math.ceil(id.length * CHAR_WIDTH) + 20, height: NODE_HEIGHT })),
    graph.edges,
  );
  const { width, height } = layout;
  const nodes = graph.nodes.map((address) => {
    const n = layout.nodes.get(address) as PlacedNode;
    const { x, y } = n;
    const href = link(address);
    const cls = `node${address === focus ? " focus" : ""}${href === undefined ? " missing" : ""}`;
    const box = html`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${n.width}" height="${n.height}" rx="6"></rect><text x="${(x + 10).toFixed(1)}" y="${(y + n.height / 2 + 4).toFixed(1)}">${address}</text>`;
    return href === undefined
      ? html`<g class="${cls}"><title>${address} (not in the registry)</title>${box}</g>`
      : html`<a href="${href}" class="${cls}" aria-label="${address}"><title>${address}</title>${box}</a>`;
  });
  const edges = layout.edges.map((e) => html`<path class="edge" d="${e.d}" marker-end="url(#arrow)"></path>`);
  const svg = html`<svg class="graph" role="group" aria-labelledby="lineage-title" xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}"><title id="lineage-title">Dependency graph around ${focus}: ${graph.nodes.length} versions, ${graph.edges.length} links</title><defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path class="arrow" d="M0,0 L10,5 L0,10 z"></path></marker></defs>${edges}${nodes}</svg>`;
  return { svg, width, height };
}
