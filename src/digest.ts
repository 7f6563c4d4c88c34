// Content digests: SHA-256 over bytes, and over a canonical JSON form (sorted keys, no whitespace) so
// that key order and YAML formatting never change a digest.
import { createHash } from "node:crypto";
import type { Digest } from "./registry/types.js";

export function sha256(data: string | Uint8Array): Digest {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

export function isDigest(value: unknown): value is Digest {
  return typeof value === "string" && /^sha256:[0-9a-f]{64}$/.test(value);
}

/** JSON with object keys sorted at every level; `undefined` members are left out as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  const entries = Object.keys(value as object)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(",")}}`;
}

export function jsonDigest(value: unknown): Digest {
  return sha256(canonicalJson(value));
}

/** The short form shown to people: the first 12 hex digits. */
export function shortDigest(digest: Digest): string {
  return digest.slice("sha256:".length, "sha256:".length + 12);
}
