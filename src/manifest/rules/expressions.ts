// The `${{ … }}` expressions and `$[[ … ]]` optional segments inside a templated string (spec §2.5),
// with their offsets, so rules can check what each one names and point at it.

export interface Expression {
  /** The whole expression as written, `${{ inputs.x }}`. */
  text: string;
  /** What is between the braces, trimmed: `inputs.x`. */
  body: string;
  /** Offset of `$` in the string. */
  start: number;
  /** Whether it sits inside a `$[[ … ]]` segment. */
  optionalSegment: boolean;
  /** How many identical `text`s come before it in the string (to find it again in the YAML source). */
  occurrence: number;
}

export interface OptionalSegment {
  /** `$[[ … ]]` as written. */
  text: string;
  start: number;
  end: number;
  /** Expressions inside the segment. */
  expressions: Expression[];
  occurrence: number;
}

export interface Template {
  expressions: Expression[];
  segments: OptionalSegment[];
  /** Offsets of `${{` or `$[[` that are never closed. */
  unterminated: { text: string; start: number }[];
}

export function parseTemplate(source: string): Template {
  const segments: OptionalSegment[] = [];
  const unterminated: { text: string; start: number }[] = [];
  const seen = new Map<string, number>();
  const occurrenceOf = (text: string): number => {
    const n = seen.get(text) ?? 0;
    seen.set(text, n + 1);
    return n;
  };

  for (let at = source.indexOf("$[["); at >= 0; at = source.indexOf("$[[", at + 3)) {
    const end = source.indexOf("]]", at + 3);
    if (end < 0) {
      unterminated.push({ text: "$[[", start: at });
      break;
    }
    const text = source.slice(at, end + 2);
    segments.push({ text, start: at, end: end + 2, expressions: [], occurrence: occurrenceOf(text) });
    at = end - 1;
  }

  const expressions: Expression[] = [];
  for (let at = source.indexOf("${{"); at >= 0; at = source.indexOf("${{", at + 3)) {
    const end = source.indexOf("}}", at + 3);
    if (end < 0) {
      unterminated.push({ text: "${{", start: at });
      break;
    }
    const text = source.slice(at, end + 2);
    const segment = segments.find((s) => at >= s.start && at < s.end);
    const expression: Expression = {
      text,
      body: source.slice(at + 3, end).trim(),
      start: at,
      optionalSegment: segment !== undefined,
      occurrence: occurrenceOf(text),
    };
    expressions.push(expression);
    segment?.expressions.push(expression);
    at = end - 1;
  }
  return { expressions, segments, unterminated };
}

/** The expressions resolved by Azure ML when a job is submitted, valid in any templated field. */
export const SERVICE_MACROS: ReadonlySet<string> = new Set(["name", "output_name", "default_datastore"]);

/** Identifiers as Azure ML accepts them for ports and steps. */
export const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
