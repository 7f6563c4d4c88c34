// Recognising Git LFS pointer files: a clone without `git lfs pull` has a ~130-byte text file where the
// model or data file should be, and registering it would version the pointer instead of the content.
import type { SourceTree, TreeEntry } from "../../source/tree.js";

const POINTER_PREFIX = "version https://git-lfs.github.com/spec/v1";
/** The LFS specification caps pointer files at 1024 bytes; a smaller file cannot hold the three lines. */
const MAX_POINTER_BYTES = 1024;
const MIN_POINTER_BYTES = POINTER_PREFIX.length;

export function isLfsPointerText(content: Buffer): boolean {
  return content.subarray(0, POINTER_PREFIX.length).toString("latin1") === POINTER_PREFIX;
}

/** Whether a file could be an LFS pointer at all: its size alone rules out almost every file. */
export function mayBeLfsPointer(entry: TreeEntry): boolean {
  return entry.type === "file" && entry.size >= MIN_POINTER_BYTES && entry.size <= MAX_POINTER_BYTES;
}

/** Whether a regular file is an LFS pointer; sizes alone rule out almost every file without reading it. */
export async function isLfsPointer(tree: SourceTree, entry: TreeEntry): Promise<boolean> {
  if (!mayBeLfsPointer(entry)) return false;
  try {
    return isLfsPointerText(await tree.readFile(entry.path, MAX_POINTER_BYTES));
  } catch {
    return false; // unreadable files are reported by whoever needs their content
  }
}

/** LFS pointers anywhere inside a folder (not following symlinks), sorted. */
export async function lfsPointersIn(tree: SourceTree, folder: string, skip: ReadonlySet<string>): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: TreeEntry[];
    try {
      entries = await tree.readDir(dir);
    } catch {
      return;
    }
    await Promise.all(
      entries.map(async (entry) => {
        const name = entry.path.slice(entry.path.lastIndexOf("/") + 1);
        if (entry.type === "dir") {
          if (!skip.has(name)) await walk(entry.path);
        } else if (await isLfsPointer(tree, entry)) {
          found.push(entry.path);
        }
      }),
    );
  };
  await walk(folder);
  return found.sort();
}
