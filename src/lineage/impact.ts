// What would re-version if a file or an asset changed, read from the manifests alone (no hashing, no
// registry): the manifests that name the file, then every manifest that follows them by `@latest` or by a
// local component file, transitively. A pinned reference (`azureml:env:3`) does not follow: its
// dependent keeps the version it names.
import path from "node:path";
import type { Manifest } from "../manifest/types.js";
import { assetKindOf } from "../manifest/types.js";
import { specFields } from "../source/spec-fields.js";

export interface ImpactNode {
  /** `KIND:NAME` of a named asset, or the manifest file of an anonymous component or a pipeline job. */
  id: string;
  file: string;
  line: number;
  /** Why it is affected: the file or asset it names, or the node it follows. */
  because: string;
  /** Hops from what changed: 0 for the manifests that name it directly. */
  depth: number;
  /** Pipeline jobs are runs: affected, but never versioned. */
  job: boolean;
  /** The manifest pins its version: new content there is a conflict until the version is raised. */
  pinned: boolean;
}

interface ManifestNode {
  id: string;
  manifest: Manifest;
  /** Repository-relative POSIX paths the manifest names, its own file included. */
  files: string[];
  /** Ids this manifest follows unpinned: a change there re-versions it. */
  follows: string[];
}

function idOf(manifest: Manifest): string {
  const kind = assetKindOf(manifest.kind);
  return kind && manifest.name && !manifest.anonymous ? `${kind}:${manifest.name}` : manifest.file;
}

function repoPath(from: string, local: string): string {
  return path.posix.normalize(path.posix.join(path.posix.dirname(from), local));
}

function nodesOf(manifests: readonly Manifest[]): Map<string, ManifestNode> {
  const nodes = new Map<string, ManifestNode>();
  for (const manifest of manifests) {
    const fields = specFields(manifest.kind, manifest.spec);
    const follows = [
      ...fields.references.filter((r) => r.version === "latest").map((r) => `${r.kind}:${r.name}`),
      ...fields.componentFiles.map((c) => repoPath(manifest.file, c.local)),
    ];
    nodes.set(idOf(manifest), {
      id: idOf(manifest),
      manifest,
      files: [manifest.file, ...fields.paths.map((p) => repoPath(manifest.file, p.local))],
      follows,
    });
  }
  return nodes;
}

/** A named file is under an artifact folder, or a named folder holds an artifact, or they are the same. */
function overlaps(changed: string, named: string): boolean {
  if (changed === "." || changed === "") return true;
  return changed === named || changed.startsWith(`${named}/`) || named.startsWith(`${changed}/`);
}

/** The manifests indexed for impact queries: made once, asked many times (the resident query server keeps one). */
export interface ImpactIndex {
  nodes: ReadonlyMap<string, ManifestNode>;
  /** id → the nodes that follow it. */
  followers: ReadonlyMap<string, ManifestNode[]>;
}

export function impactIndex(manifests: readonly Manifest[]): ImpactIndex {
  const nodes = nodesOf(manifests);
  const followers = new Map<string, ManifestNode[]>();
  for (const node of nodes.values()) {
    for (const id of node.follows) {
      const list = followers.get(id);
      if (list) list.push(node);
      else followers.set(id, [node]);
    }
  }
  return { nodes, followers };
}

/**
 * The manifests a change to `target` re-versions. `target` is a repository-relative path (file or folder)
 * or a `KIND:NAME` address; the result is sorted by depth, then id.
 */
export function impactOf(manifests: readonly Manifest[], target: { path: string } | { asset: string }): ImpactNode[] {
  return impactIn(impactIndex(manifests), target);
}

/** impactOf, on an index made before. */
export function impactIn(index: ImpactIndex, target: { path: string } | { asset: string }): ImpactNode[] {
  const { nodes, followers } = index;
  const found = new Map<string, ImpactNode>();
  const add = (node: ManifestNode, because: string, depth: number): void => {
    if (found.has(node.id)) return;
    const position = node.manifest.locate([]);
    found.set(node.id, {
      id: node.id,
      file: node.manifest.file,
      line: position.line,
      because,
      depth,
      job: node.manifest.kind === "pipeline_job",
      pinned: node.manifest.version !== undefined,
    });
  };
  if ("path" in target) {
    const changed = path.posix.normalize(target.path).replace(/\/$/, "");
    for (const node of nodes.values()) {
      const named = node.files.find((f) => overlaps(changed, f));
      if (named !== undefined) add(node, named, 0);
    }
  } else {
    const node = nodes.get(target.asset);
    if (node) add(node, target.asset, 0);
  }
  // Breadth first, so each node is reached by its shortest chain.
  let frontier = [...found.values()];
  while (frontier.length > 0) {
    const next: ImpactNode[] = [];
    for (const hit of frontier) {
      for (const follower of followers.get(hit.id) ?? []) {
        if (found.has(follower.id)) continue;
        add(follower, hit.id, hit.depth + 1);
        next.push(found.get(follower.id) as ImpactNode);
      }
    }
    frontier = next;
  }
  return [...found.values()].sort((a, b) => a.depth - b.depth || a.id.localeCompare(b.id));
}
