// Resolving a local path a manifest names to the file or folder it reaches inside the repository,
// following symlinks one path component at a time, so that nothing outside the repository (or a loop,
// or a FIFO that would block a read) is ever reached. Only lstat and readlink: nothing is opened.
import path from "node:path";
import { resolveInTree, type SourceTree, type TreeEntry } from "../../source/tree.js";

/** Linux gives up after 40 symlinks in one lookup (MAXSYMLINKS); so do we. */
const MAX_SYMLINK_HOPS = 40;

export type Resolution =
  /** `target` is the real repository-relative path, reached through `links` (symlinks followed, in order). */
  | { ok: true; target: string; entry: TreeEntry; links: string[] }
  | { ok: false; problem: "absolute" }
  | { ok: false; problem: "outside" }
  /** `path` is where it was looked for (symlinks resolved); `missing` the first component that is not there. */
  | { ok: false; problem: "missing"; path: string; missing: string; notFolder?: string }
  | { ok: false; problem: "symlink-outside"; link: string; linkTarget: string }
  | { ok: false; problem: "symlink-loop"; cycle: string[] };

export function isAbsoluteLocalPath(raw: string): boolean {
  // POSIX absolute, Windows drive (C:\, C:/) and UNC (\\server) paths all leave the repository.
  return raw.startsWith("/") || /^[A-Za-z]:[\\/]/.test(raw) || raw.startsWith("\\\\");
}

/**
 * A tree that answers lstat and readlink at once (the working tree, a commit held in memory): paths are
 * then followed without a promise per step, which over 10,000 manifests is most of the rule's time.
 */
export interface SyncLookup {
  readonly root: string;
  statSync(relPath: string): TreeEntry | undefined;
  readLinkSync(relPath: string): string;
  /** Whether this run already knows a plain folder is there (from listing the tree): no lstat needed. */
  isListedDir?(relPath: string): boolean;
}

/** What a folder on the way needs to say: only that it is one. */
function folderOnTheWay(relPath: string): TreeEntry {
  return { path: relPath, type: "dir", size: 0, mode: 0o755 };
}

/** Resolves `raw` (as written in a manifest) against `baseDir` (repository-relative folder of the manifest). */
export async function resolveLocalPath(tree: SourceTree, baseDir: string, raw: string): Promise<Resolution> {
  const start = startOf(baseDir, raw);
  return typeof start === "string" ? followPath(tree, start) : start;
}

/** resolveLocalPath through a tree that answers at once. */
export function resolveLocalPathSync(tree: SyncLookup, baseDir: string, raw: string): Resolution {
  const start = startOf(baseDir, raw);
  return typeof start === "string" ? followPathSync(tree, start) : start;
}

function startOf(baseDir: string, raw: string): string | Resolution {
  if (isAbsoluteLocalPath(raw)) return { ok: false, problem: "absolute" };
  const start = resolveInTree(baseDir, raw);
  if (start === undefined) return { ok: false, problem: "outside" };
  return start;
}

/** Follows every symlink on the way to `start`, a repository-relative path that does not itself leave the root. */
export async function followPath(tree: SourceTree, start: string): Promise<Resolution> {
  const steps = follow(tree.root, start);
  let step = steps.next();
  while (!step.done) {
    const ask = step.value;
    const asked = ask.kind === "readLink" ? tree.readLink(ask.path) : tree.stat(ask.path);
    const settled = await asked.then(
      (answer) => () => answer,
      (error: unknown) => () => {
        throw error;
      },
    );
    step = resume(steps, settled);
  }
  return step.value;
}

/** followPath through a tree that answers at once. */
export function followPathSync(tree: SyncLookup, start: string): Resolution {
  const steps = follow(tree.root, start);
  let step = steps.next();
  while (!step.done) {
    const ask = step.value;
    step = resume(steps, () => {
      if (ask.kind === "readLink") return tree.readLinkSync(ask.path);
      return ask.kind === "type" && tree.isListedDir?.(ask.path) === true ? folderOnTheWay(ask.path) : tree.statSync(ask.path);
    });
  }
  return step.value;
}

type Steps = Generator<Ask, Resolution, TreeEntry | string | undefined>;

/** Gives the walk the answer to what it asked, or throws into it the error asking raised. */
function resume(steps: Steps, answered: () => TreeEntry | string | undefined): IteratorResult<Ask, Resolution> {
  let answer: TreeEntry | string | undefined;
  try {
    answer = answered();
  } catch (error) {
    return steps.throw(error);
  }
  return steps.next(answer);
}

/**
 * What following a path asks of the tree: an lstat ("stat"), an lstat of which only the type matters
 * ("type": a component on the way), or a symlink's target.
 */
interface Ask {
  path: string;
  kind: "stat" | "type" | "readLink";
}

