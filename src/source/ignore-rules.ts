// Which files of a component's code folder Azure ML uploads: in every folder, the rules of `.amlignore` if
// there is one, else of `.gitignore`, with gitignore semantics; deeper folders' rules take precedence.
import type { Ignore } from "ignore";
import type { SourceTree, TreeEntry } from "./tree.js";

export const IGNORE_FILES = [".amlignore", ".gitignore"] as const;
const MAX_IGNORE_FILE_BYTES = 1 << 20;

interface Level {
  /** Artifact-relative folder the rules belong to ("" for the artifact root). */
  dir: string;
  rules: Ignore;
}

export class IgnoreRules {
  private constructor(private readonly levels: readonly Level[]) {}

  static readonly none = new IgnoreRules([]);

  /**
   * The rules in force inside a folder: these plus the folder's own ignore file. `entries` is the folder's
   * listing (read anyway by the walker); `realDir` is where it sits in the tree, `dir` where in the artifact.
   */
  async enter(tree: SourceTree, entries: readonly TreeEntry[], realDir: string, dir: string): Promise<IgnoreRules> {
    for (const name of IGNORE_FILES) {
      const file = entries.find((e) => e.type === "file" && e.path === (realDir === "" ? name : `${realDir}/${name}`));
      if (!file) continue;
      const text = (await tree.readFile(file.path, MAX_IGNORE_FILE_BYTES)).toString("utf8");
      // Loaded only for a folder that has an ignore file: most runs have none to read.
      const { default: ignore } = await import("ignore");
      return new IgnoreRules([...this.levels, { dir, rules: ignore().add(text) }]);
    }
    return this;
  }

  /** Whether an artifact-relative path is left out; folders are tested with a trailing slash, as git does. */
  ignores(artifactPath: string, isDir: boolean): boolean {
    for (let i = this.levels.length - 1; i >= 0; i--) {
      const level = this.levels[i] as Level;
      const relative = level.dir === "" ? artifactPath : artifactPath.slice(level.dir.length + 1);
      const result = level.rules.test(isDir ? `${relative}/` : relative);
      if (result.ignored) return true;
      if (result.unignored) return false;
    }
    return false;
  }
}
