// Where the bytes of an artifact's files come from when apply stores them: the file on disk for the
// working tree (so drivers can clone it), the blob's content for a git ref.
import path from "node:path";
import type { ObjectSource } from "../registry/driver.js";
import type { Artifact, ArtifactFile } from "../registry/types.js";
import { resolveReal } from "../source/symlinks.js";
import { WorkTree, type SourceTree } from "../source/tree.js";

export function artifactFilePath(artifact: Artifact, file: ArtifactFile): string {
  return artifact.type === "file" ? artifact.source : `${artifact.source}/${file.path}`;
}

export async function objectSource(tree: SourceTree, relPath: string, size: number): Promise<ObjectSource> {
  // The OS follows symlinks on disk; a git tree lists links as blobs, so they are followed here.
  if (tree instanceof WorkTree) return { kind: "file", path: path.join(tree.root, ...relPath.split("/")), size };
  const real = await resolveReal(tree, relPath);
  return { kind: "bytes", data: await tree.readFile(real.path) };
}
