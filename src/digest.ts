// Content digests: SHA-256 over bytes, and over a canonical JSON form (sorted keys, no whitespace) so
// that key order and YAML formatting never change a digest.
import type { Digest } from "./domain.js";

/**
 * node:crypto's one-shot hash (a third of createHash's cost, for the thousands of small digests every plan
 * makes), loaded at the first digest: a process that only replays a kept answer (cli/replay.ts) never does.
 */
let oneShot: typeof import("node:crypto").hash | undefined;

/** The SHA-256 of `data` (a string as UTF-8), in hex. */
export function sha256Hex(data: string | Uint8Array): string {
  oneShot ??= process.getBuiltinModule("node:crypto").hash;
  return oneShot("sha256", data, "hex");
}

export function sha256(data: string | Uint8Array): Digest {
  return `sha256:${sha256Hex(data)}`;
}

export function isDigest(value: unknown): value is Digest {
  return typeof value === "string" && /^sha256:[0-9a-f]{64}$/.test(value);
}

/**
 * JSON with object keys sorted at every level; `undefined` members are left out as JSON.stringify does.
 * Built by concatenation rather than map/join: every plan digests every asset, so this is a hot loop.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ",";
      // A hole renders as nothing, as it always has (map skips holes, join leaves them empty).
      if (i in value) {
        const item: unknown = value[i];
        out += item === undefined ? "null" : canonicalJson(item);
      }
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  let out = "{";
  let first = true;
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined) continue;
    out += `${first ? "" : ","}${JSON.stringify(key)}:${canonicalJson(member)}`;
    first = false;
  }
  return `${out}}`;
}

export function jsonDigest(value: unknown): Digest {
  return sha256(canonicalJson(value));
}

/** The short form shown to people: the first 12 hex digits. */
export function shortDigest(digest: Digest): string {
  return digest.slice("sha256:".length, "sha256:".length + 12);
}
