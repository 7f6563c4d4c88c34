// An in-memory SourceTree for the loader's tests: a repository from a map of path → text, no disk.
import path from "node:path";
import type { Diagnostic } from "../diagnostics.js";
import { TreeReadError, type SourceTree, type TreeEntry } from "../source/tree.js";
import { loadManifests } from "./load.js";
import type { Manifest } from "./types.js";

export class MemoryTree implements SourceTree {
  readonly root = "/memory";
  readonly label = "memory";
  private readonly files: Map<string, Buffer>;

  constructor(files: Record<string, string | Buffer>) {
    this.files = new Map(Object.entries(files).map(([p, content]) => [p, typeof content === "string" ? Buffer.from(content) : content]));
  }

  async listFiles(): Promise<string[]> {
    return [...this.files.keys()].sort();
  }

  async stat(relPath: string): Promise<TreeEntry | undefined> {
    const file = this.files.get(relPath);
    if (file) return { path: relPath, type: "file", size: file.length, mode: 0o644 };
    const isDir = relPath === "" || [...this.files.keys()].some((f) => f.startsWith(`${relPath}/`));
    return isDir ? { path: relPath, type: "dir", size: 0, mode: 0o755 } : undefined;
  }

  async readDir(relPath: string): Promise<TreeEntry[]> {
    const prefix = relPath === "" ? "" : `${relPath}/`;
    const names = new Set([...this.files.keys()].filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length).split("/")[0] ?? ""));
    const entries = await Promise.all([...names].sort().map((n) => this.stat(`${prefix}${n}`)));
    return entries.filter((e): e is TreeEntry => e !== undefined);
  }

  async readFile(relPath: string, maxBytes = Number.MAX_SAFE_INTEGER): Promise<Buffer> {
    const file = this.files.get(relPath);
    if (!file) throw new TreeReadError("missing", relPath, `${relPath} does not exist`);
    if (file.length > maxBytes) throw new TreeReadError("too-large", relPath, `${relPath} is ${file.length} bytes, over the limit of ${maxBytes}`);
    return file;
  }

  async readLink(relPath: string): Promise<string> {
    throw new TreeReadError("not-a-file", relPath, `${path.posix.basename(relPath)} is not a symbolic link`);
  }
}

/** A diagnostic as the snapshots show it: without the file when it is the one under test. */
export function shown(d: Diagnostic, file?: string): Partial<Diagnostic> {
  const { file: f, ...rest } = d;
  return f === file ? rest : d;
}

/** Loads one manifest (plus other files of the repository) and returns it with its diagnostics. */
export async function loadOne(
  text: string,
  options: { file?: string; files?: Record<string, string> } = {},
): Promise<{ manifest: Manifest | undefined; diagnostics: Partial<Diagnostic>[] }> {
  const file = options.file ?? "manifest.yml";
  const { manifests, diagnostics } = await loadManifests(new MemoryTree({ ...options.files, [file]: text }));
  return { manifest: manifests.find((m) => m.file === file), diagnostics: diagnostics.map((d) => shown(d, file)) };
}

/** `$schema: <Azure ML schema URL>` for a kind's schema name, e.g. `commandComponent`. */
export function schemaLine(name: string): string {
  return `$schema: https://azuremlschemas.azureedge.net/latest/${name}.schema.json`;
}
