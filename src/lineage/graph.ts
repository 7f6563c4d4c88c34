// The lineage of stored versions: who depends on whom, walked up (dependencies) or down (dependents),
// one path between two versions, and the graph with edges implied by longer paths dropped. Pure: it reads
// the versions it is given and touches nothing.
import { addressOf, type StoredVersion } from "../registry/types.js";

export type Direction = "up" | "down" | "both";

export interface LineageNode {
  address: string;
  kind: string;
  /** Undefined for a dependency the registry does not hold (an external or pruned address). */
  version: StoredVersion | undefined;
}

export interface LineageGraph {
  nodes: ReadonlyMap<string, LineageNode>;
  /** address → the addresses it depends on. */
  dependencies: ReadonlyMap<string, readonly string[]>;
  /** address → the addresses that depend on it. */
  dependents: ReadonlyMap<string, readonly string[]>;
}

export interface Subgraph {
  nodes: string[];
  /** [dependent, dependency] pairs, sorted. */
  edges: [string, string][];
}

export function lineageGraph(versions: readonly StoredVersion[]): LineageGraph {
  const nodes = new Map<string, LineageNode>();
  const dependencies = new Map<string, string[]>();
  const dependents = new Map<string, string[]>();
  const node = (address: string, version: StoredVersion | undefined): void => {
    const known = nodes.get(address);
    if (!known || (!known.version && version)) nodes.set(address, { address, kind: address.slice(0, address.indexOf(":")), version });
  };
  for (const v of versions) {
    const address = addressOf(v.record);
    node(address, v);
    const deps = [...new Set(v.record.dependencies)];
    dependencies.set(address, deps);
    for (const dep of deps) {
      node(dep, undefined);
      const into = dependents.get(dep);
      if (into) into.push(address);
      else dependents.set(dep, [address]);
    }
  }
  return { nodes, dependencies, dependents };
}

function neighbours(graph: LineageGraph, address: string, direction: "up" | "down"): readonly string[] {
  return (direction === "up" ? graph.dependencies : graph.dependents).get(address) ?? [];
}

/**
 * Every address reachable from `starts` within `depth` hops (Infinity: all), breadth first, with the start
 * addresses at distance 0.
 */
export function reachable(graph: LineageGraph, starts: readonly string[], direction: "up" | "down", depth = Infinity): Map<string, number> {
  const distance = new Map<string, number>(starts.map((s) => [s, 0]));
  let frontier = [...starts];
  for (let hop = 1; hop <= depth && frontier.length > 0; hop++) {
    const next: string[] = [];
    for (const address of frontier) {
      for (const n of neighbours(graph, address, direction)) {
        if (distance.has(n)) continue;
        distance.set(n, hop);
        next.push(n);
      }
    }
    frontier = next;
  }
  return distance;
}

/** The versions around `starts`: dependencies (`up`), dependents (`down`) or both, to `depth` hops. */
export function around(graph: LineageGraph, starts: readonly string[], direction: Direction, depth = Infinity): Subgraph {
  const keep = new Set<string>();
  for (const d of direction === "both" ? (["up", "down"] as const) : [direction]) {
    for (const address of reachable(graph, starts, d, depth).keys()) keep.add(address);
  }
  return induced(graph, keep);
}

/** The nodes `keep` with every edge between two of them. */
export function induced(graph: LineageGraph, keep: ReadonlySet<string>): Subgraph {
  const edges: [string, string][] = [];
  for (const from of keep) {
    for (const to of graph.dependencies.get(from) ?? []) if (keep.has(to)) edges.push([from, to]);
  }
  return { nodes: [...keep].sort(), edges: edges.sort(compareEdges) };
}

function compareEdges(a: readonly [string, string], b: readonly [string, string]): number {
  return a[0].localeCompare(b[0]) || a[1].localeCompare(b[1]);
}

/**
 * Drops every edge `a → c` for which a longer path `a → … → c` exists, as a reader of a lineage picture
 * expects (Bazel's and dbt's graphs show the same). Versions form a DAG: a version names only versions
 * that existed before it.
 */
export function withoutImpliedEdges(sub: Subgraph): Subgraph {
  const out = new Map<string, string[]>();
  for (const [from, to] of sub.edges) {
    const list = out.get(from);
    if (list) list.push(to);
    else out.set(from, [to]);
  }
  const reach = new Map<string, ReadonlySet<string>>();
  // Everything reachable from `address` in one or more hops, memoised: each node is walked once.
  const reachFrom = (address: string, visiting: Set<string>): ReadonlySet<string> => {
    const known = reach.get(address);
    if (known) return known;
    if (visiting.has(address)) return new Set();
    visiting.add(address);
    const all = new Set<string>();
    for (const next of out.get(address) ?? []) {
      all.add(next);
      for (const further of reachFrom(next, visiting)) all.add(further);
    }
    visiting.delete(address);
    reach.set(address, all);
    return all;
  };
  const edges = sub.edges.filter(([from, to]) => !(out.get(from) ?? []).some((mid) => mid !== to && reachFrom(mid, new Set()).has(to)));
  return { nodes: sub.nodes, edges };
}

/** One shortest dependency path from `from` to `to` (`from` depends on … on `to`), or undefined. */
export function somePath(graph: LineageGraph, from: string, to: string): string[] | undefined {
  const previous = new Map<string, string | undefined>([[from, undefined]]);
  let frontier = [from];
  while (frontier.length > 0 && !previous.has(to)) {
    const next: string[] = [];
    for (const address of frontier) {
      for (const n of neighbours(graph, address, "up")) {
        if (previous.has(n)) continue;
        previous.set(n, address);
        next.push(n);
      }
    }
    frontier = next;
  }
  if (!previous.has(to)) return undefined;
  const path: string[] = [];
  for (let at: string | undefined = to; at !== undefined; at = previous.get(at)) path.unshift(at);
  return path;
}
