// Readers during an apply: while another process applies 300 new versions, `verify` run again and again
// on the same registry finds nothing wrong, and every snapshot a reader takes (what list, show, pull and
// plan read) holds only whole versions whose objects are stored. A reader sees one consistent state.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FsDriver } from "../../src/registry/drivers/fs.js";
import type { VerifyProblem } from "../../src/registry/types.js";
import { TempRepo } from "../e2e/harness.js";
import { runCli } from "./support.js";

const VERSIONS = 300;
const SCHEMA = "https://azuremlschemas.azureedge.net/latest";

describe("readers during an apply", () => {
  const repo = new TempRepo({});
  afterAll(() => repo.remove());

  it(`verify in a loop during a ${VERSIONS}-version apply reports nothing that is not real`, async () => {
    for (let i = 0; i < VERSIONS; i++) {
      const dir = path.join(repo.root, "models", `m${i}`);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, "model.yml"), `$schema: ${SCHEMA}/model.schema.json\nname: model-${i}\npath: ./w.bin\n`);
      writeFileSync(path.join(dir, "w.bin"), `weights of model ${i}\n`);
    }
    repo.commit("models");
    const registry = path.join(repo.root, ".assetctl", "registry");
    // An empty registry, so that the reader can open it before the apply begins.
    const created = new FsDriver({ path: registry });
    await created.open({ create: true });
    await created.close();
    const reader = new FsDriver({ path: registry });
    await reader.open();
    const problems: VerifyProblem[] = [];
    const seen = new Set<number>();
    let rounds = 0;
    try {
      const applying = runCli(["apply", "--auto-approve"], { cwd: repo.root, timeoutMs: 120_000 });
      let done = false;
      void applying.finally(() => (done = true));
      // Two readers at once: verify, and snapshots as list, show, pull and plan take them.
      const verifying = (async () => {
        while (!done || rounds === 0) {
          rounds += 1;
          problems.push(...(await reader.verify()));
        }
      })();
      while (!done) {
        const snapshot = await reader.snapshot();
        seen.add(snapshot.versions.length);
        for (const v of snapshot.versions) {
          for (const f of (v.record.artifacts ?? []).flatMap((a) => a.files ?? [])) {
            if (!(await reader.hasObject(f.digest))) problems.push({ code: "object-missing", message: `snapshot: ${v.record.name} without ${f.digest}`, subject: f.digest });
          }
        }
      }
      await verifying;
      const applied = await applying;
      expect(applied.stderr).toBe("");
      expect(applied.code).toBe(0);
      problems.push(...(await reader.verify()));
    } finally {
      await reader.close();
    }
    expect(problems).toEqual([]);
    // The readers did look while the apply was writing: some saw it partly done.
    expect(rounds).toBeGreaterThan(1);
    expect([...seen].some((n) => n > 0 && n < VERSIONS), `versions seen: ${[...seen].join(", ")}`).toBe(true);
  }, 240_000);
});
