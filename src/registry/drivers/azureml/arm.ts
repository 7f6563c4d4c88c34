// Azure Resource Manager requests for Microsoft.MachineLearningServices through Microsoft's own HTTP
// pipeline (@azure/core-rest-pipeline): bearer tokens from a TokenCredential, retries of 429 (honouring
// Retry-After) and of 5xx and dropped connections, paging by `nextLink`. Tokens never leave the pipeline:
// no message here carries a header, a token or a query string.
import type { TokenCredential } from "@azure/identity";
import type { Pipeline, PipelineResponse } from "@azure/core-rest-pipeline";
import { RegistryError } from "../../driver.js";
import { API_VERSION, isLoopback, type AzureMlAddress } from "./address.js";

export type Json = Record<string, unknown>;

/** The credential assetctl uses: a token given by the environment (tests, CI that has one), else Azure's default chain. */
export async function azureCredential(env: NodeJS.ProcessEnv = process.env): Promise<TokenCredential> {
  const token = env["ASSETCTL_AZUREML_ACCESS_TOKEN"];
  if (token !== undefined && token !== "") {
    // A token from elsewhere (`az account get-access-token`, a test stand-in): used as it is until it expires.
    return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 60 * 60 * 1000 }) };
  }
  const { DefaultAzureCredential } = await import("@azure/identity");
  return new DefaultAzureCredential();
}

export class ArmClient {
  readonly #pipeline: Pipeline;
  readonly #address: AzureMlAddress;
  readonly #http: import("@azure/core-rest-pipeline").HttpClient;
  readonly #core: typeof import("@azure/core-rest-pipeline");

  private constructor(core: typeof import("@azure/core-rest-pipeline"), address: AzureMlAddress, credential: TokenCredential) {
    this.#core = core;
    this.#address = address;
    this.#http = core.createDefaultHttpClient();
    this.#pipeline = core.createPipelineFromOptions({
      retryOptions: { maxRetries: 5, retryDelayInMs: 200, maxRetryDelayInMs: 8000 },
      userAgentOptions: { userAgentPrefix: "assetctl" },
    });
    const scopes = `${address.endpoint}/.default`;
    if (address.endpoint.startsWith("https://")) {
      this.#pipeline.addPolicy(core.bearerTokenAuthenticationPolicy({ credential, scopes }));
    } else if (isLoopback(address.endpoint)) {
      // Microsoft's bearer policy refuses plain HTTP; a stand-in on this machine gets the same header.
      this.#pipeline.addPolicy({
        name: "loopbackBearerToken",
        sendRequest: async (request, next) => {
          const token = await credential.getToken(scopes);
          if (token === null) throw new RegistryError("unavailable", "No Azure access token could be obtained.");
          request.headers.set("authorization", `Bearer ${token.token}`);
          return next(request);
        },
      });
    }
  }

  static async create(address: AzureMlAddress, credential: TokenCredential): Promise<ArmClient> {
    const core = await import("@azure/core-rest-pipeline");
    return new ArmClient(core, address, credential);
  }

  /** `path` below the workspace or registry, e.g. `/models/NAME/versions/1`. */
  urlOf(path: string): string {
    return `${this.#address.endpoint}${this.#address.resourcePath}${path}?api-version=${API_VERSION}`;
  }

  async request(method: "GET" | "PUT" | "POST", url: string, body?: unknown): Promise<{ status: number; body: Json | undefined }> {
    const request = this.#core.createPipelineRequest({
      url,
      method,
      allowInsecureConnection: isLoopback(url),
      timeout: 120_000,
      headers: this.#core.createHttpHeaders(body === undefined ? {} : { "content-type": "application/json" }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    let response: PipelineResponse;
    try {
      response = await this.#pipeline.sendRequest(this.#http, request);
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      throw this.unavailable(`could not be reached (${errorCode(error)})`);
    }
    let parsed: Json | undefined;
    if (response.bodyAsText) {
      try {
        parsed = JSON.parse(response.bodyAsText) as Json;
      } catch {
        parsed = undefined;
      }
    }
    return { status: response.status, body: parsed };
  }

  /** GET that answers undefined for 404. */
  async get(path: string): Promise<Json | undefined> {
    const { status, body } = await this.request("GET", this.urlOf(path));
    if (status === 404) return undefined;
    this.check(status, body, `GET ${path}`);
    return body;
  }

  /** Every item of a list, following `nextLink` page after page. */
  async list(path: string): Promise<Json[]> {
    const items: Json[] = [];
    let url: string | undefined = this.urlOf(path);
    while (url !== undefined) {
      const { status, body } = await this.request("GET", url);
      if (status === 404) return items;
      this.check(status, body, `GET ${path}`);
      items.push(...((body?.["value"] as Json[] | undefined) ?? []));
      const next = body?.["nextLink"];
      url = typeof next === "string" && next !== "" ? next : undefined;
    }
    return items;
  }

  check(status: number, body: Json | undefined, what: string): void {
    if (status >= 200 && status < 300) return;
    const error = (body?.["error"] ?? {}) as { code?: string; message?: string };
    const said = error.message ? `: ${error.code ?? status} ${error.message}` : ` (HTTP ${status})`;
    if (status === 401 || status === 403) {
      throw new RegistryError(
        "unavailable",
        `Azure ML refused ${what} in ${this.#address.name}${said}`,
        status === 401
          ? "sign in again (az login, or the workload identity's federated token) — the access token is missing, invalid or expired"
          : "the identity needs the AzureML Data Scientist role (or a custom role with the assets' read and write actions) on the workspace",
      );
    }
    if (status === 404) throw new RegistryError("not-found", `Azure ML has no ${what.replace(/^\w+ /, "")} in ${this.#address.name}${said}`);
    if (status === 409) throw new RegistryError("version-exists", `Azure ML refused ${what}${said}`);
    if (status === 400) throw new RegistryError("invalid", `Azure ML refused ${what}${said}`);
    throw this.unavailable(`answered HTTP ${status} to ${what}${said}`);
  }

  private unavailable(what: string): RegistryError {
    return new RegistryError("unavailable", `Azure ML at ${this.#address.endpoint} ${what}.`, "check the network and the service's status, then run the command again");
  }
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : "connection failed";
}
