import { describe, expect, it } from "vitest";
import { sampleProvenance } from "../../registry/sample-records.test-helper.js";
import { provenanceLines } from "./read.js";

describe("provenanceLines", () => {
  it("shows the commit's author and who applied", () => {
    expect(provenanceLines(sampleProvenance({ author: "Ada <ada@example.com>", applied_by: { user: "octocat", via: "github-actions" } }))).toEqual([
      "  commit:      0123456789abcdef0123456789abcdef01234567 on main",
      "  author:      Ada <ada@example.com>",
      "  applied by:  octocat (GitHub Actions)",
      "  manifest:    models/model.yml",
      "  tool:        assetctl 0.0.0-test",
    ]);
  });

  it("reads a record written before either was kept, and one made from no commit", () => {
    expect(provenanceLines(sampleProvenance({ commit: null, branch: null }))).toEqual([
      "  commit:      (no commit)",
      "  manifest:    models/model.yml",
      "  tool:        assetctl 0.0.0-test",
    ]);
  });
});
