// Rule: no asset uses itself — through references between the repository's manifests (`azureml:x:1`,
// `azureml:x@latest`) or through local component files (a pipeline loading a file that loads it back).
// Azure ML would never finish resolving such a pipeline and apply could create none of them first; the
// planner refuses the same cycles, but validate needs no registry to see them.
import type { Diagnostic } from "../../diagnostics.js";
import { specFields, type KeyPath } from "../../source/spec-fields.js";
import { folderOf } from "../../source/spec-sites.js";
import { resolveInTree } from "../../source/tree.js";
import { assetKindOf, type Manifest } from "../types.js";
import { diagnose, keyPathText, type RuleContext } from "./rule.js";

interface Edge {
  to: Manifest;
  /** Where in the referring manifest the reference is written. */
  at: KeyPath;
}

export function checkCycles(ctx: RuleContext): Diagnostic[] {
  const byFile = new Map(ctx.manifests.map((m) => [m.file, m]));
  const byAsset = new Map<string, Manifest[]>();
  for (const m of ctx.manifests) {
    const kind = assetKindOf(m.kind);
    // Anonymous components are loaded by path, never by name: a name cannot reach them.
    if (kind === undefined || m.name === undefined || m.anonymous) continue;
    const key = `${kind}:${m.name}`;
    byAsset.set(key, [...(byAsset.get(key) ?? []), m]);
  }

  const edges = new Map<Manifest, Edge[]>();
  for (const m of ctx.manifests) {
    const out: Edge[] = [];
    const fields = specFields(m.kind, m.spec);
    for (const site of fields.componentFiles) {
      const file = resolveInTree(folderOf(m.file), site.local);
      const to = file === undefined ? undefined : byFile.get(file);
      if (to !== undefined) out.push({ to, at: site.at });
    }
    for (const ref of fields.references) {
      // As the planner orders assets: a reference depends on every definition of the name but its own,
      // and on itself only when it names its own version exactly.
      for (const to of byAsset.get(`${ref.kind}:${ref.name}`) ?? []) {
        if (to !== m || (m.version !== undefined && ref.version === m.version)) out.push({ to, at: ref.at });
      }
    }
    if (out.length > 0) edges.set(m, out);
  }

  const diagnostics: Diagnostic[] = [];
  for (const cycle of cyclesOf(ctx.manifests, edges)) {
    const [first] = cycle;
    if (first === undefined) continue;
    const chain = [...cycle.map((step) => step.from.file), first.from.file].join(" → ");
    diagnostics.push(
      diagnose(first.from, first.at, {
        code: "reference-cycle",
        severity: "error",
        message: `${keyPathText(first.at)}: the manifests ${chain} use each other in a cycle, so none of them can be created first`,
        hint: "Break the cycle: an asset can use another only if that one does not, through any chain, use it back.",
      }),
    );
  }
  return diagnostics;
}

interface Step {
  from: Manifest;
  at: KeyPath;
}

/**
 * One cycle per strongly connected component (Tarjan), starting at its first file in path order, as
 * the steps taken: each step's manifest and the reference it follows to the next.
 */
function cyclesOf(nodes: readonly Manifest[], edges: ReadonlyMap<Manifest, Edge[]>): Step[][] {
  const index = new Map<Manifest, number>();
  const low = new Map<Manifest, number>();
  const onStack = new Set<Manifest>();
  const stack: Manifest[] = [];
  const components: Manifest[][] = [];
  let counter = 0;
  // Iterative, so that a long chain of references cannot overflow the call stack.
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { node: Manifest; next: number }[] = [{ node: root, next: 0 }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1] as { node: Manifest; next: number };
      const out = edges.get(frame.node) ?? [];
      if (frame.next < out.length) {
        const { to } = out[frame.next++] as Edge;
        if (!index.has(to)) {
          index.set(to, counter);
          low.set(to, counter++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node) as number, index.get(to) as number));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node) as number, low.get(frame.node) as number));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: Manifest[] = [];
        let member: Manifest | undefined;
        do {
          member = stack.pop() as Manifest;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component);
      }
    }
  }

  const cycles: Step[][] = [];
  for (const component of components) {
    const members = new Set(component);
    const start = [...component].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))[0] as Manifest;
    const cycle = pathBack(start, members, edges);
    if (cycle !== undefined) cycles.push(cycle);
  }
  return cycles.sort((a, b) => ((a[0]?.from.file ?? "") < (b[0]?.from.file ?? "") ? -1 : 1));
}

/** The shortest walk from `start` back to itself inside one component (breadth first), or undefined. */
function pathBack(start: Manifest, members: ReadonlySet<Manifest>, edges: ReadonlyMap<Manifest, Edge[]>): Step[] | undefined {
  const cameFrom = new Map<Manifest, Step>();
  const queue: Manifest[] = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i] as Manifest;
    for (const edge of edges.get(node) ?? []) {
      if (!members.has(edge.to)) continue;
      const step: Step = { from: node, at: edge.at };
      if (edge.to === start) {
        const steps = [step];
        for (let back = cameFrom.get(node); back !== undefined; back = cameFrom.get(back.from)) steps.unshift(back);
        return steps;
      }
      if (cameFrom.has(edge.to)) continue;
      cameFrom.set(edge.to, step);
      queue.push(edge.to);
    }
  }
  return undefined;
}
