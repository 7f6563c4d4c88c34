// A git commit read as a SourceTree without checking it out: one `git ls-tree` for the listing, blob
// contents streamed from one long-lived `git cat-file --batch`. `plan --ref` reads through this.
import { execFile } from "node:child_process";
import { UserError } from "../diagnostics.js";
import { BlobReader, type BlobSink } from "./cat-file.js";
import { SKIPPED_DIRS, TreeReadError, type EntryType, type SourceTree, type TreeEntry } from "./tree.js";

interface GitEntry {
  entry: TreeEntry;
  /** Blob id for files and symlinks; "" for directories and submodules. */
  oid: string;
}

/** Runs git and returns stdout as bytes; rejects with git's exit code and stderr. */
function git(cwd: string, args: readonly string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      args,
      { cwd, encoding: "buffer", maxBuffer: 1 << 30, env: { ...process.env, GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C" } },
      (error, stdout, stderr) => {
        if (error) reject(Object.assign(error, { stderr: stderr.toString("utf8") }));
        else resolve(stdout);
      },
    );
  });
}

function byPath(a: TreeEntry, b: TreeEntry): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

function typeOfMode(mode: string, objectType: string): EntryType {
  if (objectType === "blob") return mode === "120000" ? "symlink" : "file";
  if (objectType === "tree") return "dir";
  return "other"; // 160000 commit: a submodule, whose content is not in this repository
}

export class GitTree implements SourceTree {
  private readonly blobs: BlobReader;

  private constructor(
    readonly root: string,
    /** The ref as the user wrote it. */
    readonly label: string,
    /** The commit the ref resolved to when the tree was opened; the tree never moves after that. */
    readonly commit: string,
    private readonly entries: Map<string, GitEntry>,
    private readonly children: Map<string, TreeEntry[]>,
  ) {
    this.blobs = new BlobReader(root);
  }

  /** Resolves `ref` to a commit and lists it; an unknown ref is the user's error (`ref-unknown`). */
  static async open(root: string, ref: string): Promise<GitTree> {
    const commit = await resolveCommit(root, ref);
    // Run inside `root` without --full-tree: git lists only that folder, with paths relative to it.
    const listing = await git(root, ["ls-tree", "-r", "-l", "-z", commit]);
    const entries = new Map<string, GitEntry>();
    const children = new Map<string, TreeEntry[]>();
    const addChild = (entry: TreeEntry): void => {
      const slash = entry.path.lastIndexOf("/");
      const parent = slash < 0 ? "" : entry.path.slice(0, slash);
      let list = children.get(parent);
      if (!list) {
        list = [];
        children.set(parent, list);
      }
      list.push(entry);
    };
    const addDirs = (filePath: string): void => {
      // Git has no empty folders: every folder is implied by the files under it.
      let slash = filePath.lastIndexOf("/");
      while (slash > 0) {
        const dir = filePath.slice(0, slash);
        if (entries.has(dir)) return;
        const entry: TreeEntry = { path: dir, type: "dir", size: 0, mode: 0o755 };
        entries.set(dir, { entry, oid: "" });
        addChild(entry);
        slash = dir.lastIndexOf("/");
      }
    };
    entries.set("", { entry: { path: "", type: "dir", size: 0, mode: 0o755 }, oid: "" });

    let start = 0;
    while (start < listing.length) {
      let end = listing.indexOf(0, start);
      if (end < 0) end = listing.length;
      const record = listing.toString("utf8", start, end);
      start = end + 1;
      // <mode> SP <type> SP <oid> SP+ <size> TAB <path>
      const tab = record.indexOf("\t");
      if (tab < 0) continue;
      const [mode = "", objectType = "", oid = "", size = "-"] = record.slice(0, tab).split(/ +/);
      const relPath = record.slice(tab + 1);
      const type = typeOfMode(mode, objectType);
      const entry: TreeEntry = {
        path: relPath,
        type,
        size: size === "-" ? 0 : Number(size),
        mode: mode === "100755" || type === "dir" || type === "symlink" ? 0o755 : 0o644,
      };
      entries.set(relPath, { entry, oid: type === "other" ? "" : oid });
      addDirs(relPath);
      addChild(entry);
    }
    for (const list of children.values()) list.sort(byPath);
    return new GitTree(root, ref, commit, entries, children);
  }

