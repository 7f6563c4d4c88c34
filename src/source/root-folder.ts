// Where a run's repository root is, when that needs no git: read by every command (cli/context.ts) and
// by the answer replayed before the CLI loads (cli/answer.ts), so both find the same root.
import { lstatSync, type Stats } from "node:fs";
import path from "node:path";

/** Where assetctl keeps its own state (the embedded registry, caches): never manifests, never asset content. */
export const STATE_DIR = ".assetctl";

/** The folder of a root's caches (memo files, the filesystem clock's probe), under its state folder. */
export function cacheFolder(root: string): string {
  return path.join(root, STATE_DIR, "cache");
}

/** Variables that make git look for the repository somewhere else than the folders above. */
const GIT_LOCATING = ["GIT_DIR", "GIT_WORK_TREE", "GIT_CEILING_DIRECTORIES"];

/**
 * The nearest folder from `from` up that holds assetctl.yaml, if no `.git` comes first; else the first
 * folder with a `.git` folder this user owns that has a HEAD (what `git rev-parse --show-toplevel` names
 * there). Undefined when git must be asked: a `.git` file (a worktree, a submodule), one of another
 * user's (git may refuse it), no `.git` at all, or an environment that points git elsewhere.
 */
export function rootWithoutGit(from: string, env: NodeJS.ProcessEnv): string | undefined {
  if (GIT_LOCATING.some((name) => env[name] !== undefined)) return undefined;
  for (let folder = from; ; folder = path.dirname(folder)) {
    if (look(path.join(folder, "assetctl.yaml"))?.isFile()) return folder;
    const dotGit = look(path.join(folder, ".git"));
    if (dotGit !== undefined) {
      const owned = dotGit.isDirectory() && (process.getuid === undefined || dotGit.uid === process.getuid());
      return owned && look(path.join(folder, ".git", "HEAD"))?.isFile() ? folder : undefined;
    }
    if (path.dirname(folder) === folder) return undefined;
  }
}

/** lstat, undefined where nothing can be seen (absent, or a folder this user cannot search). */
function look(file: string): Stats | undefined {
  try {
    return lstatSync(file, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}
