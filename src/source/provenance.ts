// Where the desired state came from, as git sees it: the commit, whether the working tree differs from
// it, the branch and origin (credentials stripped), and whether each artifact file is tracked, untracked
// or ignored. Recorded with every version apply writes. Git is asked directly, in as few processes as
// possible (one `status` says the commit, the branch and whether the tree is dirty), since every plan
// asks.
import { execFile, spawn } from "node:child_process";
import { lstat } from "node:fs/promises";
import path from "node:path";
import type { Diagnostic } from "../diagnostics.js";
import { resolveCommit } from "./git-tree.js";
import type { SourceInfo } from "./types.js";

export type GitPathStatus = "tracked" | "untracked" | "ignored" | "unknown";

/** Above this many paths, one full `ls-files` beats naming every path on the command line. */
const PATHSPEC_LIMIT = 1000;

/** Output of a git command run in `cwd`; rejects when git exits with an error. */
function git(cwd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("git", args, { cwd, encoding: "utf8", maxBuffer: 1024 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`git ${args.join(" ")} failed: ${String(stderr).trim() || error.message}`));
      else resolve(stdout);
    });
  });
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
    return (await git(root, ["rev-parse", "--is-inside-work-tree"])).trim() === "true";
  } catch {
    return false;
  }
}

/**
 * Drops the secret part of a remote URL: for http(s) the whole user-info (`https://user:token@host`, and a
 * bare token used as user name), for other schemes the password. scp-like `git@host:path` is kept: the
 * user there is a login name, not a secret.
 */
/**
 * The ref merges land on, as the repository knows it: the remote's default branch (`origin/main`), else a
 * local `main` or `master`. Undefined when none exists (the caller asks for --ref).
 */
