import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupTemporary, temporaryDir, writeFiles } from "../source/repo.test-helper.js";
import { watchRepository, type WatchEvent } from "./watch.js";

afterAll(cleanupTemporary);

describe("watchRepository", () => {
  it("sees a second save of a file made right after a cycle read the first (chokidar's 50 ms change throttle)", async () => {
    const root = temporaryDir();
    writeFiles(root, { "model.yml": "v0" });
    const file = path.join(root, "model.yml");
    const read: string[] = [];
    const events: WatchEvent[] = [];
    let waiting: (() => void) | undefined;
    const handle = await watchRepository({
      root,
      debounceMs: 0,
      async cycle() {
        read.push(readFileSync(file, "utf8"));
        return { status: "invalid", diagnostics: [] };
      },
      emit(event) {
        events.push(event);
        waiting?.();
      },
    });
    try {
      await handle.ready;
      const next = (): Promise<void> => new Promise((resolve) => (waiting = resolve));
      for (let round = 1; round <= 3; round++) {
        const first = next();
        writeFileSync(file, `v${round}a`);
        await first;
        // Saved again at once: within 50 ms of the change chokidar reported, which it drops.
        const second = next();
        writeFileSync(file, `v${round}b-longer`);
        await Promise.race([second, new Promise((_, reject) => setTimeout(() => reject(new Error(`no cycle after the second save; read: ${read.join(", ")}`)), 2000))]);
        expect(read.at(-1)).toBe(`v${round}b-longer`);
        await new Promise((resolve) => setTimeout(resolve, 120));
      }
    } finally {
      await handle.close();
    }
  });
});