  async listFiles(): Promise<string[]> {
    const out: string[] = [];
    for (const [relPath, { entry }] of this.entries) {
      if (entry.type !== "file" && entry.type !== "symlink") continue;
      if (relPath.split("/").some((segment) => SKIPPED_DIRS.has(segment))) continue;
      out.push(relPath);
    }
    return out.sort();
  }

  async stat(relPath: string): Promise<TreeEntry | undefined> {
    return this.entries.get(relPath)?.entry;
  }

  async readDir(relPath: string): Promise<TreeEntry[]> {
    const found = this.entries.get(relPath);
    if (!found || found.entry.type !== "dir") {
      throw new TreeReadError(found ? "not-a-file" : "missing", relPath, `${relPath} is not a folder in ${this.label}`);
    }
    return [...(this.children.get(relPath) ?? [])];
  }

  async readFile(relPath: string, maxBytes = Number.MAX_SAFE_INTEGER): Promise<Buffer> {
    const { entry, oid } = this.blob(relPath, "file");
    if (entry.size > maxBytes) {
      throw new TreeReadError("too-large", relPath, `${relPath} is ${entry.size} bytes, over the limit of ${maxBytes}`);
    }
    return this.readBlob(relPath, oid);
  }

  async readLink(relPath: string): Promise<string> {
    const { oid } = this.blob(relPath, "symlink");
    return (await this.readBlob(relPath, oid)).toString("utf8");
  }

  async readHead(relPath: string, bytes: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let kept = 0;
    // The blob streams through whole; only its head is kept.
    await this.streamFile(relPath, {
      size: () => undefined,
      data: (chunk) => {
        if (kept >= bytes) return;
        const part = chunk.subarray(0, bytes - kept);
        chunks.push(Buffer.from(part));
        kept += part.length;
      },
    });
    return Buffer.concat(chunks);
  }

  /** The blob id of a file or symlink: equal ids mean equal content, so digests can be cached by it. */
  blobId(relPath: string): string | undefined {
    return this.entries.get(relPath)?.oid || undefined;
  }

  /** Streams a regular file's content, for hashing without holding it in memory. */
  async streamFile(relPath: string, sink: BlobSink): Promise<void> {
    const { oid } = this.blob(relPath, "file");
    try {
      await this.blobs.read(oid, sink);
    } catch (error) {
      throw new TreeReadError("unreadable", relPath, `${relPath} cannot be read from ${this.label}: ${(error as Error).message}`);
    }
  }

  /** Stops the cat-file process. Reading again restarts it. */
  async close(): Promise<void> {
    await this.blobs.close();
  }

  private blob(relPath: string, want: "file" | "symlink"): GitEntry {
    const found = this.entries.get(relPath);
    if (!found) throw new TreeReadError("missing", relPath, `${relPath} does not exist in ${this.label}`);
    if (found.entry.type !== want) {
      throw new TreeReadError("not-a-file", relPath, `${relPath} is not a ${want === "file" ? "regular file" : "symlink"}`);
    }
    return found;
  }

  private async readBlob(relPath: string, oid: string): Promise<Buffer> {
    try {
      return await this.blobs.readAll(oid);
    } catch (error) {
      throw new TreeReadError("unreadable", relPath, `${relPath} cannot be read from ${this.label}: ${(error as Error).message}`);
    }
  }
}

/** The commit SHA a ref names; `ref-unknown` when it names none, `not-a-git-repository` outside git. */
export async function resolveCommit(root: string, ref: string): Promise<string> {
  if (ref.startsWith("-") || ref.includes("\0")) {
    throw new UserError("ref-unknown", `"${ref}" is not a git ref`);
  }
  try {
    const out = await git(root, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
    return out.toString("utf8").trim();
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? "");
    if (/not a git repository/i.test(stderr)) {
      throw new UserError("not-a-git-repository", `${root} is not inside a git repository, so --ref cannot be read`, {
        hint: "Run without --ref to read the working tree, or run `git init` first.",
      });
    }
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new UserError("git-missing", "git is not installed or not on PATH; --ref needs it");
    }
    throw new UserError("ref-unknown", `git ref "${ref}" does not name a commit in ${root}`, {
      hint: "Check the spelling, or `git fetch` the branch or tag first.",
    });
  }
}
