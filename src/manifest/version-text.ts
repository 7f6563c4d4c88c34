// Versions are text. YAML reads `version: 1.10` as a number, so the author's own characters are kept, and
// the text Python's `str()` would make of the number (what Azure ML registers) is computed for a warning.

/** `str(float)` in Python: shortest round-trip digits, `.0` for whole numbers, exponent outside 1e-4..1e16. */
export function pythonFloatText(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const [mantissa = "0", exp = "0"] = value.toExponential().split("e");
  const exponent = Number(exp);
  if (exponent < -4 || exponent >= 16) {
    return `${mantissa}e${exponent < 0 ? "-" : "+"}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  const fixed = String(value);
  return fixed.includes(".") ? fixed : `${fixed}.0`;
}

/** `str()` of what PyYAML (YAML 1.1) reads from a plain numeric scalar. */
export function pythonNumberText(source: string, value: number): string {
  const text = source.trim();
  // YAML 1.1 reads a leading zero as octal: `010` is 8; `0o17` and `1e3` (no dot) are strings there.
  if (/^[-+]?0[0-7]+$/.test(text)) return String(Number.parseInt(text, 8));
  if (/^[-+]?0o/i.test(text) || (/e/i.test(text) && !text.includes("."))) return text;
  if (/^[-+]?\d+$/.test(text) || (Number.isInteger(value) && !/[.eE]/.test(text))) return String(value);
  return pythonFloatText(value);
}
