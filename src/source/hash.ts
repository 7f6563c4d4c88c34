// Content digests of the local files and folders manifests name. A file's digest is the SHA-256 of its
// bytes; a folder's is the SHA-256 of its canonical listing — one `path\0mode\0digest\n` line per file,
// POSIX paths sorted by byte order — so it depends on content, names and executable bits only, never on
// creation order, timestamps or empty folders (like git).
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import path from "node:path";
import { sha256 } from "../digest.js";
import { ProgressMeter, type OnProgress } from "../progress.js";
import type { ArtifactFile, Digest } from "../registry/types.js";
import { DiskHasher, FileHashError } from "./disk-hasher.js";
import { ArtifactError } from "./artifact-error.js";
import { GitTree } from "./git-tree.js";
import { IgnoreRules } from "./ignore-rules.js";
import { stampOf, type StatCache } from "./stat-cache.js";
import { StatTree } from "./stat-tree.js";
import { resolveReal, type Resolved } from "./symlinks.js";
import { STATE_DIR, TreeReadError, WorkTree, type SourceTree, type TreeEntry } from "./tree.js";

export { ArtifactError, type ArtifactErrorCode } from "./artifact-error.js";

export interface HashedArtifact {
  type: "file" | "folder";
  digest: Digest;
  /** Total bytes of the files. */
  size: number;
  /** For a file, one entry named by its base name; for a folder, every file inside, sorted by path. */
  files: ArtifactFile[];
  /** Where each of `files` really is in the repository (symlinks resolved), in the same order: what git tracks. */
  realPaths: string[];
}

export interface HashOptions {
  /** Apply `.amlignore` / `.gitignore` files found in the folder (component `code`). */
  ignoreFiles?: boolean;
}

/**
 * Orders strings as their UTF-8 bytes would sort, without encoding them: UTF-16 code units already sort
 * like code points except that surrogates (code points above U+FFFF) must come after U+E000–U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xSurrogate = x >= 0xd800 && x <= 0xdfff;
    const ySurrogate = y >= 0xd800 && y <= 0xdfff;
    if (xSurrogate !== ySurrogate) return xSurrogate ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

/** SHA-256 over the canonical listing of a folder's files. */
export function folderDigest(files: readonly ArtifactFile[]): Digest {
  const sorted = [...files].sort(byteOrder);
  const hash = createHash("sha256");
  for (const f of sorted) hash.update(`${f.path}\0${f.mode.toString(8)}\0${f.digest}\n`);
  return `sha256:${hash.digest("hex")}`;
}

function byteOrder(a: ArtifactFile, b: ArtifactFile): number {
  return compareUtf8(a.path, b.path);
}

interface Found {
  file: ArtifactFile;
  realPath: string;
}


/** How one regular file's content digest is obtained: from disk with the stat cache, from a git blob, or by reading. */
type FileDigester = (realPath: string, entry: TreeEntry) => Promise<{ digest: Digest; size: number }>;

export class ArtifactHasher {
  private readonly digestFile: FileDigester;
  /** Answers from the stat cache without a promise, for the warm path where nearly every file hits. */
  private readonly cachedDigest: (realPath: string) => { digest: Digest; size: number } | undefined = () => undefined;
  private readonly disk: DiskHasher | undefined;
  private readonly memo = new Map<string, Promise<HashedArtifact>>();
  /** Artifacts answered at once (hashAtOnce). */
  private readonly known = new Map<string, HashedArtifact>();

  private readonly tree: SourceTree;
  private readonly skip: ReadonlySet<string>;
  /** Bytes read to hash them: the total grows by each file the cache does not know, as the walk finds it. */
  private readonly meter: ProgressMeter;

