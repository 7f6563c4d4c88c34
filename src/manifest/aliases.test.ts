import { describe, expect, it } from "vitest";
import { parseAliases, reservedAlias } from "./aliases.js";

describe("aliases.yaml", () => {
  it("reads the aliases of each asset, with where each version is written, and the policy", async () => {
    const { declared, diagnostics } = await parseAliases(
      ["aliases:", "  model:churn:", "    staging: 4", "    production: 3", "policy:", "  order: [staging, production]", "  soak: { production: 3d }", "  protected: [production]", ""].join("\n"),
    );
    expect(diagnostics).toEqual([]);
    expect(declared?.aliases).toEqual([
      { kind: "model", name: "churn", alias: "staging", version: "4", at: { line: 3, column: 14 } },
      { kind: "model", name: "churn", alias: "production", version: "3", at: { line: 4, column: 17 } },
    ]);
    expect(declared?.policy).toEqual({ names: undefined, order: ["staging", "production"], soak: { production: 3 * 86_400_000 }, protected: ["production"] });
    expect(declared?.assetAt["model:churn"]).toEqual({ line: 2, column: 3 });
  });

  it("refuses reserved names, names the policy does not allow (with a did-you-mean), unknown kinds and bad soak times, each located", async () => {
    const { declared, diagnostics } = await parseAliases(
      ["aliases:", "  model:churn:", "    latest: 4", "    v2: 3", "    prodution: 3", "policy:", "  names: [staging, production]", ""].join("\n"),
    );
    expect(declared).toBeUndefined();
    expect(diagnostics.map((d) => [d.code, d.line, d.column, d.hint])).toEqual([
      ["alias-reserved", 3, 5, "choose another name, e.g. staging or production"],
      ["alias-reserved", 4, 5, "choose another name, e.g. staging or production"],
      ["alias-name-not-allowed", 5, 5, 'did you mean "production"?'],
    ]);
    const bad = await parseAliases(["aliases:", "  widget:churn: { staging: 1 }", "policy:", "  order: [staging, production]", "  soak: { production: soon }", ""].join("\n"));
    expect(bad.diagnostics.map((d) => [d.line, d.message])).toEqual([
      [2, "\"widget:churn\" is not an asset"],
      [5, "\"soon\" is not a soak time"],
    ]);
  });

  it("needs an alias before a soaked one in the order", async () => {
    const { diagnostics } = await parseAliases(["policy:", "  soak:", "    production: 3d", ""].join("\n"));
    expect(diagnostics.map((d) => [d.code, d.line])).toEqual([["alias-soak-unordered", 3]]);
  });

  it("reserves latest, default and v<N>", () => {
    expect(["latest", "default", "v1", "v12"].every(reservedAlias)).toBe(true);
    expect(["staging", "vnext", "v"].some(reservedAlias)).toBe(false);
  });
});
