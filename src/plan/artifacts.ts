// What a new version changes in its files, and what it would upload: the files added, removed and changed
// of each artifact against the version it follows, and the bytes of objects the registry does not hold yet.
// Pure: the registry's holdings come from its snapshot.
import type { Artifact, Digest, RegistrySnapshot } from "../registry/types.js";
import type { ArtifactChange, Change, Upload } from "./types.js";

/** For each artifact (by its place in the spec) whose content differs: its files added, removed and changed. */
export function artifactChanges(before: readonly Artifact[], after: readonly Artifact[]): ArtifactChange[] {
  const pointers = [...new Set([...before.map((a) => a.pointer), ...after.map((a) => a.pointer)])].sort();
  const result: ArtifactChange[] = [];
  for (const pointer of pointers) {
    const a = before.find((x) => x.pointer === pointer);
    const b = after.find((x) => x.pointer === pointer);
    if (a && b && a.digest === b.digest) continue;
    const old = new Map((a?.files ?? []).map((f) => [f.path, f]));
    const now = new Map((b?.files ?? []).map((f) => [f.path, f]));
    const byPath = (x: { path: string }, y: { path: string }): number => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0);
    result.push({
      pointer,
      source: (b ?? a)?.source ?? "",
      added: [...now.values()].filter((f) => !old.has(f.path)).map((f) => ({ path: f.path, size: f.size })).sort(byPath),
      changed: [...now.values()]
        .flatMap((f) => {
          const was = old.get(f.path);
          return was && (was.digest !== f.digest || was.mode !== f.mode) ? [{ path: f.path, old_size: was.size, size: f.size }] : [];
        })
        .sort(byPath),
      removed: [...old.values()].filter((f) => !now.has(f.path)).map((f) => ({ path: f.path, size: f.size })).sort(byPath),
    });
  }
  return result;
}

/**
 * Sets `upload` on each create that stores objects the registry lacks (each object counted once, by the
 * first change that needs it) and returns the total. An object stored without a version that names it
 * (an interrupted apply) is counted as missing: the total is what apply uploads at most.
 */
export function markUploads(changes: readonly Change[], snapshot: RegistrySnapshot): Upload {
  const total: Upload = { objects: 0, bytes: 0 };
  if (!changes.some((c) => c.action === "create" && (c.record?.artifacts.length ?? 0) > 0)) return total;
  const held = new Set<Digest>();
  for (const v of snapshot.versions) for (const a of v.record.artifacts) for (const f of a.files) held.add(f.digest);
  for (const change of changes) {
    if (change.action !== "create" || !change.record) continue;
    const upload: Upload = { objects: 0, bytes: 0 };
    for (const artifact of change.record.artifacts) {
      for (const file of artifact.files) {
        if (held.has(file.digest)) continue;
        held.add(file.digest);
        upload.objects += 1;
        upload.bytes += file.size;
      }
    }
    if (upload.objects > 0) {
      change.upload = upload;
      total.objects += upload.objects;
      total.bytes += upload.bytes;
    }
  }
  return total;
}