  /**
   * `skip`: real repository-relative paths of files that are never folder content — the manifests, so
   * that editing a manifest's description inside its own `path: .` folder updates it in place instead
   * of making a new version. `onProgress`: told of the bytes read as hashing goes (phase "hashing").
   */
  constructor(
    tree: SourceTree,
    options: { cache?: StatCache; workers?: number; skip?: ReadonlySet<string>; onProgress?: OnProgress | undefined } = {},
  ) {
    const cache = options.cache;
    const meter = new ProgressMeter("hashing", options.onProgress);
    this.meter = meter;
    this.tree = tree;
    this.skip = options.skip ?? new Set();
    if (tree instanceof GitTree) {
      this.digestFile = blobDigester(tree, cache, meter);
    } else if (tree instanceof WorkTree) {
      const statTree = new StatTree(tree);
      this.tree = statTree;
      this.disk = new DiskHasher({
        ...(options.workers === undefined ? {} : { workers: options.workers }),
        ...(options.onProgress ? { onBytes: (bytes: number) => meter.advance(bytes) } : {}),
      });
      this.digestFile = diskDigester(statTree, this.disk, cache, meter);
      if (cache) {
        this.cachedDigest = (realPath) => {
          const seen = statTree.peekStamp(realPath);
          const digest = seen && cache.peek(seen.stamp);
          if (!seen || !digest) return undefined;
          statTree.takeStamp(realPath);
          return { digest, size: seen.size };
        };
      }
    } else {
      this.digestFile = async (realPath) => {
        const bytes = await tree.readFile(realPath);
        meter.expect(bytes.length);
        meter.advance(bytes.length);
        return { digest: sha256(bytes), size: bytes.length };
      };
    }
  }

  /**
   * The artifact at once, when nothing needs waiting for: a file (not through a symlink) of the working
   * tree whose digest the stat cache has — most artifacts of a warm plan. Otherwise undefined: ask hash().
   */
  hashAtOnce(relPath: string, options: HashOptions = {}): HashedArtifact | undefined {
    const key = `${options.ignoreFiles ? "i" : "-"}${relPath}`;
    const known = this.known.get(key);
    if (known || this.memo.has(key) || !(this.tree instanceof StatTree)) return known;
    const entry = this.tree.statSync(relPath);
    if (entry?.type !== "file") return undefined;
    const cached = this.cachedDigest(relPath);
    if (!cached) return undefined;
    const hashed = fileArtifact(relPath, relPath, entry, cached);
    this.known.set(key, hashed);
    return hashed;
  }

  /** Hashes a file or folder (repository-relative); the same path asked twice is hashed once. */
  hash(relPath: string, options: HashOptions = {}): Promise<HashedArtifact> {
    const key = `${options.ignoreFiles ? "i" : "-"}${relPath}`;
    const known = this.known.get(key);
    if (known) return Promise.resolve(known);
    let pending = this.memo.get(key);
    if (!pending) {
      pending = this.hashUncached(relPath, options.ignoreFiles === true);
      this.memo.set(key, pending);
    }
    return pending;
  }

  /** Stops hashing threads; hashing is over (its progress ends). */
  async close(): Promise<void> {
    this.meter.end();
    await this.disk?.close();
  }

  private async hashUncached(relPath: string, ignoreFiles: boolean): Promise<HashedArtifact> {
    const target = await resolveReal(this.tree, relPath, relPath);
    if (target.entry.type === "file") {
      return fileArtifact(relPath, target.path, target.entry, this.cachedDigest(target.path) ?? (await this.fileDigest(relPath, target)));
    }
    if (target.entry.type !== "dir") {
      throw new ArtifactError("artifact-not-file-or-folder", relPath, `${relPath} is neither a file nor a folder`);
    }
    const found: Found[] = [];
    await this.walk(relPath, target.path, "", ignoreFiles ? IgnoreRules.none : undefined, [target.path], found);
    found.sort((a, b) => byteOrder(a.file, b.file));
    const files = found.map((f) => f.file);
    return {
      type: "folder",
      digest: folderDigest(files),
      size: files.reduce((n, f) => n + f.size, 0),
      files,
      realPaths: found.map((f) => f.realPath),
    };
  }

