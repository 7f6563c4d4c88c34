// Terminal colour, on for a TTY (or with FORCE_COLOR) and never with NO_COLOR, so piped and CI output stays plain text.
export interface Style {
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  cyan(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

const wrap = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

export const plain: Style = {
  green: (t) => t,
  yellow: (t) => t,
  red: (t) => t,
  cyan: (t) => t,
  dim: (t) => t,
  bold: (t) => t,
};

export const colour: Style = {
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  red: wrap(31, 39),
  cyan: wrap(36, 39),
  dim: wrap(2, 22),
  bold: wrap(1, 22),
};

/**
 * Colour when writing to a terminal, unless NO_COLOR (or `--no-color`, which sets it) says otherwise;
 * FORCE_COLOR (not "0" or "false") colours piped output too, for CI logs that render it. NO_COLOR wins.
 */
export function styleFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): Style {
  const noColor = env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "";
  if (noColor) return plain;
  const force = env["FORCE_COLOR"];
  if (force !== undefined && force !== "" && force !== "0" && force !== "false") return colour;
  return stream.isTTY ? colour : plain;
}
