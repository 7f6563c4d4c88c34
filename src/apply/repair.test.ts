import { afterAll, describe, expect, it } from "vitest";
import { sha256 } from "../digest.js";
import { MemoryDriver } from "../registry/drivers/memory.js";
import { sampleRecord } from "../registry/sample-records.test-helper.js";
import type { Artifact } from "../registry/types.js";
import { cleanupTemporary, temporaryDir, writeFiles } from "../source/repo.test-helper.js";
import { WorkTree } from "../source/tree.js";
import { repairObjects } from "./repair.js";

afterAll(cleanupTemporary);

const LOCK = { owner: "test@host", timeoutMs: 0 };

/** A folder artifact `models/m` holding these files. */
function folder(files: Record<string, string>): Artifact {
  return {
    pointer: "/path",
    source: "models/m",
    type: "folder",
    digest: sha256(JSON.stringify(files)),
    size: 0,
    files: Object.entries(files).map(([p, data]) => ({ path: p, digest: sha256(data), size: data.length, mode: 0o644 })),
    git: "tracked",
  };
}

describe("repairObjects", () => {
  it("puts back corrupt and missing objects from the files that still hash right, and names the ones it cannot", async () => {
    const root = temporaryDir();
    writeFiles(root, { "models/m/a.bin": "aaa", "models/m/b.bin": "changed since", "models/m/c.bin": "ccc" });
    const registry = new MemoryDriver({ url: "memory:" });
    await registry.open({ create: true });
    const files = { "a.bin": "aaa", "b.bin": "bbb", "c.bin": "ccc" };
    for (const data of Object.values(files)) await registry.putObject(sha256(data), { kind: "bytes", data: Buffer.from(data) });
    await registry.createVersion(sampleRecord({ name: "m", version: "1", artifacts: [folder(files)] }));
    registry.store.objects.set(sha256("aaa"), Buffer.from("rot")); // corrupt
    registry.store.objects.delete(sha256("bbb")); // missing, and the working tree's file changed
    registry.store.objects.delete(sha256("ccc")); // missing

    const repairs = await repairObjects(registry, new WorkTree(root), { lock: LOCK });
    const said = repairs.map((r) => `${r.problem} ${r.uses.map((u) => u.file).join()} → ${r.restoredFrom?.file ?? r.refused.map((f) => f.reason).join()}`).sort();
    expect(said).toEqual([
      "object-corrupt models/m/a.bin → models/m/a.bin",
      "object-missing models/m/b.bin → its bytes hash otherwise (it changed since it was applied)",
      "object-missing models/m/c.bin → models/m/c.bin",
    ]);
    const left = await registry.verify();
    expect(left.map((p) => `${p.code} ${p.subject}`)).toEqual([`object-missing ${sha256("bbb")}`]);
    expect(await registry.currentLock()).toBeUndefined();
  });
});
