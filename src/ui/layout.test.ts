import { describe, expect, it } from "vitest";
import { layeredLayout } from "./layout.js";

const node = (id: string) => ({ id, width: 100, height: 30 });

describe("layeredLayout", () => {
  it("puts every version left of what it depends on, by the longest path", () => {
    const layout = layeredLayout([node("pipeline"), node("component"), node("environment"), node("data")], [
      ["pipeline", "component"],
      ["component", "environment"],
      ["pipeline", "environment"],
      ["pipeline", "data"],
    ]);
    const layer = (id: string) => layout.nodes.get(id)?.layer;
    expect([layer("pipeline"), layer("component"), layer("environment"), layer("data")]).toEqual([0, 1, 2, 1]);
    for (const e of layout.edges) expect((layout.nodes.get(e.from)?.x ?? 0) < (layout.nodes.get(e.to)?.x ?? 0)).toBe(true);
    expect(layout.edges).toHaveLength(4);
  });

  it("keeps nodes of one layer apart and inside the drawing", () => {
    const nodes = ["root", ...Array.from({ length: 20 }, (_, i) => `dep-${i}`)].map(node);
    const layout = layeredLayout(nodes, nodes.slice(1).map((n) => ["root", n.id] as const));
    const ys = [...layout.nodes.values()].filter((n) => n.layer === 1).map((n) => n.y).sort((a, b) => a - b);
    for (let i = 1; i < ys.length; i++) expect((ys[i] ?? 0) - (ys[i - 1] ?? 0)).toBeGreaterThanOrEqual(30);
    for (const n of layout.nodes.values()) {
      expect(n.x + n.width).toBeLessThanOrEqual(layout.width);
      expect(n.y + n.height).toBeLessThanOrEqual(layout.height);
    }
  });

  it("orders a layer to follow its neighbours, which removes crossings of parallel chains", () => {
    const ids = ["a1", "b1", "a2", "b2"];
    const layout = layeredLayout(ids.map(node), [
      ["b1", "a2"],
      ["a1", "b2"],
    ]);
    const y = (id: string) => layout.nodes.get(id)?.y ?? 0;
    expect(y("a1") < y("b1")).toBe(y("b2") < y("a2"));
  });

  it("ignores edges to unknown nodes and self-loops", () => {
    const layout = layeredLayout([node("a")], [["a", "a"], ["a", "zzz"]]);
    expect(layout.edges).toEqual([]);
    expect(layout.nodes.get("a")?.layer).toBe(0);
  });
});
