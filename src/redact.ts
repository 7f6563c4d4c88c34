// The one place that knows what a secret looks like in text: every registry address shown to people,
// every error message and every line the CLI prints goes through `redact`, so a password reaches no
// plan (text, JSON, markdown), comment, artifact or log, in whichever form it was written.
const MASK = "***";

/** Schemes whose user name is an account, not a credential: it is kept, since it says who connects. */
const ACCOUNT_SCHEMES = new Set(["postgres", "postgresql"]);

/**
 * URL user info: `scheme://user:password@` or `scheme://token@`. The password runs to the last `@` before
 * the path, so a password holding an unencoded `@` is hidden whole.
 */
const USERINFO = /\b([a-z][a-z0-9+.-]*):\/\/([^\s/?#@:]*)(?::([^\s/?#]*))?@(?=[^\s@]*(?:[\s/?#]|$))/gi;

/**
 * `key=value` where the key names a credential: libpq's `password` and `sslpassword`, tokens, API keys,
 * Azure SAS signatures (`sig`) and account keys, S3 signatures, `PGPASSWORD=` in an environment dump.
 * The key must start a token (after `?`, `&`, `;`, `#`, space, a quote or a bracket), so `nosig=` is not one.
 */
const SECRET_KEY = String.raw`[\w.-]*?(?:password|passwd|secret|token|signature|credential)|pwd|sig|api[_-]?key|access[_-]?key|account[_-]?key|sharedaccesssignature|auth|authorization`;
const KEY_VALUE = new RegExp(
  String.raw`(^|[?&;#\s,("'{\[])(${SECRET_KEY})(\s*=\s*)('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s&;#"'<>,)}\]` + "`" + String.raw`]+)`,
  "gi",
);

/** The same keys as JSON properties: `"password": "…"`. */
const JSON_KEY_VALUE = new RegExp(String.raw`("(?:${SECRET_KEY})"\s*:\s*)"(?:[^"\\]|\\.)*"`, "gi");

/** A `~/.pgpass` line (`host:port:database:user:password`, `\:` escaping a colon) quoted in a message. */
const PGPASS = /(^|[\s"'(=,])([^\s:"'()]+:(?:\d{1,5}|\*):[^\s:"']+:[^\s:"'\d][^\s:"']*:)((?:\\.|[^\s:"'\\])+)(?=$|[\s"'),.;])/g;

/** HTTP authorization values: `Bearer …`, `Basic …`. */
const AUTHORIZATION = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/g;

/** `text` with every credential it carries replaced by `***`; text without one is returned unchanged. */
export function redact(text: string): string {
  if (text === "") return text;
  return text
    .replace(USERINFO, (match, scheme: string, user: string, password: string | undefined) => {
      if (password !== undefined) return password === MASK ? match : `${scheme}://${user}:${MASK}@`;
      return ACCOUNT_SCHEMES.has(scheme.toLowerCase()) || user === MASK ? match : `${scheme}://${MASK}@`;
    })
    .replace(KEY_VALUE, (match, before: string, key: string, equals: string, value: string) =>
      value === MASK || value === `'${MASK}'` ? match : `${before}${key}${equals}${MASK}`,
    )
    .replace(JSON_KEY_VALUE, `$1"${MASK}"`)
    .replace(PGPASS, (match, before: string, fields: string, password: string) => (password === MASK ? match : `${before}${fields}${MASK}`))
    .replace(AUTHORIZATION, `$1 ${MASK}`);
}

/** Two registry addresses name the same registry when they differ at most in who connects (user info). */
export function sameRegistryAddress(a: string, b: string): boolean {
  return registryPlace(a) === registryPlace(b);
}

/** An address without who connects and how they prove it: no user info, no masked parameters. */
function registryPlace(address: string): string {
  const shown = redact(address);
  // `file:///srv/registry` and `/srv/registry` are one directory.
  if (/^file:\/\/\//i.test(shown)) return decodeURIComponent(shown.slice("file://".length));
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(shown)) return shown;
  try {
    const url = new URL(shown);
    url.username = "";
    url.password = "";
    for (const [key, value] of [...url.searchParams]) if (value === MASK) url.searchParams.delete(key);
    return url.toString();
  } catch {
    return shown;
  }
}
