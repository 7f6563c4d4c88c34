// Recognizes template placeholders (`{{MODEL_VERSION}}`, `<VERSION>`) left in a file that a script is meant
// to fill in before `az ml … create`, so the user hears "this is a template", not a puzzling type error.

/** `{{NAME}}` not preceded by `$` (which would make it an Azure ML expression `${{…}}`). */
const MUSTACHE = /(?<!\$)\{\{\s*[A-Za-z_][\w.-]*\s*\}\}/;
/** `<VERSION>`, `<STORAGE_ACCOUNT_NAME>`: upper case only, so prompt text such as `<example>` is left alone. */
const ANGLE = /<[A-Z][A-Z0-9_]*>/;

/**
 * Keys whose values name or locate something; a placeholder there cannot be meant literally. Free text
 * (descriptions, commands, prompts passed as inputs) may legitimately contain either form.
 */
const IDENTITY_KEYS: ReadonlySet<string> = new Set([
  "name",
  "version",
  "path",
  "image",
  "code",
  "conda_file",
  "dockerfile_path",
  "component",
  "trial",
  "environment",
  "compute",
  "datastore",
  "account_name",
  "container_name",
  "file_share_name",
  "filesystem",
  "store_name",
  "endpoint",
  "connection",
  "experiment_name",
  "default_datastore",
  "default_compute",
]);

export function isIdentityKey(key: string | number | undefined): boolean {
  return typeof key === "string" && IDENTITY_KEYS.has(key);
}

/** The placeholder inside a scalar's text, if any. */
export function placeholderIn(text: string): string | undefined {
  return MUSTACHE.exec(text)?.[0] ?? ANGLE.exec(text)?.[0];
}

/** A flow mapping written `{{NAME}}` — what YAML makes of an unquoted mustache placeholder. */
export function isMustacheMapping(source: string): boolean {
  return /^\{\{\s*[A-Za-z_][\w.-]*\s*\}\}$/.test(source.trim());
}

/** The first mustache placeholder on the given line of `text` (1-based), as an offset and its text. */
export function mustacheOnLine(text: string, line: number): { offset: number; placeholder: string } | undefined {
  let start = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf("\n", start);
    if (next === -1) return undefined;
    start = next + 1;
  }
  let end = text.indexOf("\n", start);
  if (end === -1) end = text.length;
  const match = MUSTACHE.exec(text.slice(start, end));
  return match ? { offset: start + match.index, placeholder: match[0] } : undefined;
}

export function templateHint(): string {
  return "substitute the placeholders before validating, or list the file under `exclude:` in assetctl.yaml";
}
