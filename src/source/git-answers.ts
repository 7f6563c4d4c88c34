// Git's answers for a process that plans again and again (watch, the web UI): what changes only with git's
// own files — the origin, and whether git tracks or ignores each path — is kept while their stamp holds
// (see git-stamp.ts), so a plan after a save starts one git (`status`: the commit, the branch, whether the
// tree is dirty) instead of three. Starting a process from a long-lived one costs more than the rest of
// such a plan.
import path from "node:path";
import { gitStamp } from "./git-stamp.js";
import { readPathStatus, readRemote, readSourceInfo, type GitPathStatus } from "./provenance.js";
import { filesystemClock } from "./stat-cache.js";
import type { SourceInfo } from "./types.js";
import { cacheFolder } from "./root-folder.js";

interface Kept {
  stamp: string;
  remote: Promise<string | null> | undefined;
  statuses: Map<string, GitPathStatus>;
}

export class GitAnswers {
  private kept: Kept | undefined;

  constructor(
    readonly root: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Told of every file that changed: a changed ignore file may change what git ignores. */
  fileChanged(file: string): void {
    if (path.basename(file) === ".gitignore") this.kept = undefined;
  }

  /** The provenance of the working tree (readSourceInfo), asking git for the origin only when its files changed. */
  source(): Promise<SourceInfo> {
    const kept = this.current();
    if (kept === undefined) return readSourceInfo(this.root);
    kept.remote ??= readRemote(this.root);
    return readSourceInfo(this.root, undefined, { remote: kept.remote });
  }

  /** How git sees each path (readPathStatus), asking git only of paths it was not asked of since its files changed. */
  async pathStatus(paths: readonly string[]): Promise<Map<string, GitPathStatus>> {
    const kept = this.current();
    if (kept === undefined) return readPathStatus(this.root, paths);
    const unasked = [...new Set(paths)].filter((p) => !kept.statuses.has(p));
    if (unasked.length > 0) for (const [file, status] of await readPathStatus(this.root, unasked)) kept.statuses.set(file, status);
    return new Map(paths.map((p) => [p, kept.statuses.get(p) ?? "unknown"]));
  }

  /**
   * What is kept for git's files as they are now. Nothing is kept where there is no stamp, nor while a
   * file of git's is so recent that it could be written again without its timestamp moving.
   */
  private current(): Kept | undefined {
    // The clock before the stamp, and both before git reads its files.
    const clockNs = filesystemClock(cacheFolder(this.root), this.root);
    const stamp = gitStamp(this.root, this.env);
    if (stamp === undefined || stamp.newestNs >= clockNs) {
      this.kept = undefined;
      return undefined;
    }
    if (this.kept?.stamp !== stamp.digest) this.kept = { stamp: stamp.digest, remote: undefined, statuses: new Map() };
    return this.kept;
  }
}
