// A per-run memo over a SourceTree: several rules stat the same folders and files (a component's code
// folder is named by every pipeline that uses it), so each lstat, readlink and listing happens once.
import type { SourceTree, TreeEntry } from "../../source/tree.js";
import type { SyncLookup } from "./local-path.js";

/** A tree that can also answer lstat and readlink at once (see SyncLookup). */
interface SyncTree extends SourceTree {
  statSync(relPath: string): TreeEntry | undefined;
  readLinkSync(relPath: string): string;
  isListedDir?(relPath: string): boolean;
}

function isSyncTree(tree: SourceTree): tree is SyncTree {
  return typeof (tree as Partial<SyncTree>).statSync === "function" && typeof (tree as Partial<SyncTree>).readLinkSync === "function";
}

export class CachedTree implements SourceTree {
  readonly root: string;
  readonly label: string;
  private readonly stats = new Map<string, Promise<TreeEntry | undefined>>();
  /** Stats answered at once (syncLookup), shared with stat(). */
  private readonly known = new Map<string, TreeEntry | null>();
  private readonly listings = new Map<string, Promise<TreeEntry[]>>();
  private readonly links = new Map<string, Promise<string>>();
  private readonly contents = new Map<string, Promise<Buffer>>();
  private files: Promise<string[]> | undefined;

  constructor(private readonly inner: SourceTree) {
    this.root = inner.root;
    this.label = inner.label;
  }

  /** Wraps a tree once: rules called through runRules and directly in tests both get a cache. */
  static of(tree: SourceTree): CachedTree {
    return tree instanceof CachedTree ? tree : new CachedTree(tree);
  }

  listFiles(): Promise<string[]> {
    this.files ??= this.inner.listFiles();
    return this.files;
  }

  stat(relPath: string): Promise<TreeEntry | undefined> {
    return memo(this.stats, relPath, () => {
      const known = this.known.get(relPath);
      return known === undefined ? this.inner.stat(relPath) : Promise.resolve(known ?? undefined);
    });
  }

  /** The same lookups without a promise each, when the tree underneath can answer at once. */
  syncLookup(): SyncLookup | undefined {
    const inner = this.inner;
    if (!isSyncTree(inner)) return undefined;
    return {
      root: this.root,
      statSync: (relPath) => {
        let entry = this.known.get(relPath);
        if (entry === undefined) {
          entry = inner.statSync(relPath) ?? null;
          this.known.set(relPath, entry);
        }
        return entry ?? undefined;
      },
      readLinkSync: (relPath) => inner.readLinkSync(relPath),
      ...(inner.isListedDir ? { isListedDir: (relPath: string) => inner.isListedDir?.(relPath) === true } : {}),
    };
  }

  readDir(relPath: string): Promise<TreeEntry[]> {
    return memo(this.listings, relPath, async () => {
      const entries = await this.inner.readDir(relPath);
      // A listing is also an lstat of every child: seed the stat cache with it.
      for (const entry of entries) if (!this.stats.has(entry.path)) this.stats.set(entry.path, Promise.resolve(entry));
      return entries;
    });
  }

  readFile(relPath: string, maxBytes?: number): Promise<Buffer> {
    return memo(this.contents, `${relPath}\0${maxBytes ?? ""}`, () => this.inner.readFile(relPath, maxBytes));
  }

  readLink(relPath: string): Promise<string> {
    return memo(this.links, relPath, () => this.inner.readLink(relPath));
  }

  async readHead(relPath: string, bytes: number): Promise<Buffer> {
    if (this.inner.readHead === undefined) throw new Error(`${this.label} cannot read part of a file`);
    return this.inner.readHead(relPath, bytes);
  }
}

function memo<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let value = cache.get(key);
  if (value === undefined) {
    value = load();
    cache.set(key, value);
  }
  return value;
}
