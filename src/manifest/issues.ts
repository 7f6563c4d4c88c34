// Turns zod issues into located diagnostics with stable codes: one diagnostic per problem, at the YAML node
// it is about, in words a person can act on ("did you mean …").
import type { z } from "zod";
import type { Diagnostic, Severity } from "../diagnostics.js";
import { diagnostic, formatPath } from "./diagnostic.js";
import { didYouMean } from "./suggest.js";
import { mayBeSecret } from "./rules/secrets.js";
import type { Locate } from "./types.js";

type Issue = z.core.$ZodIssue;
type KeyPath = readonly (string | number)[];

/** What a custom check (`ctx.addIssue`) puts in `params` to choose its diagnostic. */
export interface IssueParams {
  code: string;
  hint?: string;
  severity?: Severity;
  /** Point at the key rather than at its value (unknown or misplaced keys). */
  at?: "key";
}

export interface IssueContext {
  file: string;
  /** The data that was validated, to describe what was found at a path. */
  value: unknown;
  locate: Locate;
  locateKey: Locate;
  /** Key paths (JSON) already reported as template placeholders: their schema issues would only repeat it. */
  placeholders?: ReadonlySet<string>;
}

/** Keys that exist only in what Azure ML returns; never worth suggesting for a typo. */
const READ_ONLY_KEYS: ReadonlySet<string> = new Set([
  "id",
  "creation_context",
  "latest_version",
  "job_name",
  "utc_time_created",
  "status",
  "log_files",
]);

/** The description of a key Azure ML loads and ignores (schema/component.ts): accepted, but never offered. */
export const IGNORED_ON_LOAD = "Loaded and ignored by Azure ML on a component: it belongs to the job that runs it.";

/**
 * The error map passed to `safeParse`: zod drops the schema from finished issues, so the keys an object
 * allows are copied onto its `unrecognized_keys` issue while the schema is still at hand.
 */
export const annotateIssue: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === "unrecognized_keys") {
    const shape = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
    // Keys Azure ML ignores on a component are accepted, but not offered.
    if (shape) (issue as { allowed?: string[] }).allowed = Object.keys(shape).filter((key) => (shape[key] as { description?: string } | undefined)?.description !== IGNORED_ON_LOAD);
  }
  return undefined;
};

/** Past this many problems in one file, the rest would bury the first ones (and take time to place). */
export const MAX_PROBLEMS_PER_FILE = 100;

export function issuesToDiagnostics(issues: readonly Issue[], ctx: IssueContext): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const issue of issues) {
    convert(issue, [], ctx, out);
    if (out.length > MAX_PROBLEMS_PER_FILE) break;
  }
  const placeholders = ctx.placeholders;
  const kept = dedupe(placeholders && placeholders.size > 0 ? out.filter((d) => !d.path || !coveredBy(d.path, placeholders)) : out);
  if (kept.length <= MAX_PROBLEMS_PER_FILE) return kept;
  return [
    ...kept.slice(0, MAX_PROBLEMS_PER_FILE),
    diagnostic({ code: "too-many-problems", message: `more than ${MAX_PROBLEMS_PER_FILE} problems: the rest are not shown`, file: ctx.file }),
  ];
}

function coveredBy(path: KeyPath, placeholders: ReadonlySet<string>): boolean {
  for (let i = path.length; i >= 1; i--) if (placeholders.has(JSON.stringify(path.slice(0, i)))) return true;
  return false;
}

