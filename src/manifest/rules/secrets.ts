// Rule: no secret is written in a manifest. Datastore credentials must be `${{env.NAME}}` references
// (see secret-reference.ts); any other field that carries a storage key, a SAS signature or a private key
// is reported too. No message or hint ever contains the secret's value, not even a part of it.
import type { Diagnostic } from "../../diagnostics.js";
import type { Manifest } from "../types.js";
import { diagnose, keyPathText, type Finding, type KeyPath, type RuleContext } from "./rule.js";
import { isRedactedPlaceholder, isSecretCredentialKey, parseSecretReference, SECRET_REFERENCE_SYNTAX, suggestedVariable } from "./secret-reference.js";
import { isSpecObject } from "./spec.js";

const WHY = "a secret in git is readable by anyone who can read the repository, and stays in its history after it is removed";

export function checkSecrets(ctx: RuleContext): Diagnostic[] {
  return ctx.manifests.flatMap((manifest) => {
    const found: Diagnostic[] = [];
    const report = (path: KeyPath, finding: Finding): void => void found.push(diagnose(manifest, path, finding));
    walk(manifest.spec, [], (path, value) => {
      const inCredentials = manifest.kind === "datastore" && path[0] === "credentials";
      const key = path[path.length - 1];
      if (inCredentials && typeof key === "string" && isSecretCredentialKey(key)) {
        const finding = credentialFinding(manifest, path, key, value);
        if (finding) report(path, finding);
      } else if (typeof value === "string") {
        const finding = embeddedSecretFinding(manifest, path, value);
        if (finding) report(path, finding);
      }
    });
    return found;
  });
}

/** Visits every scalar of the spec with its key path. */
function walk(value: unknown, path: KeyPath, visit: (path: KeyPath, value: unknown) => void): void {
  if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...path, i], visit));
  else if (isSpecObject(value)) for (const [key, child] of Object.entries(value)) walk(child, [...path, key], visit);
  else visit(path, value);
}

function credentialFinding(manifest: Manifest, path: KeyPath, key: string, value: unknown): Finding | undefined {
  const field = keyPathText(path);
  const variable = suggestedVariable(manifest.name, key);
  const write = `Write ${key}: ${SECRET_REFERENCE_SYNTAX.replace("NAME", variable)} and set ${variable} where assetctl apply runs (a CI secret, your shell)`;
  if (value === null || value === undefined) return undefined;
  if (typeof value === "string") {
    if (parseSecretReference(value) !== undefined) return undefined;
    if (value === "" || isRedactedPlaceholder(value)) {
      return {
        code: "secret-placeholder",
        severity: "warning",
        message: `${field} holds a redacted placeholder, not a secret: assetctl apply could not connect with it`,
        hint: `${write}.`,
      };
    }
    // `$NAME` and `${NAME}` are shell habits; say what the variable reference looks like here.
    const attempted = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(value)?.[1] ?? /^\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)/.exec(value)?.[1];
    if (attempted !== undefined || value.startsWith("${{")) {
      return {
        code: "secret-reference-invalid",
        severity: "error",
        message: `${field} looks like a variable reference, but not one assetctl reads: secrets are written ${SECRET_REFERENCE_SYNTAX}`,
        hint: `Write ${key}: ${SECRET_REFERENCE_SYNTAX.replace("NAME", attempted ?? variable)}.`,
      };
    }
  }
  return {
    code: "secret-literal",
    severity: "error",
    message: `${field} is a secret written in the manifest; assetctl refuses literal credentials because ${WHY}`,
    hint: `${write}. If this value was ever committed, rotate it: removing it from the file does not remove it from history.`,
  };
}

interface SecretPattern {
  pattern: RegExp;
  what: string;
}

/** Secrets recognisable by shape inside any string; group 1 is the secret, to tell placeholders apart. */
const EMBEDDED_SECRETS: SecretPattern[] = [
  { pattern: /AccountKey=([^;\s"']+)/i, what: "a storage account key (AccountKey=…)" },
  { pattern: /SharedAccessKey=([^;\s"']+)/i, what: "a shared access key (SharedAccessKey=…)" },
  { pattern: /SharedAccessSignature=([^;\s"']+)/i, what: "a shared access signature (SharedAccessSignature=…)" },
  { pattern: /[?&]sig=([^&\s"']+)/i, what: "a SAS token (sig=… in a URL)" },
  { pattern: /-----BEGIN ([A-Z ]*PRIVATE KEY)-----/, what: "a private key" },
];

/** Keys whose value is a credential wherever they are written: the datastore secrets and their usual synonyms. */
const SECRET_KEYS: ReadonlySet<string> = new Set([
  "account_key", "sas_token", "client_secret", "certificate", "credentials", "password", "secret", "token",
  "access_key", "secret_key", "api_key", "private_key", "connection_string",
]);
/** A credential key and the rest of its line (a value, a list, a flow mapping: all of it may be secret). */
const SECRET_KEY_VALUE = new RegExp(`((?:^|[\\s{,])["']?(?:${[...SECRET_KEYS].join("|")})["']?[ \\t]*:[ \\t]*)\\S.*$`, "i");

/**
 * Whether a value met at `path` (say in a message about its type) may be a secret: anything under a
 * datastore's `credentials`, any value of a credential key, anything shaped like a key or a signature.
 * Such values are never quoted back, even when the manifest is too broken for the rules above to run.
 */
export function mayBeSecret(path: KeyPath, value: string): boolean {
  const last = path[path.length - 1];
  return path.includes("credentials") || (typeof last === "string" && SECRET_KEYS.has(last.toLowerCase())) || EMBEDDED_SECRETS.some(({ pattern }) => pattern.test(value));
}

/** A source line as it may be shown under a diagnostic: the values of credential keys, keys and signatures masked. */
export function redactSecrets(line: string): string {
  let out = line.replace(SECRET_KEY_VALUE, (_, key: string) => `${key}***`);
  for (const { pattern, what } of EMBEDDED_SECRETS) {
    // A private key's lines follow its BEGIN line: no single line of it can be recognised, and the rule's
    // own diagnostics (`secret-…`) never echo a line at all.
    if (what === "a private key") continue;
    out = out.replace(new RegExp(pattern.source, `${pattern.flags}g`), (match, secret: string) => match.replace(secret, "***"));
  }
  return out;
}

function embeddedSecretFinding(manifest: Manifest, path: KeyPath, value: string): Finding | undefined {
  for (const { pattern, what } of EMBEDDED_SECRETS) {
    const secret = pattern.exec(value)?.[1];
    // `sig=$SAS_TOKEN` in a command reads a variable when the job runs: no secret is written there.
    if (secret === undefined || secret.startsWith("$") || isRedactedPlaceholder(secret)) continue;
    const field = keyPathText(path);
    return {
      code: "secret-literal",
      severity: "error",
      message: `${field} contains ${what}; ${WHY}`,
      hint:
        manifest.kind === "datastore"
          ? `Move it to credentials as ${SECRET_REFERENCE_SYNTAX}, and rotate it if it was ever committed.`
          : "Use identity-based access or a registered datastore (azureml://datastores/<datastore>/paths/<path>) instead of a signed URL or key, and rotate the secret if it was ever committed.",
    };
  }
  return undefined;
}
