// Benchmark: the web UI's server time (app.request, in-process) for the assets page over 10,000 assets,
// and for the lineage page of a 500-version graph laid out as SVG. Baselines measured in the same run:
// reading the registry snapshot alone, and building the graph without laying it out.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { formatMs, median, printTable, time } from "./measure.mjs";

async function load(projectRoot, file) {
  return import(pathToFileURL(path.join(projectRoot, "dist", file)).href);
}

export async function benchUi(projectRoot, count = 10_000, lineageNodes = 500) {
  const { createUiApp } = await load(projectRoot, "ui/app.js");
  const { CommitLog, RegistryAccess } = await load(projectRoot, "ui/model.js");
  const { LivePlan } = await load(projectRoot, "ui/live.js");
  const { MemoryDriver } = await load(projectRoot, "registry/drivers/memory.js");
  const { FsDriver } = await load(projectRoot, "registry/drivers/fs.js");
  const { sampleRecord } = await load(projectRoot, "registry/sample-records.js");
  const { dependencyGraph } = await load(projectRoot, "registry/query.js");

  const appOver = (driver) => {
    const registry = new RegistryAccess(projectRoot, undefined, {}, driver);
    return createUiApp({ root: projectRoot, registry, live: new LivePlan(projectRoot, registry), commits: new CommitLog(projectRoot) });
  };
  const request = async (app, url) => {
    const res = await app.request(url);
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    return res.text();
  };
  const timed = async (fn, runs = 7) => {
    const first = await time(fn);
    const rest = [];
    for (let i = 0; i < runs; i++) rest.push((await time(fn)).ms);
    return { first: first.ms, median: median(rest) };
  };

  // 10,000 assets, a fifth of them with a second version.
  // On the embedded registry, as most people run it: its state token lets the UI keep the snapshot.
  const work = mkdtempSync(path.join(os.tmpdir(), "assetctl-bench-ui-"));
  const assets = new FsDriver({ path: path.join(work, "registry"), url: "registry" });
  await assets.open({ create: true });
  const kinds = ["model", "data", "environment", "component"];
  for (let i = 0; i < count; i++) {
    const kind = kinds[i % kinds.length];
    const name = `asset-${String(i).padStart(5, "0")}`;
    const created = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
    await assets.createVersion(sampleRecord({ kind, name, version: "1", spec: { name, version: "1", n: i }, created_at: created }));
    if (i % 5 === 0) await assets.createVersion(sampleRecord({ kind, name, version: "2", spec: { name, version: "2", n: i }, created_at: created.replace("2026", "2027") }));
  }
  const app = appOver(assets);
  const snapshot = await timed(() => assets.snapshot());
  const list = await timed(() => request(app, "/assets"));
  const search = await timed(() => request(app, "/assets?q=asset-09&sort=created&desc=1&page=3"));

  // A 500-version graph in six layers below one component: each version uses two or three of the next layer.
  const graphDriver = new MemoryDriver({ url: "memory:bench-ui-graph" });
  await graphDriver.open({ create: true });
  const layers = [1, 9, 40, 90, 160, lineageNodes - 300];
  const names = layers.map((size, layer) => Array.from({ length: size }, (_, i) => `l${layer}-${i}`));
  // Every version is used by one of the layer above, and most by a second one.
  const uses = new Map(names.flat().map((n) => [n, new Set()]));
  for (let layer = 1; layer < layers.length; layer++) {
    const above = names[layer - 1];
    for (const [j, name] of names[layer].entries()) {
      uses.get(above[j % above.length]).add(`component:${name}:1`);
      uses.get(above[(j * 7 + 1) % above.length]).add(`component:${name}:1`);
    }
  }
  for (const name of names.flat().reverse()) {
    await graphDriver.createVersion(sampleRecord({ kind: "component", name, version: "1", spec: { name, version: "1" }, dependencies: [...uses.get(name)].sort() }));
  }
  const graphSnapshot = await graphDriver.snapshot();
  const focus = graphSnapshot.versions.find((v) => v.record.name === "l0-0");
  const graph = dependencyGraph(graphSnapshot, [focus], { hops: 6, dependents: true });
  if (graph.nodes.length < lineageNodes) throw new Error(`the graph has ${graph.nodes.length} nodes, expected ${lineageNodes}`);
  const graphApp = appOver(graphDriver);
  const building = await timed(() => dependencyGraph(graphSnapshot, [focus], { hops: 6, dependents: true }));
  const lineage = await timed(() => request(graphApp, "/lineage/component/l0-0/1?hops=6"), 5);

  await assets.close();
  rmSync(work, { recursive: true, force: true });
  printTable(`Web UI server time (in-process app.request; median of later runs, first run in brackets)`, [
    {
      measure: `assets page, ${count.toLocaleString("en")} assets (first page of 50)`,
      value: `${formatMs(list.median)} (${formatMs(list.first)})`,
      baseline: `${formatMs(snapshot.median)} (snapshot alone)`,
      target: "≤ 150 ms",
      met: list.median <= 150,
    },
    {
      measure: "assets page, searched, sorted by time, page 3",
      value: `${formatMs(search.median)} (${formatMs(search.first)})`,
      baseline: `${formatMs(snapshot.median)} (snapshot alone)`,
      target: "≤ 150 ms",
      met: search.median <= 150,
    },
    {
      measure: `lineage page, ${graph.nodes.length} versions, ${graph.edges.length} links, SVG laid out`,
      value: `${formatMs(lineage.median)} (${formatMs(lineage.first)})`,
      baseline: `${formatMs(building.median)} (graph without layout)`,
      target: "≤ 300 ms",
      met: lineage.median <= 300,
    },
  ]);
}
