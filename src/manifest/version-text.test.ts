import { describe, expect, it } from "vitest";
import { pythonFloatText, pythonNumberText } from "./version-text.js";

describe("what Azure ML registers for a version written as a number", () => {
  it("prints floats as Python's str() does", () => {
    expect([1.1, 1.0, 0.5, 1e16, 1.5e-5, 123456.789, -2.0].map(pythonFloatText)).toEqual(["1.1", "1.0", "0.5", "1e+16", "1.5e-05", "123456.789", "-2.0"]);
  });

  it("reads integers as PyYAML (YAML 1.1) does, leading zeros as octal", () => {
    expect(pythonNumberText("1.10", 1.1)).toBe("1.1");
    expect(pythonNumberText("2", 2)).toBe("2");
    expect(pythonNumberText("010", 10)).toBe("8");
    expect(pythonNumberText("1.5e3", 1500)).toBe("1500.0");
    expect(pythonNumberText("1e3", 1000)).toBe("1e3");
  });
});
