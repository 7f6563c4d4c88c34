import { describe, expect, it } from "vitest";
import { forEachConcurrent, mapConcurrent } from "./concurrency.js";

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

describe("mapConcurrent", () => {
  it("keeps at most `limit` items in progress and returns results in input order", async () => {
    let running = 0;
    let most = 0;
    const results = await mapConcurrent([5, 1, 4, 2, 3], 2, async (n) => {
      most = Math.max(most, ++running);
      for (let i = 0; i < n; i++) await tick();
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });

  it("starts nothing after a failure and throws the first error once the started items settle", async () => {
    const started: number[] = [];
    const settled: number[] = [];
    const run = forEachConcurrent([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      if (n > 1) await tick();
      if (n === 2) throw new Error("two");
      await tick();
      settled.push(n);
    });
    await expect(run).rejects.toThrow("two");
    expect(started).toEqual([1, 2, 3]);
    expect(settled).toEqual([1, 3]);
  });

  it("runs one at a time for a limit below one, and nothing for no items", async () => {
    expect(await mapConcurrent([1, 2], 0, async (n) => n)).toEqual([1, 2]);
    expect(await mapConcurrent([], 4, async () => 1)).toEqual([]);
  });
});