export async function defaultBranchRef(root: string): Promise<string | undefined> {
  const remote = await git(root, ["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"]).then((out) => out.trim(), () => "");
  if (remote !== "") return remote;
  for (const branch of ["main", "master"]) {
    const found = await git(root, ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`]).then(() => true, () => false);
    if (found) return branch;
  }
  return undefined;
}

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
  options: { manifestFiles?: readonly string[]; remote?: Promise<string | null> } = {},
): Promise<SourceInfo> {
  const none: SourceInfo = { commit: null, dirty: false, ref: ref ?? null, branch: null, remote: null };
  const remote = options.remote ?? readRemote(root);

  if (ref !== undefined) {
    if (!(await isGitRepository(root))) {
      await resolveCommit(root, ref); // throws the user-facing error
      return none;
    }
    const commit = await resolveCommit(root, ref);
    // rev-parse echoes --end-of-options itself; the symbolic name is the last line.
    const out = await git(root, ["rev-parse", "--symbolic-full-name", "--end-of-options", ref]).catch(() => "");
    const full = out.trim().split("\n").pop() ?? "";
    const branch = full.startsWith("refs/heads/") ? full.slice("refs/heads/".length) : null;
    // A commit read from the object store is exactly what it says: never dirty.
    return { commit, dirty: false, ref, branch, remote: await remote };
  }

  // One status answers the commit (`branch.oid`), the branch (`branch.head`) and, by its entries, whether
  // tracked files changed (staged or not) below the root; untracked files are judged separately below.
  // It fails where `rev-parse --is-inside-work-tree` would not say true: outside git, in a bare repository.
  // --no-optional-locks: reading provenance must never take `index.lock` from under the user's own git.
  const [status, manifestStatus] = await Promise.all([
    git(root, ["--no-optional-locks", "status", "--porcelain=v2", "--branch", "-z", "--untracked-files=no", "--", "."]).catch(
      async (error: unknown) => {
        if (await isGitRepository(root)) throw error; // a repository git cannot read is an error, not "no git"
        return undefined;
      },
    ),
    options.manifestFiles && options.manifestFiles.length > 0
      ? readPathStatus(root, options.manifestFiles)
      : Promise.resolve(new Map<string, GitPathStatus>()),
  ]);
  if (status === undefined) {
    await remote;
    return none;
  }
  const parsed = parseStatus(status);
  // A branch may be named "(detached)"; only symbolic-ref can tell it from a detached HEAD.
  const branch =
    parsed.head === "(detached)"
      ? await git(root, ["symbolic-ref", "--quiet", "HEAD"])
          .then((name) => (name.trim().startsWith("refs/heads/") ? name.trim().slice("refs/heads/".length) : null))
          .catch(() => null)
      : parsed.head;
  const untrackedManifest = [...manifestStatus.values()].some((s) => s === "untracked" || s === "ignored");
  return { commit: parsed.commit, dirty: parsed.changed || untrackedManifest, ref: null, branch, remote: await remote };
}

/** The origin's URL, credentials stripped; null without an origin or outside git. */
export function readRemote(root: string): Promise<string | null> {
  return git(root, ["remote", "get-url", "origin"])
    .then((url) => (url.trim() === "" ? null : stripCredentials(url.trim())))
    .catch(() => null);
}

/**
 * The ignore rule that makes git ignore each path (repository-relative to `root`), as
 * `SOURCE:LINE: PATTERN` (`.gitignore:2: *.pkl`), for the paths an ignore rule matches; a path
 * re-included by a `!pattern` is not ignored and not listed. Empty outside git.
 */
export async function ignoreRules(root: string, paths: readonly string[]): Promise<Map<string, string>> {
  const rules = new Map<string, string>();
  if (paths.length === 0) return rules;
  const out = await gitWithInput(root, ["check-ignore", "-v", "-z", "--stdin"], [...new Set(paths)].join("\0")).catch(() => "");
  // -v -z: four NUL-terminated fields per path: source, line number, pattern, path.
  const fields = out.split("\0");
  for (let i = 0; i + 3 < fields.length; i += 4) {
    const [source, line, pattern, file] = fields.slice(i, i + 4) as [string, string, string, string];
    if (!pattern.startsWith("!")) rules.set(file, `${source}:${line}: ${pattern}`);
  }
  return rules;
}

/**
 * For a plan of a git ref: a `path-missing` error about a file that the working tree has but git ignores
 * gets a hint naming the ignore rule — no commit can have that file, whatever the manifest says.
 */
export async function explainIgnoredMissing(root: string, diagnostics: Diagnostic[]): Promise<Diagnostic[]> {
  const missing = new Map<Diagnostic, string>();
  for (const d of diagnostics) {
    const file = d.code === "path-missing" ? /^[^:]*: (.+) does not exist$/.exec(d.message)?.[1] : undefined;
    if (file !== undefined && (await lstat(path.join(root, ...file.split("/"))).catch(() => undefined))) missing.set(d, file);
  }
  if (missing.size === 0) return diagnostics;
  const rules = await ignoreRules(root, [...missing.values()]);
  return diagnostics.map((d) => {
    const file = missing.get(d);
    const rule = file === undefined ? undefined : rules.get(file);
    if (file === undefined || rule === undefined) return d;
    return { ...d, hint: `${file} is in the working tree but ignored by git (${rule}), so no commit has it: commit it all the same (\`git add -f ${file}\`), or keep it in storage and name it by URI.` };
  });
}

/** A file that makes the working tree differ from its commit, as the dirty-tree refusal lists it. */
export interface UncommittedFile {
  /** Relative to the root. */
  path: string;
  change: "modified" | "added" | "deleted" | "renamed" | "copied" | "type changed" | "untracked" | "ignored";
  /** An untracked (or ignored) manifest: the commit would not declare it. */
  manifest: boolean;
}

const CHANGES: Record<string, UncommittedFile["change"]> = { M: "modified", A: "added", D: "deleted", R: "renamed", C: "copied", T: "type changed" };

