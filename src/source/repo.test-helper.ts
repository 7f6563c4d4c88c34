// Test fixtures for source/: real temporary git repositories, and Manifest objects made from YAML text the
// way the loader makes them (spec = the document as JSON, positions from the YAML nodes).
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { isMap, LineCounter, parseDocument } from "yaml";
import type { Manifest, ManifestKind } from "../manifest/types.js";

export type FileSpec = string | Buffer | { link: string } | { content: string | Buffer; mode: number };

const created: string[] = [];

export function git(root: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export function writeFiles(root: string, files: Record<string, FileSpec>): void {
  for (const [rel, spec] of Object.entries(files)) {
    const abs = path.join(root, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    rmSync(abs, { force: true, recursive: true });
    if (typeof spec === "string" || Buffer.isBuffer(spec)) writeFileSync(abs, spec);
    else if ("link" in spec) symlinkSync(spec.link, abs);
    else {
      writeFileSync(abs, spec.content);
      chmodSync(abs, spec.mode);
    }
  }
}

/** A temporary folder, removed by `cleanupTemporary`. */
export function temporaryDir(prefix = "assetctl-source-"): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** A new git repository on branch main with the given files (not committed). */
export function makeRepo(files: Record<string, FileSpec> = {}): string {
  const root = temporaryDir();
  git(root, "init", "-q", "-b", "main");
  git(root, "config", "user.name", "Test");
  git(root, "config", "user.email", "test@example.com");
  git(root, "config", "commit.gpgsign", "false");
  writeFiles(root, files);
  return root;
}

export function commitAll(root: string, message = "commit"): string {
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", message);
  return git(root, "rev-parse", "HEAD").trim();
}

export function cleanupTemporary(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A Manifest as the loader produces it from `text` at repository path `file`. */
export function manifestFromYaml(file: string, kind: ManifestKind, text: string, anonymous = false): Manifest {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const spec = doc.toJS() as Record<string, unknown>;
  const version = spec["version"];
  return {
    file,
    kind,
    name: typeof spec["name"] === "string" ? spec["name"] : undefined,
    version: version === undefined || version === null ? undefined : String(version),
    spec,
    anonymous,
    locate: (keyPath) => {
      let node = keyPath.length === 0 ? doc.contents : doc.getIn(keyPath, true);
      if (keyPath.length === 0 && isMap(node)) node = node.items[0]?.key ?? node;
      const range = (node as { range?: [number, number, number] } | undefined)?.range;
      if (!range) return { line: 0, column: 0 };
      const { line, col } = lineCounter.linePos(range[0]);
      return { line, column: col };
    },
  };
}
