// Every stable code the source reports is documented in docs/diagnostics.md: codes are part of the user
// contract (scripts and CI annotations match them).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(import.meta.dirname, "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const abs = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(abs);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") && !e.name.includes("test-helper") ? [abs] : [];
  });
}

/** Codes as the source writes them: `code: "x"` (and both arms of `code: a ? "x" : "y"`), `UserError("x"`, RegistryErrorCode. */
function codesInSource(): Map<string, string> {
  const codes = new Map<string, string>();
  for (const file of sourceFiles(path.join(root, "src"))) {
    const text = readFileSync(file, "utf8");
    const rel = path.relative(root, file);
    const add = (code: string) => codes.has(code) || codes.set(code, rel);
    for (const m of text.matchAll(/\bcode: ([^,\n}]*)/g)) for (const q of (m[1] ?? "").matchAll(/"([a-z][a-z0-9-]*)"(?!\s*\?)/g)) add(q[1] as string);
    for (const m of text.matchAll(/new (?:UserError|RegistryError)\(\s*"([a-z][a-z0-9-]*)"/g)) add(m[1] as string);
  }
  const driver = readFileSync(path.join(root, "src/registry/driver.ts"), "utf8");
  const union = /export type RegistryErrorCode =([^;]*);/.exec(driver)?.[1] ?? "";
  for (const m of union.matchAll(/"([a-z][a-z0-9-]*)"/g)) codes.set(m[1] as string, "src/registry/driver.ts");
  // Not codes: zod's own issue code in refinements, and a fingerprint field written as `code:`.
  codes.delete("custom");
  return codes;
}

describe("diagnostic and error codes", () => {
  const documented = new Set([...readFileSync(path.join(root, "docs/diagnostics.md"), "utf8").matchAll(/`([a-z][a-z0-9-]*)`/g)].map((m) => m[1] as string));
  const used = codesInSource();

  it("finds the codes in the source", () => {
    expect(used.size).toBeGreaterThan(80);
    expect(used.get("schema-unknown-key")).toBeDefined();
    expect(used.get("plan-stale")).toBeDefined();
  });

  it("documents every code the source reports", () => {
    const missing = [...used].filter(([code]) => !documented.has(code)).map(([code, file]) => `${code} (${file})`);
    expect(missing).toEqual([]);
  });
});
