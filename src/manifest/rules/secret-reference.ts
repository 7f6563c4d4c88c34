// How a manifest names a secret: `${{env.NAME}}`, the value of environment variable NAME where assetctl
// runs (a CI secret, a developer's shell). Azure ML accepts literal keys in datastore YAML; assetctl
// refuses them on purpose, because a secret in git is readable by anyone who can read the repository
// and stays in its history after it is deleted. The manifest, the plan and the registry only ever hold
// the reference; the value is read at apply time and handed to the target, never stored.
//
//   credentials:
//     account_key: ${{env.BLOB_EXAMPLE_ACCOUNT_KEY}}
//
// NAME follows POSIX environment variable names: letters, digits and `_`, not starting with a digit.
// Spaces inside the braces are allowed, as in Azure ML expressions: `${{ env.NAME }}`.

export const SECRET_REFERENCE_SYNTAX = "${{env.NAME}}";

const REFERENCE = /^\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}$/;

/** The variable a `${{env.NAME}}` reference names, or undefined when the value is not exactly one. */
export function parseSecretReference(value: string): string | undefined {
  return REFERENCE.exec(value)?.[1];
}

/** The value of a secret reference in `env`; undefined when it is not a reference or the variable is unset. */
export function resolveSecretReference(value: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const name = parseSecretReference(value);
  return name === undefined ? undefined : env[name];
}

/** Credential fields that identify rather than authenticate: everything else under `credentials` is a secret. */
const IDENTIFYING_CREDENTIAL_KEYS: ReadonlySet<string> = new Set([
  "type",
  "tenant_id",
  "client_id",
  "thumbprint",
  "authority_url",
  "authority_uri",
  "resource_url",
  "resource_uri",
]);

export function isSecretCredentialKey(key: string): boolean {
  return !IDENTIFYING_CREDENTIAL_KEYS.has(key);
}

/** A variable name to suggest for a secret field, e.g. BLOB_EXAMPLE_ACCOUNT_KEY. */
export function suggestedVariable(assetName: string | undefined, key: string): string {
  const words = `${assetName ?? ""}_${key}`.toUpperCase().replace(/[^A-Z0-9]+/g, "_").replace(/^_+|_+$/g, "");
  return /^[0-9]/.test(words) ? `_${words}` : words || "SECRET";
}

/**
 * Whether a value is visibly a redacted placeholder rather than a secret: every letter and digit an X
 * (`XXXXxxxXXXX`, `?xx=XXXX-XX-XX&…` as in Azure's examples), or a `<template>`.
 */
export function isRedactedPlaceholder(value: string): boolean {
  if (/^<[^<>]*>$/.test(value.trim())) return true;
  const alphanumeric = value.replace(/[^A-Za-z0-9]/g, "");
  return alphanumeric.length >= 4 && /^[Xx]+$/.test(alphanumeric);
}
