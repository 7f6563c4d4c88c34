// The shape of a CLI command, and the option sets several commands share.
import type { ParseArgsConfig } from "node:util";
import { UserError } from "../../diagnostics.js";
import type { OnProgress } from "../../progress.js";
import type { Io } from "../io.js";

export type Options = NonNullable<ParseArgsConfig["options"]>;
export type Values = Record<string, unknown>;

export interface Command {
  usage: string;
  description: string;
  options: Options;
  run(values: Values, positionals: string[], io: Io): Promise<number>;
}

export const common: Options = {
  dir: { type: "string" },
  registry: { type: "string" },
  json: { type: "boolean" },
};

export function str(values: Values, key: string): string | undefined {
  const v = values[key];
  return typeof v === "string" ? v : undefined;
}

export function strs(values: Values, key: string): string[] {
  const v = values[key];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

export function flag(values: Values, key: string): boolean {
  return values[key] === true;
}

/** `--json` or `--format F`, checked against the formats a command supports. */
export function outputFormat<F extends string>(values: Values, allowed: readonly F[]): F | "json" | "text" {
  const format = str(values, "format");
  if (flag(values, "json")) return "json";
  if (format === undefined) return "text";
  if (!(allowed as readonly string[]).includes(format)) {
    throw new UserError("format-invalid", `--format ${format} is not supported here`, { hint: `use one of: ${allowed.join(", ")}` });
  }
  return format as F;
}

/** `{onProgress}` for the long work a command starts, when progress is shown (spread into its options). */
export function progressOf(io: Io): { onProgress?: OnProgress } {
  return io.progress ? { onProgress: io.progress } : {};
}

export function json(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

/** `--depth N`: a whole number of hops, 1 or more; unlimited when absent. */
export function depthOption(values: Values): number {
  const text = str(values, "depth");
  if (text === undefined) return Infinity;
  const depth = Number(text);
  if (!/^\d+$/.test(text) || depth < 1) throw new UserError("flag-invalid", `--depth ${text} is not a number of hops`, { hint: "write --depth 1 or more" });
  return depth;
}