  private async walk(
    artifact: string,
    realDir: string,
    dir: string,
    inherited: IgnoreRules | undefined,
    stack: readonly string[],
    out: Found[],
  ): Promise<void> {
    let entries: TreeEntry[];
    try {
      entries = await this.tree.readDir(realDir);
    } catch (error) {
      throw new ArtifactError("artifact-unreadable", artifact, `${realDir} cannot be listed: ${(error as Error).message}`);
    }
    const rules = inherited ? await inherited.enter(this.tree, entries, realDir, dir) : undefined;
    await Promise.all(
      entries.map(async (child) => {
        const name = path.posix.basename(child.path);
        // A nested repository's internals and assetctl's own state (the registry being written) are never content.
        if (name === ".git" || name === STATE_DIR) return;
        const inArtifact = dir === "" ? name : `${dir}/${name}`;
        const target = child.type === "symlink" ? await resolveReal(this.tree, child.path, artifact) : { path: child.path, entry: child };
        if (target.entry.type === "dir") {
          if (rules?.ignores(inArtifact, true)) return;
          const loop = stack.some((s) => s === target.path || s.startsWith(`${target.path}/`) || target.path === "");
          if (loop) {
            throw new ArtifactError(
              "artifact-symlink-loop",
              artifact,
              `${artifact}/${inArtifact} links back to ${target.path || "the repository root"}, which contains it`,
            );
          }
          await this.walk(artifact, target.path, inArtifact, rules, [...stack, target.path], out);
        } else if (target.entry.type === "file") {
          if (rules?.ignores(inArtifact, false) || this.skip.has(target.path)) return;
          const { digest, size } = this.cachedDigest(target.path) ?? (await this.fileDigest(artifact, target));
          out.push({ file: { path: inArtifact, digest, size, mode: target.entry.mode }, realPath: target.path });
        }
        // Sockets, FIFOs and submodules have no content to upload; git skips them too.
      }),
    );
  }

  private async fileDigest(artifact: string, target: Resolved): Promise<{ digest: Digest; size: number }> {
    try {
      return await this.digestFile(target.path, target.entry);
    } catch (error) {
      if (error instanceof ArtifactError) throw error;
      throw new ArtifactError("artifact-unreadable", artifact, `${target.path} cannot be read: ${(error as Error).message}`);
    }
  }
}

/** A single-file artifact: the file named by its base name, found at `realPath`. */
function fileArtifact(relPath: string, realPath: string, entry: TreeEntry, { digest, size }: { digest: Digest; size: number }): HashedArtifact {
  const file: ArtifactFile = { path: path.posix.basename(relPath), digest, size, mode: entry.mode };
  return { type: "file", digest, size, files: [file], realPaths: [realPath] };
}

function blobDigester(tree: GitTree, cache: StatCache | undefined, meter: ProgressMeter): FileDigester {
  const byBlob = new Map<string, Promise<{ digest: Digest; size: number }>>();
  return (realPath, entry) => {
    const oid = tree.blobId(realPath) ?? "";
    let pending = byBlob.get(oid);
    if (!pending) {
      const cached = cache?.getBlob(oid);
      pending = cached
        ? Promise.resolve({ digest: cached, size: entry.size })
        : (async () => {
            const hash = createHash("sha256");
            let size = 0;
            await tree.streamFile(realPath, {
              size: (bytes) => meter.expect(bytes),
              data: (chunk) => {
                hash.update(chunk);
                size += chunk.length;
                meter.advance(chunk.length);
              },
            });
            const digest: Digest = `sha256:${hash.digest("hex")}`;
            cache?.setBlob(oid, digest);
            return { digest, size };
          })();
      byBlob.set(oid, pending);
    }
    return pending;
  };
}

function diskDigester(tree: StatTree, hasher: DiskHasher, cache: StatCache | undefined, meter: ProgressMeter): FileDigester {
  return async (realPath) => {
    const abs = tree.abs(realPath);
    // The walk has just lstat'ed this file (it is not a symlink): those stats are the cache key.
    let before = tree.takeStamp(realPath);
    if (!before) {
      let st;
      try {
        st = statSync(abs, { bigint: true });
      } catch (error) {
        throw new TreeReadError("unreadable", realPath, `${realPath} cannot be read: ${(error as Error).message}`);
      }
      if (!st.isFile()) throw new TreeReadError("not-a-file", realPath, `${realPath} is not a regular file`);
      before = { stamp: stampOf(st), size: Number(st.size) };
    }
    const cached = cache?.get(before.stamp);
    if (cached) return { digest: cached, size: before.size };
    meter.expect(before.size);
    try {
      const result = await hasher.hash(abs, before.size);
      if (result.size !== before.size) {
        throw new ArtifactError(
          "artifact-changed",
          realPath,
          `${realPath} changed while it was hashed: ${before.size} bytes when listed, ${result.size} read; plan again once it is settled`,
        );
      }
      cache?.set(before.stamp, result.digest);
      return result;
    } catch (error) {
      if (error instanceof FileHashError) {
        throw new TreeReadError("unreadable", realPath, `${realPath} cannot be read: ${error.message}`);
      }
      throw error;
    }
  };
}
