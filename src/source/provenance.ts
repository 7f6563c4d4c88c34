// Where the desired state came from, as git sees it: the commit, whether the working tree differs from
// it, the branch and origin (credentials stripped), and whether each artifact file is tracked, untracked
// or ignored. Recorded with every version apply writes.
import { spawn } from "node:child_process";
import { simpleGit, type SimpleGit } from "simple-git";
import { resolveCommit } from "./git-tree.js";
import type { SourceInfo } from "./types.js";

export type GitPathStatus = "tracked" | "untracked" | "ignored" | "unknown";

/** Above this many paths, one full `ls-files` beats naming every path on the command line. */
const PATHSPEC_LIMIT = 1000;

function gitAt(root: string): SimpleGit {
  return simpleGit({ baseDir: root, trimmed: false });
}

/** Runs git with `input` on stdin. Exit code 1 is an answer (check-ignore: nothing ignored), not a failure. */
function gitWithInput(cwd: string, args: readonly string[], input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd, stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0 || code === 1) resolve(Buffer.concat(out).toString("utf8"));
      else reject(new Error(`git ${args.join(" ")} failed (${code}): ${err.trim()}`));
    });
    child.stdin.on("error", () => undefined); // git may exit before reading all of stdin; "close" reports it
    child.stdin.end(input);
  });
}

function nulList(output: string): string[] {
  return output.split("\0").filter((p) => p !== "");
}

/** Literal pathspecs: file names with `*`, `?` or `[` must not be read as globs. */
function literal(paths: readonly string[]): string[] {
  return paths.map((p) => `:(literal)${p}`);
}

export async function isGitRepository(root: string): Promise<boolean> {
  try {
    return (await gitAt(root).raw(["rev-parse", "--is-inside-work-tree"])).trim() === "true";
  } catch {
    return false;
  }
}

/**
 * Drops the secret part of a remote URL: for http(s) the whole user-info (`https://user:token@host`, and a
 * bare token used as user name), for other schemes the password. scp-like `git@host:path` is kept: the
 * user there is a login name, not a secret.
 */
export function stripCredentials(url: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return url;
  try {
    const parsed = new URL(url);
    if (parsed.protocol === "http:" || parsed.protocol === "https:") parsed.username = "";
    parsed.password = "";
    return parsed.toString();
  } catch {
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/]*@/i, "$1");
  }
}

/**
 * The provenance of the working tree (no `ref`) or of a commit. Outside git, or before the first commit,
 * `commit` is null; `dirty` then still reports staged changes. `manifestFiles` that git does not track
 * make the tree dirty too: the commit alone would not reproduce the desired state.
 */
export async function readSourceInfo(
  root: string,
  ref?: string,
  options: { manifestFiles?: readonly string[] } = {},
): Promise<SourceInfo> {
  const none: SourceInfo = { commit: null, dirty: false, ref: ref ?? null, branch: null, remote: null };
  if (!(await isGitRepository(root))) {
    if (ref !== undefined) await resolveCommit(root, ref); // throws the user-facing error
    return none;
  }
  const git = gitAt(root);
  const remote = git
    .raw(["remote", "get-url", "origin"])
    .then((url) => (url.trim() === "" ? null : stripCredentials(url.trim())))
    .catch(() => null);

  if (ref !== undefined) {
    const commit = await resolveCommit(root, ref);
    // rev-parse echoes --end-of-options itself; the symbolic name is the last line.
    const out = await git.raw(["rev-parse", "--symbolic-full-name", "--end-of-options", ref]).catch(() => "");
    const full = out.trim().split("\n").pop() ?? "";
    const branch = full.startsWith("refs/heads/") ? full.slice("refs/heads/".length) : null;
    // A commit read from the object store is exactly what it says: never dirty.
    return { commit, dirty: false, ref, branch, remote: await remote };
  }

  const [commit, branch, changes, manifestStatus] = await Promise.all([
    git
      .raw(["rev-parse", "--verify", "--quiet", "HEAD"])
      .then((sha) => sha.trim() || null)
      .catch(() => null),
    git
      .raw(["branch", "--show-current"])
      .then((name) => name.trim() || null)
      .catch(() => null),
    // Tracked changes (staged or not) below the root; untracked files are judged separately below.
    // --no-optional-locks: reading provenance must never take `index.lock` from under the user's own git.
    git.raw(["--no-optional-locks", "status", "--porcelain=v1", "-z", "--untracked-files=no", "--", "."]),
    options.manifestFiles && options.manifestFiles.length > 0
      ? readPathStatus(root, options.manifestFiles)
      : Promise.resolve(new Map<string, GitPathStatus>()),
  ]);
  const untrackedManifest = [...manifestStatus.values()].some((s) => s === "untracked" || s === "ignored");
  return { commit, dirty: changes.length > 0 || untrackedManifest, ref: null, branch, remote: await remote };
}

/**
 * How git sees each repository-relative path (files, not folders): tracked, untracked, or ignored.
 * Three git calls whatever the number of paths; "unknown" for all outside a git repository.
 */
export async function readPathStatus(root: string, paths: readonly string[]): Promise<Map<string, GitPathStatus>> {
  const status = new Map<string, GitPathStatus>();
  if (paths.length === 0) return status;
  if (!(await isGitRepository(root))) {
    for (const p of paths) status.set(p, "unknown");
    return status;
  }
  const git = gitAt(root);
  const unique = [...new Set(paths)];
  const listArgs = ["ls-files", "-z", "--cached"];
  const tracked = new Set(
    nulList(await git.raw(unique.length <= PATHSPEC_LIMIT ? [...listArgs, "--", ...literal(unique)] : listArgs)),
  );
  const untracked = unique.filter((p) => !tracked.has(p));
  for (const p of unique) status.set(p, tracked.has(p) ? "tracked" : "untracked");

  if (untracked.length > 0) {
    // check-ignore also knows a file is ignored because a parent folder is. NUL-separated output needs
    // --stdin, which simple-git cannot feed: this one call is made directly.
    const ignored = nulList(await gitWithInput(root, ["check-ignore", "-z", "--stdin"], untracked.join("\0")));
    for (const p of ignored) status.set(p, "ignored");
  }
  return status;
}
