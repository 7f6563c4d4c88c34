// Answering an OCI registry's 401: `WWW-Authenticate: Basic` gets the credentials as they are;
// `Bearer realm=…,service=…,scope=…` gets a token from the realm (docker's token flow, or OAuth2 with an
// identity token as ACR issues them), cached per scope. Credentials are sent over HTTPS only, or to
// loopback: never in clear text across a network.
import { RegistryError } from "../../driver.js";
import { credentialsFor, type Credentials } from "./credentials.js";
import { isLoopback } from "./reference.js";

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (header === undefined) return undefined;
  const match = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  for (const m of (match[2] ?? "").matchAll(/(\w+)="([^"]*)"|(\w+)=([^,\s]*)/g)) {
    const key = (m[1] ?? m[3] ?? "").toLowerCase();
    params[key] = m[2] ?? m[4] ?? "";
  }
  return { scheme: (match[1] ?? "").toLowerCase(), params };
}

export class OciAuth {
  #credentials: Promise<Credentials | undefined> | undefined;
  readonly #tokens = new Map<string, string>();

  constructor(
    private readonly host: string,
    private readonly display: string,
    private readonly fetchToken: (url: URL, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<{ status: number; json: unknown }>,
  ) {}

  /** The Authorization header that answers this challenge, or undefined when there is nothing to offer. */
  async answer(challenge: Challenge, secure: boolean): Promise<string | undefined> {
    const key = `${challenge.scheme} ${challenge.params["scope"] ?? ""}`;
    const credentials = await this.#loadCredentials();
    if (challenge.scheme === "basic") {
      if (credentials?.kind !== "basic") return undefined;
      if (!secure) throw cleartext(this.display);
      return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
    }
    if (challenge.scheme !== "bearer" || !challenge.params["realm"]) return undefined;
    const cached = this.#tokens.get(key);
    if (cached !== undefined) return cached;
    const realm = new URL(challenge.params["realm"]);
    if (credentials !== undefined && realm.protocol !== "https:" && !isLoopback(realm.hostname)) throw cleartext(this.display);
    const token = await this.#token(realm, challenge.params, credentials);
    const header = `Bearer ${token}`;
    this.#tokens.set(key, header);
    return header;
  }

  /** Forgets a token the registry refused (expired): the next answer asks the realm again. */
  forget(challenge: Challenge): void {
    this.#tokens.delete(`${challenge.scheme} ${challenge.params["scope"] ?? ""}`);
  }

  #loadCredentials(): Promise<Credentials | undefined> {
    this.#credentials ??= credentialsFor(this.host);
    return this.#credentials;
  }

  async #token(realm: URL, params: Record<string, string>, credentials: Credentials | undefined): Promise<string> {
    const scopes = (params["scope"] ?? "").split(" ").filter(Boolean);
    let response: { status: number; json: unknown };
    if (credentials?.kind === "identity-token") {
      const body = new URLSearchParams({ grant_type: "refresh_token", refresh_token: credentials.token, service: params["service"] ?? "", client_id: "assetctl" });
      for (const scope of scopes) body.append("scope", scope);
      response = await this.fetchToken(realm, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: body.toString() });
    } else {
      const url = new URL(realm);
      if (params["service"]) url.searchParams.set("service", params["service"]);
      for (const scope of scopes) url.searchParams.append("scope", scope);
      const headers: Record<string, string> = {};
      if (credentials?.kind === "basic") headers["authorization"] = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
      response = await this.fetchToken(url, { method: "GET", headers });
    }
    const json = response.json as { token?: string; access_token?: string } | undefined;
    const token = json?.token ?? json?.access_token;
    if (response.status !== 200 || !token) {
      throw new RegistryError(
        "unavailable",
        `The OCI registry ${this.display} refused to issue a token (HTTP ${response.status}).`,
        credentials === undefined
          ? "log in with `docker login HOST`, or set ASSETCTL_OCI_USERNAME and ASSETCTL_OCI_PASSWORD"
          : "check the credentials in ~/.docker/config.json or ASSETCTL_OCI_USERNAME/ASSETCTL_OCI_PASSWORD, and the account's rights on the namespace",
      );
    }
    return token;
  }
}

function cleartext(display: string): RegistryError {
  return new RegistryError(
    "unavailable",
    `The OCI registry ${display} asks for credentials over plain HTTP; assetctl does not send them in clear text.`,
    "use the registry over HTTPS (drop ?insecure=true)",
  );
}
