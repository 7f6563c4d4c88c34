// Reading the untyped, normalized spec of a manifest without trusting its shape: every accessor
// returns undefined instead of throwing when the document is not what a rule expects.

export type SpecObject = Record<string, unknown>;

export function isSpecObject(value: unknown): value is SpecObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function objectAt(value: unknown, key: string): SpecObject | undefined {
  if (!isSpecObject(value)) return undefined;
  const child = value[key];
  return isSpecObject(child) ? child : undefined;
}

export function stringAt(value: unknown, key: string): string | undefined {
  if (!isSpecObject(value)) return undefined;
  const child = value[key];
  return typeof child === "string" ? child : undefined;
}

/** Entries of a mapping, or none when the value is not one. */
export function entriesOf(value: unknown): [string, unknown][] {
  return isSpecObject(value) ? Object.entries(value) : [];
}

/** Keys of a mapping (declared inputs, outputs, jobs), or none. */
export function keysOf(value: unknown): string[] {
  return isSpecObject(value) ? Object.keys(value) : [];
}
