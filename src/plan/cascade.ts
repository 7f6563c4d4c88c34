// Cascades of a plan: a new version of a dependency re-versions what uses it, and those what uses them.
// Grouped under their root (a change caused by nothing else in the plan), from the changes' `caused_by`.
// Pure.
import type { Change } from "./types.js";

export interface Cascade {
  address: string;
  /** For a root: what changed in it, as artifact file names or top-level fields (`conda.yml`, `image`). */
  what: string[];
  children: Cascade[];
}

/** What a root change changed: the files of changed artifacts by name, else the changed fields. */
function changedParts(change: Change): string[] {
  const parts = new Set<string>();
  for (const op of change.patch) {
    const field = op.path.split("/")[2];
    if (op.path.startsWith("/dependencies") || field === undefined) continue;
    const artifact = change.record?.artifacts.find((a) => a.pointer === op.path.slice("/spec".length));
    parts.add(artifact ? (artifact.source.split("/").at(-1) ?? artifact.source) : field);
  }
  return [...parts];
}

export function cascades(changes: readonly Change[]): Cascade[] {
  const byAddress = new Map(changes.map((c) => [c.address, c]));
  const children = new Map<string, string[]>();
  for (const change of changes) {
    for (const cause of change.caused_by ?? []) {
      const list = children.get(cause);
      if (list) list.push(change.address);
      else children.set(cause, [change.address]);
    }
  }
  const grow = (address: string, seen: ReadonlySet<string>): Cascade => ({
    address,
    what: [],
    children: (children.get(address) ?? [])
      .filter((child) => !seen.has(child))
      .sort()
      .map((child) => grow(child, new Set([...seen, child]))),
  });
  return changes
    .filter((c) => children.has(c.address) && !(c.caused_by ?? []).some((cause) => byAddress.has(cause)))
    .map((root) => ({ ...grow(root.address, new Set([root.address])), what: changedParts(root) }));
}

/** `root (what) ⇒ a ⇒ b` for a chain; a chain that branches is drawn as an indented tree. */
export function cascadeLines(cascade: Cascade): string[] {
  const label = `${cascade.address}${cascade.what.length > 0 ? ` (${cascade.what.join(", ")})` : ""}`;
  const chain = [label];
  let at = cascade;
  while (at.children.length === 1) {
    at = at.children[0] as Cascade;
    chain.push(at.address);
  }
  if (at.children.length === 0) return [chain.join(" ⇒ ")];
  const lines = [chain.join(" ⇒ ")];
  const tree = (node: Cascade, depth: number): void => {
    for (const child of node.children) {
      lines.push(`${"  ".repeat(depth)}⇒ ${child.address}`);
      tree(child, depth + 1);
    }
  };
  tree(at, 1);
  return lines;
}
