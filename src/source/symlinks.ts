// Following symlinks inside the repository, the same way through the working tree and a git commit (where
// a link is a blob holding its target): in the last component and in any parent, never out of the
// repository, never round in circles.
import path from "node:path";
import { ArtifactError } from "./artifact-error.js";
import { resolveInTree, type SourceTree, type TreeEntry } from "./tree.js";

/** Symlink hops followed before giving up, as the kernel does (ELOOP). */
const MAX_SYMLINK_HOPS = 40;

export interface Resolved {
  /** Real repository-relative path: no symlink left in it. */
  path: string;
  entry: TreeEntry;
}

/**
 * Where `relPath` really is. Errors (`ArtifactError`) name `subject`, the artifact being read. Apply uses
 * this to find the bytes of an artifact's file in a git ref, where the OS cannot follow links for it.
 */
export async function resolveReal(tree: SourceTree, relPath: string, subject: string = relPath): Promise<Resolved> {
  return resolve(tree, relPath, subject, 0);
}

async function resolve(tree: SourceTree, relPath: string, subject: string, hops: number): Promise<Resolved> {
  if (hops > MAX_SYMLINK_HOPS) {
    throw new ArtifactError("artifact-symlink-loop", subject, `${relPath}: too many levels of symbolic links`);
  }
  const entry = await tree.stat(relPath);
  if (entry && entry.type !== "symlink") return { path: relPath, entry };
  if (entry) return resolve(tree, await linkTarget(tree, relPath, subject), subject, hops + 1);
  // Not found as written: a parent may be a symlink (a git tree lists links, not what they point to).
  const parts = relPath.split("/");
  let real = "";
  for (const [i, part] of parts.entries()) {
    const next = real === "" ? part : `${real}/${part}`;
    const found = await tree.stat(next);
    if (!found) break;
    if (found.type === "symlink") {
      const rest = parts.slice(i + 1).join("/");
      const linked = await resolve(tree, next, subject, hops + 1);
      return resolve(tree, rest === "" ? linked.path : `${linked.path}/${rest}`, subject, hops + 1);
    }
    real = next;
  }
  throw new ArtifactError("artifact-missing", subject, `${relPath} does not exist`);
}

async function linkTarget(tree: SourceTree, linkPath: string, subject: string): Promise<string> {
  let target: string;
  try {
    target = await tree.readLink(linkPath);
  } catch (error) {
    throw new ArtifactError("artifact-unreadable", subject, `symlink ${linkPath} cannot be read: ${(error as Error).message}`);
  }
  let resolved: string | undefined;
  if (path.isAbsolute(target)) {
    const relative = path.relative(tree.root, target);
    resolved = relative.startsWith("..") || path.isAbsolute(relative) ? undefined : relative.split(path.sep).join("/");
  } else {
    resolved = resolveInTree(path.posix.dirname(linkPath), target);
  }
  if (resolved === undefined) {
    throw new ArtifactError("artifact-escapes-repo", subject, `symlink ${linkPath} points outside the repository (${target})`);
  }
  return resolved;
}