/**
 * What differs from `commit` below the root (staged or not), and the manifests git does not track: what
 * made readSourceInfo call the tree dirty. Paths are relative to the root, like the manifests'.
 */
export async function uncommittedFiles(root: string, commit: string | null, manifestFiles: readonly string[]): Promise<UncommittedFile[]> {
  const files: UncommittedFile[] = [];
  if (commit !== null) {
    const out = await git(root, ["--no-optional-locks", "diff", "--name-status", "-z", "--relative", "--no-renames", "--end-of-options", commit, "--", "."]).catch(() => "");
    const fields = nulList(out);
    for (let i = 0; i + 1 < fields.length; i += 2) {
      files.push({ path: fields[i + 1] as string, change: CHANGES[(fields[i] as string).charAt(0)] ?? "modified", manifest: false });
    }
  }
  for (const [file, status] of await readPathStatus(root, manifestFiles)) {
    if (status === "untracked" || status === "ignored") files.push({ path: file, change: status, manifest: true });
  }
  return files;
}

/** The author of a commit as git shows it, `Name <email>`; null without a commit, or when git cannot say. */
export async function commitAuthor(root: string, commit: string | null): Promise<string | null> {
  if (commit === null) return null;
  return git(root, ["log", "-1", "--format=%an <%ae>", "--end-of-options", commit])
    .then((out) => out.trim() || null)
    .catch(() => null);
}

/** `git status --porcelain=v2 --branch -z`: the header lines, and whether any entry follows them. */
export function parseStatus(output: string): { commit: string | null; head: string | null; changed: boolean } {
  let commit: string | null = null;
  let head: string | null = null;
  let changed = false;
  for (const record of output.split("\0")) {
    if (record.startsWith("# branch.oid ")) {
      const oid = record.slice("# branch.oid ".length);
      commit = oid === "(initial)" ? null : oid;
    } else if (record.startsWith("# branch.head ")) {
      head = record.slice("# branch.head ".length) || null;
    } else if (record !== "" && !record.startsWith("# ")) {
      changed = true;
    }
  }
  return { commit, head, changed };
}

/**
 * How git sees each repository-relative path (files, not folders): tracked, untracked, or ignored.
 * Three git calls whatever the number of paths; "unknown" for all outside a git repository.
 */
export async function readPathStatus(root: string, paths: readonly string[]): Promise<Map<string, GitPathStatus>> {
  const status = new Map<string, GitPathStatus>();
  if (paths.length === 0) return status;
  const unique = [...new Set(paths)];
  const listArgs = ["ls-files", "-z", "--cached"];
  let listed: string;
  try {
    listed = await git(root, unique.length <= PATHSPEC_LIMIT ? [...listArgs, "--", ...literal(unique)] : listArgs);
  } catch (error) {
    // Outside a git work tree ls-files fails, and nothing can be said about any path.
    if (await isGitRepository(root)) throw error;
    for (const p of paths) status.set(p, "unknown");
    return status;
  }
  const tracked = new Set(nulList(listed));
  const untracked = unique.filter((p) => !tracked.has(p));
  for (const p of unique) status.set(p, tracked.has(p) ? "tracked" : "untracked");

  if (untracked.length > 0) {
    // check-ignore also knows a file is ignored because a parent folder is. NUL-separated output needs --stdin.
    const ignored = nulList(await gitWithInput(root, ["check-ignore", "-z", "--stdin"], untracked.join("\0")));
    for (const p of ignored) status.set(p, "ignored");
  }
  return status;
}

/** Who made a commit and its subject line: what an alias move declared in it is journaled with. */
export async function readCommitSummary(root: string, commit: string): Promise<{ author: string; message: string } | undefined> {
  const out = await git(root, ["log", "-1", "--format=%an <%ae>%x00%s", "--end-of-options", commit]).catch(() => undefined);
  if (out === undefined) return undefined;
  const [author = "", message = ""] = out.replace(/\n$/, "").split("\0");
  return { author, message };
}
