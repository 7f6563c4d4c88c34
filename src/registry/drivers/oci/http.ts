// A small client for the OCI distribution API over node:http(s): keep-alive connections, a bounded
// wait on every request, a few retries when a connection is lost, redirects for blob downloads, and
// the 401 → credentials/token → retry dance (auth.ts). Every failure becomes a RegistryError naming the
// registry and what was being done.
import http, { type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import https from "node:https";
import { setTimeout as sleep } from "node:timers/promises";
import { RegistryError } from "../../driver.js";
import { OciAuth, parseChallenge } from "./auth.js";
import type { OciLocation } from "./reference.js";

export type Method = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface OciRequest {
  method: Method;
  /** A path under the registry (`/v2/…`) or an absolute URL (an upload's Location). */
  target: string | URL;
  /** What is being done, for messages: "upload sha256:…". */
  doing: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** Hands the body back unread (blob downloads); the caller must consume or destroy it. */
  stream?: boolean;
  /** Whether resending after a lost connection is safe; default true. */
  retry?: boolean;
}

export interface OciResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, read whole (empty for HEAD and for streamed responses). */
  body: Buffer;
  stream?: IncomingMessage;
}

export interface OciHttpOptions {
  /** How long a request may sit without progress before it fails. */
  timeoutMs?: number;
  /** Attempts after a lost connection or a 5xx, with a growing pause. */
  retries?: number;
}

export class OciHttp {
  readonly #agent: http.Agent;
  readonly #auth: OciAuth;
  readonly #timeoutMs: number;
  readonly #retries: number;
  /** The last Authorization that worked per repository, sent up front to save a round trip. */
  readonly #authorization = new Map<string, string>();

  constructor(
    readonly location: OciLocation,
    options: OciHttpOptions = {},
  ) {
    const secure = location.base.protocol === "https:";
    this.#agent = secure ? new https.Agent({ keepAlive: true, maxSockets: 16 }) : new http.Agent({ keepAlive: true, maxSockets: 16 });
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#retries = options.retries ?? 3;
    this.#auth = new OciAuth(location.host, location.display, (url, init) => this.#fetchJson(url, init));
  }

  close(): void {
    this.#agent.destroy();
  }

  async request(request: OciRequest): Promise<OciResponse> {
    let url = typeof request.target === "string" ? new URL(request.target, this.location.base) : request.target;
    const repo = repositoryOf(url.pathname);
    let authorization = this.#authorization.get(repo);
    let answered = false;
    let redirects = 0;
    for (let attempt = 0; ; attempt += 1) {
      const headers = { ...request.headers, ...(authorization !== undefined && url.host === this.location.base.host ? { authorization } : {}) };
      let response: OciResponse;
      try {
        response = await this.#send(url, request.method, headers, request.body, request.stream === true);
      } catch (error) {
        if (request.retry !== false && attempt < this.#retries) {
          await sleep(150 * 2 ** attempt);
          continue;
        }
        throw unreachable(this.location.display, request.doing, error);
      }
      if (response.status === 401 && !answered) {
        response.stream?.destroy();
        const challenge = parseChallenge(headerOf(response.headers, "www-authenticate"));
        if (challenge === undefined) throw refused(this.location.display, request.doing, response);
        if (authorization !== undefined) this.#auth.forget(challenge);
        const answer = await this.#auth.answer(challenge, this.location.base.protocol === "https:" || url.protocol === "https:");
        if (answer === undefined) throw refused(this.location.display, request.doing, response);
        authorization = answer;
        answered = true;
        attempt -= 1;
        continue;
      }
      if (response.status >= 500 && response.status !== 501 && request.retry !== false && attempt < this.#retries) {
        response.stream?.destroy();
        await sleep(150 * 2 ** attempt);
        continue;
      }
      const location = headerOf(response.headers, "location");
      if ((request.method === "GET" || request.method === "HEAD") && [301, 302, 303, 307, 308].includes(response.status) && location && redirects < 5) {
        response.stream?.destroy();
        url = new URL(location, url);
        redirects += 1;
        attempt -= 1;
        continue;
      }
      if (answered && authorization !== undefined && response.status !== 401 && response.status !== 403) this.#authorization.set(repo, authorization);
      if (response.status === 401 || response.status === 403) throw refused(this.location.display, request.doing, response);
      return response;
    }
  }

  #send(url: URL, method: Method, headers: Record<string, string>, body: Buffer | undefined, stream: boolean): Promise<OciResponse> {
    const client = url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      const req = client.request(
        url,
        {
          method,
          agent: url.host === this.location.base.host ? this.#agent : undefined,
          headers: { ...headers, ...(body !== undefined || method === "PUT" || method === "POST" || method === "PATCH" ? { "content-length": String(body?.length ?? 0) } : {}) },
          timeout: this.#timeoutMs,
        },
        (res) => {
          if (stream && res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) {
            resolve({ status: res.statusCode, headers: res.headers, body: Buffer.alloc(0), stream: res });
            return;
          }
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no answer within ${this.#timeoutMs / 1000} s`)));
      req.on("error", reject);
      req.end(body);
    });
  }

  async #fetchJson(url: URL, init: { method: string; headers: Record<string, string>; body?: string }): Promise<{ status: number; json: unknown }> {
    try {
      const response = await this.#send(url, init.method as Method, init.headers, init.body === undefined ? undefined : Buffer.from(init.body), false);
      let json: unknown;
      try {
        json = JSON.parse(response.body.toString("utf8"));
      } catch {
        json = undefined;
      }
      return { status: response.status, json };
    } catch (error) {
      throw unreachable(this.location.display, "ask for an access token", error);
    }
  }
}

export function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `/v2/<repository>/(blobs|manifests|tags)/…` → `<repository>`. */
function repositoryOf(pathname: string): string {
  return /^\/v2\/(.+?)\/(?:blobs|manifests|tags)\//.exec(pathname)?.[1] ?? "";
}

/** The registry's own words, from the distribution API's `{errors: [{code, message}]}` body. */
export function registrySays(response: OciResponse): string {
  try {
    const { errors } = JSON.parse(response.body.toString("utf8")) as { errors?: { code?: string; message?: string }[] };
    const first = errors?.[0];
    if (first) return `${first.code ?? ""}${first.message ? `: ${first.message}` : ""}`;
  } catch {
    // not JSON: fall through to the status alone
  }
  return `HTTP ${response.status}`;
}

export function unexpected(display: string, doing: string, response: OciResponse): RegistryError {
  return new RegistryError("unavailable", `The OCI registry ${display} refused to ${doing}: ${registrySays(response)} (HTTP ${response.status}).`);
}

function refused(display: string, doing: string, response: OciResponse): RegistryError {
  return new RegistryError(
    "unavailable",
    `The OCI registry ${display} did not allow assetctl to ${doing} (HTTP ${response.status}: ${registrySays(response)}).`,
    "log in with `docker login HOST`, or set ASSETCTL_OCI_USERNAME and ASSETCTL_OCI_PASSWORD; the account needs pull and push on the namespace",
  );
}

export function unreachable(display: string, doing: string, error: unknown): RegistryError {
  if (error instanceof RegistryError) return error;
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message ?? String(error);
  return new RegistryError(
    "unavailable",
    `The OCI registry ${display} could not be reached to ${doing} (${reason}).`,
    "check that the registry is up and reachable, then run the command again: nothing half-stored is ever used, and what was stored is not sent again",
  );
}
