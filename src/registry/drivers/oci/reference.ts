// What an `oci://host[:port]/namespace[?insecure=true]` address names: the registry's base URL (HTTPS
// unless the host is loopback or `insecure=true` says otherwise), the namespace under which blobs and
// one repository per asset kind live, and the name shown to people, never with credentials.
import { isIP } from "node:net";
import { redact } from "../../../redact.js";
import { RegistryError } from "../../driver.js";

export interface OciLocation {
  /** `https://host:port` (or `http://` for loopback and `insecure=true`). */
  base: URL;
  /** The registry host as docker's config.json keys it: `host` or `host:port`. */
  host: string;
  /** Repository path prefix, e.g. `ml/assets`: blobs live in it, artifacts in `<namespace>/<kind>`. */
  namespace: string;
  display: string;
}

/** The distribution spec's repository name grammar, one path component. */
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;

export function parseOciUrl(spec: string): OciLocation {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new RegistryError("invalid", `${redact(spec)} is not a valid OCI registry address.`, "write oci://HOST[:PORT]/NAMESPACE");
  }
  if (url.protocol !== "oci:") throw new RegistryError("invalid", `${redact(spec)} is not an oci:// address.`);
  if (url.username !== "" || url.password !== "") {
    throw new RegistryError(
      "invalid",
      `${redact(spec)} carries credentials; they would end up in plans and messages.`,
      "log in with `docker login HOST` (~/.docker/config.json) or set ASSETCTL_OCI_USERNAME and ASSETCTL_OCI_PASSWORD",
    );
  }
  const namespace = url.pathname.replace(/^\/+|\/+$/g, "");
  if (namespace === "" || !namespace.split("/").every((c) => COMPONENT.test(c))) {
    throw new RegistryError(
      "invalid",
      `${redact(spec)}: "${namespace}" is not a valid OCI repository namespace.`,
      "use lower-case letters, digits and . _ - between them, with / between components, e.g. oci://registry.example.com/ml/assets",
    );
  }
  const insecure = url.searchParams.get("insecure");
  if (insecure !== null && insecure !== "true" && insecure !== "false") {
    throw new RegistryError("invalid", `${redact(spec)}: insecure must be true or false.`);
  }
  const plain = insecure === "true" || (insecure === null && isLoopback(url.hostname));
  const base = new URL(`${plain ? "http" : "https"}://${url.host}`);
  return { base, host: url.host, namespace, display: `oci://${url.host}/${namespace}${insecure === null ? "" : `?insecure=${insecure}`}` };
}

export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}
