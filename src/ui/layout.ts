// A layered (Sugiyama-style) layout for the lineage picture, left to right: layers by longest path, order
// within a layer by a few barycentre sweeps, coordinates packed per layer. Linear in the graph per sweep,
// so 500 versions lay out in milliseconds (dagre took seconds for the same graph; see docs/ui.md).

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
}

export interface PlacedNode extends LayoutNode {
  /** Top-left corner. */
  x: number;
  y: number;
  layer: number;
}

export interface Layout {
  nodes: Map<string, PlacedNode>;
  /** One path per edge, `d` attribute text of an SVG path from the source's right to the target's left. */
  edges: { from: string; to: string; d: string }[];
  width: number;
  height: number;
}

export interface LayoutOptions {
  nodeGap?: number;
  layerGap?: number;
  margin?: number;
  sweeps?: number;
}

export function layeredLayout(nodes: readonly LayoutNode[], edges: readonly (readonly [string, string])[], options: LayoutOptions = {}): Layout {
  const { nodeGap = 14, layerGap = 56, margin = 12, sweeps = 4 } = options;
  const ids = new Set(nodes.map((n) => n.id));
  const out = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  const into = new Map<string, string[]>(nodes.map((n) => [n.id, []]));
  const kept = edges.filter(([a, b]) => a !== b && ids.has(a) && ids.has(b));
  for (const [a, b] of kept) {
    out.get(a)?.push(b);
    into.get(b)?.push(a);
  }
  // Longest-path layers in topological order (Kahn); a node on a cycle (none in a registry) stays in layer 0.
  const layerOf = new Map<string, number>(nodes.map((n) => [n.id, 0]));
  const waiting = new Map(nodes.map((n) => [n.id, into.get(n.id)?.length ?? 0]));
  const ready = nodes.filter((n) => waiting.get(n.id) === 0).map((n) => n.id);
  while (ready.length > 0) {
    const id = ready.pop() as string;
    for (const next of out.get(id) ?? []) {
      layerOf.set(next, Math.max(layerOf.get(next) ?? 0, (layerOf.get(id) ?? 0) + 1));
      const left = (waiting.get(next) ?? 1) - 1;
      waiting.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  const layers: string[][] = [];
  for (const n of [...nodes].sort((a, b) => (a.id < b.id ? -1 : 1))) (layers[layerOf.get(n.id) ?? 0] ??= []).push(n.id);
  const filled = layers.map((l) => l ?? []);

  // Barycentre sweeps: each node moves towards the mean position of its neighbours in the layer before.
  const position = new Map<string, number>();
  const index = (layer: string[]): void => layer.forEach((id, i) => position.set(id, i));
  filled.forEach(index);
  const reorder = (layer: string[], neighbours: (id: string) => string[]): void => {
    const key = new Map(
      layer.map((id, i) => {
        const ns = neighbours(id);
        return [id, ns.length === 0 ? i : ns.reduce((sum, n) => sum + (position.get(n) ?? 0), 0) / ns.length] as const;
      }),
    );
    layer.sort((a, b) => (key.get(a) ?? 0) - (key.get(b) ?? 0));
    index(layer);
  };
  for (let s = 0; s < sweeps; s++) {
    for (let i = 1; i < filled.length; i++) reorder(filled[i] as string[], (id) => into.get(id) ?? []);
    for (let i = filled.length - 2; i >= 0; i--) reorder(filled[i] as string[], (id) => out.get(id) ?? []);
  }

  const byId = new Map(nodes.map((n) => [n.id, n]));
  const layerHeight = (layer: string[]): number => layer.reduce((h, id) => h + (byId.get(id)?.height ?? 0), 0) + nodeGap * Math.max(0, layer.length - 1);
  const tallest = Math.max(0, ...filled.map(layerHeight));
  const placed = new Map<string, PlacedNode>();
  let x = margin;
  for (const [i, layer] of filled.entries()) {
    const width = Math.max(0, ...layer.map((id) => byId.get(id)?.width ?? 0));
    let y = margin + (tallest - layerHeight(layer)) / 2;
    for (const id of layer) {
      const n = byId.get(id) as LayoutNode;
      placed.set(id, { ...n, x, y, layer: i });
      y += n.height + nodeGap;
    }
    x += width + layerGap;
  }
  const paths = kept.map(([from, to]) => {
    const a = placed.get(from) as PlacedNode;
    const b = placed.get(to) as PlacedNode;
    const x1 = a.x + a.width;
    const y1 = a.y + a.height / 2;
    const x2 = b.x;
    const y2 = b.y + b.height / 2;
    const bend = Math.max(20, (x2 - x1) / 2);
    return { from, to, d: `M${x1.toFixed(1)},${y1.toFixed(1)} C${(x1 + bend).toFixed(1)},${y1.toFixed(1)} ${(x2 - bend).toFixed(1)},${y2.toFixed(1)} ${x2.toFixed(1)},${y2.toFixed(1)}` };
  });
  return { nodes: placed, edges: paths, width: Math.max(0, x - layerGap + margin), height: tallest + 2 * margin };
}
