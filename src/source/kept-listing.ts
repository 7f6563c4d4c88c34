// The working tree's listing for a process that reads the tree again and again under a file watcher
// (watch, the web UI): a save changes a file's content, not the tree's names, so the listing of the last
// read stands until the watcher reports anything other than a change to a file it lists. Walking every
// folder again costs more than the rest of reading an unchanged tree.
import path from "node:path";

/** The files (and symlinks) and the folders one walk found, repository-relative. */
export interface Listing {
  readonly files: readonly string[];
  readonly dirs: readonly string[];
}

export class KeptListing {
  private kept: (Listing & { fileSet: ReadonlySet<string> }) | undefined;

  constructor(readonly root: string) {}

  /**
   * Told of every event of a watcher over the whole tree of the root (chokidar's names: add, addDir,
   * change, unlink, unlinkDir) and its absolute path: only a change to a listed file keeps the listing.
   */
  fileEvent(event: string, file: string): void {
    if (event === "change" && this.kept?.fileSet.has(path.relative(this.root, file).split(path.sep).join("/")) === true) return;
    this.kept = undefined;
  }

  /** The listing kept, if no event since it was taken could have changed it. */
  recall(): Listing | undefined {
    return this.kept;
  }

  /**
   * Keeps what a walk just found. Call it as the walk ends, synchronously: an event for anything the walk
   * missed is told after it, and drops the listing.
   */
  keep(listing: Listing): void {
    this.kept = { ...listing, fileSet: new Set(listing.files) };
  }
}