function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.code}\0${d.line}\0${d.column}\0${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function valueAt(root: unknown, path: KeyPath): unknown {
  let node = root;
  for (const key of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

function hasKey(root: unknown, path: KeyPath): boolean {
  const parent = valueAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  return parent !== null && typeof parent === "object" && last !== undefined && Object.hasOwn(parent, last);
}

function describeValue(value: unknown, path: KeyPath): string {
  if (value === null || value === undefined) return "empty";
  if (Array.isArray(value)) return "a list";
  switch (typeof value) {
    case "string":
      // What may be a secret is never quoted back, though the manifest is too broken for the secrets rule.
      if (mayBeSecret(path, value)) return "a string (not shown: it may be a secret)";
      return `the string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
    case "number":
      return Number.isInteger(value) ? `the integer ${value}` : `the number ${value}`;
    case "boolean":
      return `the boolean ${value}`;
    case "object":
      return "a mapping";
    default:
      return typeof value;
  }
}

const EXPECTED: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "a boolean (true or false)",
  object: "a mapping",
  record: "a mapping",
  array: "a list",
  tuple: "a list",
  null: "empty",
};

function expectedText(expected: string): string {
  return EXPECTED[expected] ?? expected;
}

/** `"type"` at the top level, `"type" in "inputs.x"` below it. */
function where(path: KeyPath): string {
  const key = path[path.length - 1];
  const name = typeof key === "number" ? `item ${key}` : `"${String(key)}"`;
  return path.length > 1 ? `${name} in "${formatPath(path.slice(0, -1))}"` : name;
}

function convert(issue: Issue, prefix: KeyPath, ctx: IssueContext, out: Diagnostic[]): void {
  const path: KeyPath = [...prefix, ...(issue.path as (string | number)[])];
  const found = valueAt(ctx.value, path);
  const at = (p: KeyPath) => ctx.locate(p);
  const push = (code: string, message: string, p: KeyPath, options: { hint?: string | undefined; key?: boolean; severity?: Severity } = {}) =>
    out.push(
      diagnostic({
        code,
        message,
        file: ctx.file,
        at: options.key ? ctx.locateKey(p) : at(p),
        hint: options.hint,
        path: p,
        severity: options.severity ?? "error",
      }),
    );

  switch (issue.code) {
    case "custom": {
      const params = issue.params as Partial<IssueParams> | undefined;
      push(params?.code ?? "schema-invalid", issue.message, path, {
        hint: params?.hint,
        key: params?.at === "key",
        severity: params?.severity ?? "error",
      });
      return;
    }
    case "unrecognized_keys": {
      const allowed = ((issue as { allowed?: string[] }).allowed ?? []).filter((k) => !READ_ONLY_KEYS.has(k));
      for (const key of issue.keys.slice(0, MAX_PROBLEMS_PER_FILE + 1)) {
        const suggestion = didYouMean(key, allowed);
        const list = allowed.length > 0 && allowed.length <= 24 ? `allowed here: ${allowed.join(", ")}` : undefined;
        const inside = path.length > 0 ? ` in "${formatPath(path)}"` : "";
        push("schema-unknown-key", `unknown key "${key}"${inside}`, [...path, key], { hint: suggestion ?? list, key: true });
      }
      return;
    }
    case "invalid_type": {
      if (!hasKey(ctx.value, path) && path.length > 0) {
        const parent = path.slice(0, -1);
        const inside = parent.length > 0 ? ` in "${formatPath(parent)}"` : "";
        push("schema-required", `missing required key "${String(path[path.length - 1])}"${inside}`, parent);
        return;
      }
      const subject = path.length > 0 ? where(path) : "the document";
      push("schema-type", `${subject} must be ${expectedText(issue.expected)}, not ${describeValue(found, path)}`, path);
      return;
    }
    case "invalid_value": {
      const values = issue.values.map((v) => String(v));
      const hint = typeof found === "string" ? didYouMean(found, values) : undefined;
      const list = values.length === 1 ? `"${values[0]}"` : `one of ${values.join(", ")}`;
      push("schema-enum", `${where(path)} must be ${list}, not ${describeValue(found, path)}`, path, { hint });
      return;
    }
    case "invalid_union": {
      if (issue.errors.length === 0 && "discriminator" in issue && issue.discriminator !== undefined) {
        // No option has this discriminator value (zod puts the discriminator's key in the path).
        if (found === undefined) {
          push("schema-required", `missing required key "${String(path[path.length - 1])}"`, path.slice(0, -1));
          return;
        }
        const options = ("options" in issue ? (issue.options ?? []) : []).map(String);
        const hint = typeof found === "string" ? didYouMean(found, options) : undefined;
        push("schema-enum", `${where(path)} must be one of ${options.join(", ")}, not ${describeValue(found, path)}`, path, { hint });
        return;
      }
      convertUnion(issue.errors, path, found, ctx, out, push);
      return;
    }
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      let message: string;
      if (issue.origin === "string") {
        message =
          issue.code === "too_small" && Number(bound) === 1
            ? `${where(path)} must not be empty`
            : `${where(path)} must be ${issue.code === "too_small" ? "at least" : "at most"} ${bound} characters long`;
      } else if (issue.origin === "array") {
        message = `${where(path)} must have ${issue.code === "too_small" ? "at least" : "at most"} ${bound} items`;
      } else {
        message = `${where(path)} must be ${issue.code === "too_small" ? "at least" : "at most"} ${bound}, not ${describeValue(found, path)}`;
      }
      push("schema-value", message, path);
      return;
    }
    case "invalid_format":
      push("schema-value", `${where(path)} must match ${issue.pattern ?? issue.format}, not ${describeValue(found, path)}`, path);
      return;
    case "invalid_key":
      push("schema-type", `the key ${where(path)} is not a valid key here`, path, { key: true });
      return;
    default:
      push("schema-invalid", `${path.length > 0 ? where(path) : "the document"}: ${issue.message}`, path);
  }
}

type Push = (code: string, message: string, p: KeyPath, options?: { hint?: string | undefined; key?: boolean }) => void;

/**
 * A value matched none of a union's options. The option the author meant is the one whose type fits
 * (a mapping for a mapping): report its problems. When no option fits, say which types would.
 */
function convertUnion(branches: readonly (readonly Issue[])[], path: KeyPath, found: unknown, ctx: IssueContext, out: Diagnostic[], push: Push): void {
  const misfit = (issues: readonly Issue[]) =>
    issues.some((i) => i.path.length === 0 && (i.code === "invalid_type" || (i.code === "invalid_union" && i.errors.every((b) => b.some((x) => x.path.length === 0 && x.code === "invalid_type")))));
  const fitting = branches.filter((b) => !misfit(b));
  if (fitting.length === 0) {
    const expected = new Set<string>();
    const collect = (issues: readonly Issue[]): void => {
      for (const i of issues) {
        if (i.path.length !== 0) continue;
        if (i.code === "invalid_type") expected.add(expectedText(i.expected));
        else if (i.code === "invalid_union") i.errors.forEach(collect);
      }
    };
    branches.forEach(collect);
    const list = [...expected];
    const text = list.length <= 1 ? (list[0] ?? "something else") : `${list.slice(0, -1).join(", ")} or ${list[list.length - 1]}`;
    push("schema-type", `${path.length > 0 ? where(path) : "the document"} must be ${text}, not ${describeValue(found, path)}`, path);
    return;
  }
  // Of the fitting options, the one with the fewest problems is the closest to what was written.
  const best = fitting.reduce((a, b) => (weight(b) < weight(a) ? b : a));
  for (const issue of best) convert(issue, path, ctx, out);
}

/** Unknown keys weigh less than a wrong value: `{account_key: …}` is closer to the account-key option. */
function weight(issues: readonly Issue[]): number {
  return issues.reduce((n, i) => n + (i.code === "unrecognized_keys" ? 2 * i.keys.length : 3), 0);
}
