import { describe, expect, it } from "vitest";
import { ProgressMeter, type ProgressUpdate } from "./progress.js";

describe("ProgressMeter", () => {
  it("tells its listener the phase's running counts, then that it ended, and starts over after", () => {
    const seen: ProgressUpdate[] = [];
    const meter = new ProgressMeter("storing", (u) => seen.push(u));
    meter.expect(100);
    meter.advance(40);
    meter.expect(-10); // one object turned out to be stored already
    meter.advance(50);
    meter.end();
    meter.advance(5);
    expect(seen.map((u) => [u.done, u.total, u.ended])).toEqual([
      [0, 100, false],
      [40, 100, false],
      [40, 90, false],
      [90, 90, false],
      [90, 90, true],
      [5, 0, false],
    ]);
  });

  it("says nothing of a phase that did nothing, and gives no total when it is not known", () => {
    const seen: ProgressUpdate[] = [];
    new ProgressMeter("hashing", (u) => seen.push(u)).end();
    expect(seen).toEqual([]);
    const meter = new ProgressMeter("hashing", (u) => seen.push(u), false);
    meter.advance(7);
    expect(seen).toEqual([{ phase: "hashing", done: 7, total: undefined, ended: false }]);
  });

  it("counts nothing without a listener, and a failing listener never fails the work", () => {
    const quiet = new ProgressMeter("hashing", undefined);
    quiet.expect(10);
    quiet.advance(10);
    expect([quiet.done, quiet.total]).toEqual([0, 0]);
    const failing = new ProgressMeter("hashing", () => {
      throw new Error("listener bug");
    });
    expect(() => {
      failing.expect(1);
      failing.advance(1);
      failing.end();
    }).not.toThrow();
  });

  it("counts an item's bytes as told, never beyond its size, and the rest when it completes", () => {
    const seen: number[] = [];
    const meter = new ProgressMeter("storing", (u) => seen.push(u.done));
    meter.expect(300);
    const told = meter.item(100);
    told.advance(60);
    told.advance(60); // the file grew: only 40 more count
    told.complete();
    const untold = meter.item(200);
    untold.complete(); // stored in one step
    untold.complete();
    expect(seen).toEqual([0, 60, 100, 300]);
  });
});
