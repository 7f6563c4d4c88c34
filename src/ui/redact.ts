// No credential is ever rendered: values the manifest rules would not quote back are masked, by the
// same test (`mayBeSecret`) those rules use.
import { mayBeSecret } from "../manifest/rules/secrets.js";

export function redactDocument(value: unknown, path: (string | number)[] = []): unknown {
  if (typeof value === "string") return mayBeSecret(path, value) ? "***" : value;
  if (Array.isArray(value)) return value.map((v, i) => redactDocument(v, [...path, i]));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDocument(v, [...path, k])]));
  }
  return value;
}
