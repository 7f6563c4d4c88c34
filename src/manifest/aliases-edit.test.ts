import { describe, expect, it } from "vitest";
import { setAliasVersion } from "./aliases-edit.js";

describe("setAliasVersion", () => {
  it("changes one version and keeps comments, order and the rest of the file", () => {
    const text = [
      "# Which churn model serves where.",
      "aliases:",
      "  model:churn:",
      "    staging: 4 # soaking since Monday",
      "    production: 4  # promoted after review",
      "",
      "policy:",
      "  order: [staging, production]",
      "",
    ].join("\n");
    expect(setAliasVersion(text, "model:churn", "production", "3")).toBe(text.replace("production: 4  #", "production: 3  #"));
  });

  it("adds an alias that is not written yet", () => {
    expect(setAliasVersion("aliases:\n  model:churn:\n    staging: 4\n", "model:churn", "production", "rc1")).toBe("aliases:\n  model:churn:\n    staging: 4\n    production: rc1\n");
  });
});
