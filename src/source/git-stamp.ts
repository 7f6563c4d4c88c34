// What git's answers about a working tree are made of, besides the tree's own files: the repository's
// HEAD, the branch it names, the packed refs, the index, the repository's config and exclude file, and
// the user's and the system's config and ignore file. Their stats, digested, are a stamp: while it and the
// tree's survey are unchanged, git would say what it said before (the commit, the branch, the origin,
// dirtiness, and each path's status), so a kept plan can be reused without starting git — which costs
// more than anything else a reused plan does. Where git's state is elsewhere (a `.git` file, as in a
// worktree or a submodule) or the environment moves git's repository or index, there is no stamp: git is
// asked. Git's other variables (`GIT_CONFIG_GLOBAL`, `GIT_SSL_CAINFO`, …) are part of the stamp.
import { lstatSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { sha256Hex } from "../digest.js";
import { statsText } from "./stat-key.js";

/** Variables that put the repository, its index or its work tree somewhere else than the files stamped. */
const RELOCATING = ["GIT_DIR", "GIT_WORK_TREE", "GIT_COMMON_DIR", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_NAMESPACE", "GIT_CEILING_DIRECTORIES"];

export interface GitStamp {
  digest: string;
  /** What the digest is of: equal texts, equal stamps. */
  text: string;
  /** The newest mtime or ctime among the files stamped, ns: a stamp is trusted only when older than the survey's clock. */
  newestNs: bigint;
}

/** The stamp of the repository that holds `root`, or undefined when git must be asked. */
export function gitStamp(root: string, env: NodeJS.ProcessEnv = process.env): GitStamp | undefined {
  const stamp = gitStampText(root, env);
  if (stamp === undefined) return undefined;
  return { ...stamp, digest: sha256Hex(stamp.text) };
}

/** The stamp's text, without its digest. */
export function gitStampText(root: string, env: NodeJS.ProcessEnv = process.env): Omit<GitStamp, "digest"> | undefined {
  if (RELOCATING.some((name) => env[name] !== undefined)) return undefined;
  const gitDir = repositoryFolder(root);
  if (gitDir === undefined) return undefined;
  let head: string;
  try {
    head = readFileSync(path.join(gitDir, "HEAD"), "utf8");
  } catch {
    return undefined;
  }
  const branchRef = /^ref: (refs\/[^\n]+)\n?$/.exec(head)?.[1];
  const config = env["XDG_CONFIG_HOME"] || path.join(homedir(), ".config");
  const files = [
    path.join(gitDir, "HEAD"),
    path.join(gitDir, "index"),
    path.join(gitDir, "config"),
    path.join(gitDir, "packed-refs"),
    path.join(gitDir, "info", "exclude"),
    ...(branchRef ? [path.join(gitDir, ...branchRef.split("/"))] : []),
    path.join(homedir(), ".gitconfig"),
    path.join(config, "git", "config"),
    path.join(config, "git", "ignore"),
    "/etc/gitconfig",
    ...["GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM"].flatMap((name) => (env[name] ? [path.resolve(root, env[name])] : [])),
  ];
  const gitEnv = Object.entries(env).filter(([name]) => name.startsWith("GIT_")).sort(([a], [b]) => (a < b ? -1 : 1));
  const stats = statsText(files);
  return { text: JSON.stringify([root, head, gitEnv]) + stats.text, newestNs: stats.newestNs };
}

/** The `.git` folder of the repository `root` is in: the nearest `.git` up from it, when it is a folder. */
function repositoryFolder(root: string): string | undefined {
  for (let folder = root; ; folder = path.dirname(folder)) {
    const st = lstatSync(path.join(folder, ".git"), { throwIfNoEntry: false });
    if (st !== undefined) return st.isDirectory() ? path.join(folder, ".git") : undefined;
    if (path.dirname(folder) === folder) return undefined;
  }
}
