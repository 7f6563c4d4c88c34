// The layers point one way (docs/architecture.md): read over the TypeScript imports of src/, no module
// takes part in an import cycle, and no lower layer imports a higher one. The few known exceptions are
// listed with why; strike one from the list once it is fixed.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const SRC = path.resolve(import.meta.dirname, "../src");

/** Lowest first. A module may import its own layer and those below it. */
const LAYERS: [name: string, owns: (file: string) => boolean][] = [
  ["foundation", (f) => ["digest.ts", "diagnostics.ts", "domain.ts", "version.ts", "progress.ts", "atomic-write.ts", "code-fingerprint.ts", "redact.ts", "concurrency.ts", "native-addon.ts"].includes(f)],
  ["registry", (f) => f.startsWith("registry/")],
  ["source", (f) => f.startsWith("source/") || f === "stats-memo.ts" || f === "tree-memo.ts"],
  ["manifest", (f) => f.startsWith("manifest/")],
  ["plan", (f) => f.startsWith("plan/") || f.startsWith("lineage/") || f.startsWith("gc/")],
  ["apply", (f) => f.startsWith("apply/") || f.startsWith("watch/")],
  ["pipeline", (f) => ["reconcile.ts", "plan-desired.ts", "plan-memo.ts", "validate-memo.ts", "apply-workflow.ts"].includes(f)],
  ["interface", (f) => f.startsWith("cli/") || f.startsWith("ui/") || f === "index.ts"],
];

/** Known imports against the layers, `from -> to` (files relative to src/), each with why it is still there. */
const KNOWN: Record<string, string> = {
  "registry/types.ts -> manifest/types.ts": "AssetKind is still defined with the manifests, not in domain.ts",
  "registry/validate.ts -> manifest/types.ts": "ASSET_KINDS is still defined with the manifests",
  "registry/sample-records.ts -> manifest/types.ts": "AssetKind is still defined with the manifests",
  "source/types.ts -> manifest/types.ts": "AssetKind is still defined with the manifests",
  "source/desired.ts -> manifest/types.ts": "the desired-state builder still lives in source/",
  "source/spec-fields.ts -> manifest/types.ts": "AssetKind and ManifestKind are still defined with the manifests",
  "source/spec-sites.ts -> manifest/types.ts": "AssetKind and ManifestKind are still defined with the manifests",
  "registry/drivers/azureml/assets.ts -> manifest/types.ts": "AssetKind is still defined with the manifests",
  "registry/query.ts -> manifest/types.ts": "AssetKind is still defined with the manifests",
  "registry/query.ts -> plan/address.ts": "the address grammar still lives with the planner",
  "registry/query.ts -> plan/patch.ts": "the version patch still lives with the planner",
  "registry/query.ts -> plan/plan.ts": "compareVersions still lives with the planner",
  "source/desired.ts -> manifest/schema/common.ts": "the tag text rule is defined with the schemas; the desired-state builder still lives in source/",
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return name.endsWith(".ts") && !name.includes(".test") ? [file] : [];
  });
}

/** Every relative import and re-export of every module of src/ (type-only ones too), as src/-relative paths. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, "utf8");
    const targets = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+"(\.{1,2}\/[^"]+)"/gm), ...text.matchAll(/\bimport\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g)]
      .map((m) => path.relative(SRC, path.resolve(path.dirname(file), m[1] as string)).replace(/\.js$/, ".ts"));
    graph.set(path.relative(SRC, file), [...new Set(targets)]);
  }
  return graph;
}

function layerOf(file: string): number {
  const layer = LAYERS.findIndex(([, owns]) => owns(file));
  if (layer < 0) throw new Error(`src/${file} belongs to no layer: add it to LAYERS in test/architecture.test.ts (and to docs/architecture.md)`);
  return layer;
}

/** The modules in import cycles, one group per cycle (Tarjan's strongly connected components). */
function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop();
        if (w !== undefined) group.push(w);
      } while (w !== undefined && w !== v);
      if (group.length > 1) found.push(group.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

describe("the layers of src/", () => {
  const graph = importGraph();

  it("reads the imports of every module", () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get("cli/commands/apply.ts")).toContain("apply-workflow.ts");
  });

  it("have no import cycle", () => {
    expect(cycles(graph)).toEqual([]);
  });

  it("point one way: no lower layer imports a higher one, beyond the known exceptions", () => {
    const against: string[] = [];
    for (const [from, targets] of graph) {
      for (const to of targets) if (graph.has(to) && layerOf(to) > layerOf(from)) against.push(`${from} -> ${to}`);
    }
    expect(against.filter((edge) => !(edge in KNOWN)).sort()).toEqual([]);
  });

  it("find a cycle and an upward import when there is one", () => {
    const planted = new Map([...graph, ["digest.ts", ["cli/main.ts"]], ["cli/main.ts", ["digest.ts"]]]);
    expect(cycles(planted)).toContainEqual(["cli/main.ts", "digest.ts"]);
    expect(layerOf("cli/main.ts")).toBeGreaterThan(layerOf("digest.ts"));
  });
});