/** The walk itself, asking the tree through `yield`: one algorithm for both ways of answering. */
function* follow(root: string, start: string): Steps {
  let pending = splitPath(start);
  let current = "";
  const links: string[] = [];
  while (pending.length > 0) {
    const [segment = "", ...rest] = pending;
    pending = rest;
    const candidate = current === "" ? segment : `${current}/${segment}`;
    const entry = (yield { path: candidate, kind: "type" }) as TreeEntry | undefined;
    if (entry === undefined) {
      return { ok: false, problem: "missing", path: joinPath([candidate, ...pending]), missing: candidate };
    }
    if (entry.type === "symlink") {
      links.push(candidate);
      if (links.length > MAX_SYMLINK_HOPS) return { ok: false, problem: "symlink-loop", cycle: cycleOf(links) };
      let linkTarget: string;
      try {
        linkTarget = (yield { path: candidate, kind: "readLink" }) as string;
      } catch {
        return { ok: false, problem: "missing", path: joinPath([candidate, ...pending]), missing: candidate };
      }
      const resolved = resolveLinkTarget(root, current, linkTarget);
      if (resolved === undefined) return { ok: false, problem: "symlink-outside", link: candidate, linkTarget };
      // `current` holds no symlinks, so the link's `..` segments are resolved against a real folder.
      pending = [...splitPath(resolved), ...pending];
      current = "";
      continue;
    }
    if (pending.length > 0 && entry.type !== "dir") {
      return { ok: false, problem: "missing", path: joinPath([candidate, ...pending]), missing: joinPath([candidate, ...pending]), notFolder: candidate };
    }
    current = candidate;
  }
  const entry = (yield { path: current, kind: "stat" }) as TreeEntry | undefined;
  // The root itself, when a tree cannot stat it, is a folder.
  if (current === "") return { ok: true, target: "", entry: entry ?? { path: "", type: "dir", size: 0, mode: 0o755 }, links };
  if (entry === undefined) return { ok: false, problem: "missing", path: current, missing: current };
  return { ok: true, target: current, entry, links };
}

/** A link target as a repository-relative path, or undefined when it points outside the repository. */
function resolveLinkTarget(root: string, linkDir: string, linkTarget: string): string | undefined {
  if (path.posix.isAbsolute(linkTarget)) {
    const rootPrefix = root.endsWith("/") ? root : `${root}/`;
    if (linkTarget === root) return "";
    if (!linkTarget.startsWith(rootPrefix)) return undefined;
    return resolveInTree("", linkTarget.slice(rootPrefix.length));
  }
  return resolveInTree(linkDir, linkTarget);
}

/** The repeating part of a chain of symlinks that never reached a real file. */
function cycleOf(links: string[]): string[] {
  for (let i = 0; i < links.length; i++) {
    const again = links.indexOf(links[i] ?? "", i + 1);
    if (again > i) return links.slice(i, again + 1);
  }
  return links.slice(0, MAX_SYMLINK_HOPS);
}

function splitPath(p: string): string[] {
  return p === "" ? [] : p.split("/").filter((s) => s !== "" && s !== ".");
}

function joinPath(parts: string[]): string {
  return parts.filter((p) => p !== "").join("/");
}

export type FolderProblem =
  | { problem: "symlink-outside"; link: string; linkTarget: string }
  | { problem: "symlink-loop"; cycle: string[] }
  | { problem: "not-regular"; path: string }
  | { problem: "unreadable"; path: string };

/**
 * Looks inside a folder that will be uploaded: symlinks leaving the repository or looping, and special
 * files that would block or break hashing. Symlinked folders are checked but not descended into, since
 * the target is checked wherever it is named itself.
 */
export async function inspectFolder(tree: SourceTree, folder: string, skip: ReadonlySet<string>): Promise<FolderProblem[]> {
  const problems: FolderProblem[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: TreeEntry[];
    try {
      entries = await tree.readDir(dir);
    } catch {
      return; // an unreadable folder is the hasher's report, with its own reason
    }
    await Promise.all(
      entries.map(async (entry) => {
        const name = entry.path.slice(entry.path.lastIndexOf("/") + 1);
        if (entry.unreadable && !(entry.type === "dir" && skip.has(name))) {
          problems.push({ problem: "unreadable", path: entry.path });
        } else if (entry.type === "dir") {
          if (!skip.has(name)) await walk(entry.path);
        } else if (entry.type === "other") {
          problems.push({ problem: "not-regular", path: entry.path });
        } else if (entry.type === "symlink") {
          const followed = await followPath(tree, entry.path);
          if (followed.ok) {
            if (followed.entry.type === "other") problems.push({ problem: "not-regular", path: entry.path });
            // A link to a folder that contains it would make every walk of this folder endless.
            else if (followed.entry.type === "dir" && (followed.target === "" || `${entry.path}/`.startsWith(`${followed.target}/`))) {
              problems.push({ problem: "symlink-loop", cycle: [entry.path, followed.target === "" ? "." : followed.target] });
            }
          } else if (followed.problem === "symlink-outside") {
            problems.push({ problem: "symlink-outside", link: followed.link, linkTarget: followed.linkTarget });
          } else if (followed.problem === "symlink-loop") {
            problems.push({ problem: "symlink-loop", cycle: followed.cycle });
          }
          // A dangling link inside a folder is not this check's business: git keeps such links too.
        }
      }),
    );
  };
  await walk(folder);
  return problems.sort((a, b) => problemPath(a).localeCompare(problemPath(b)));
}

function problemPath(p: FolderProblem): string {
  return p.problem === "not-regular" || p.problem === "unreadable" ? p.path : p.problem === "symlink-outside" ? p.link : (p.cycle[0] ?? "");
}
