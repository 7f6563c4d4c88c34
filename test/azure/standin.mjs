// A stand-in for the Azure Resource Manager control plane of Microsoft.MachineLearningServices: exactly
// the operations assetctl's Azure ML driver calls, with the service's documented semantics — versions
// are immutable (a create that differs from the stored version is a 409; description, tags, stage and
// isArchived may change), lists page with `nextLink`, a bearer token is required, any workspace or
// registry name exists (created on first use, with its default blob datastore in Azurite), and a
// registry's pending upload answers with a SAS URI into Azurite. Every request and response body is
// validated against the official OpenAPI definitions (openapi-2024-10-01.json); a response that fails is
// a bug in the stand-in and is refused with 500, a request that fails is the caller's bug: 400.
//
// Used in-process by the tests and as a server process by scripts/azure-local.mjs.
import { createHash, createHmac, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { BlobSASPermissions, BlobServiceClient, ContainerSASPermissions, StorageSharedKeyCredential, generateBlobSASQueryParameters } from "@azure/storage-blob";
import { openApiValidator } from "./openapi-schema.mjs";

/** Azurite's well-known development account (public, documented by Microsoft). */
export const AZURITE_ACCOUNT = "devstoreaccount1";
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

const PROVIDER = "Microsoft.MachineLearningServices";
/** URL segment → [container resource, version resource, paginated container list, paginated version list]. */
const ASSETS = {
  models: ["ModelContainerResource", "ModelVersionResource", "ModelContainerResourceArmPaginatedResult", "ModelVersionResourceArmPaginatedResult"],
  environments: ["EnvironmentContainerResource", "EnvironmentVersionResource", "EnvironmentContainerResourceArmPaginatedResult", "EnvironmentVersionResourceArmPaginatedResult"],
  data: ["DataContainerResource", "DataVersionBaseResource", "DataContainerResourceArmPaginatedResult", "DataVersionBaseResourceArmPaginatedResult"],
  components: ["ComponentContainerResource", "ComponentVersionResource", "ComponentContainerResourceArmPaginatedResult", "ComponentVersionResourceArmPaginatedResult"],
};
const TYPE_NAMES = { models: "models", environments: "environments", data: "data", components: "components" };
/** What a version may change after it is created. */
const MUTABLE = new Set(["description", "tags", "isArchived", "stage"]);
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9\-_.]{0,254}$/;

class HttpError extends Error {
  constructor(status, code, message, headers = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    return `{${Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * Starts the stand-in on 127.0.0.1. `azurite` is Azurite's blob endpoint
 * (`http://127.0.0.1:PORT/devstoreaccount1`). Options: `latencyMs` added to every request, `pageSize`.
 */
export async function startStandIn({ azurite, port = 0, latencyMs = 0, pageSize = 100, secret = randomBytes(16).toString("hex") } = {}) {
  if (!azurite) throw new Error("the stand-in needs Azurite's blob endpoint");
  const validator = openApiValidator();
  const apiVersion = validator.apiVersion;
  const blobService = new BlobServiceClient(azurite, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  /** scope path → { containers: Map(kindSegment → Map(name → {created, modified, versions: Map})), datastores: Map } */
  const scopes = new Map();
  const faults = [];
  const violations = [];
  const requests = [];
  const state = { latencyMs, pageSize };

  function mintToken(ttlMs = 3_600_000) {
    const expires = Date.now() + ttlMs;
    const mac = createHmac("sha256", secret).update(String(expires)).digest("hex");
    return { token: `standin.${expires}.${mac}`, expiresOnTimestamp: expires };
  }

  function authenticate(req) {
    const header = req.headers["authorization"] ?? "";
    const match = /^Bearer (standin\.(\d+)\.([0-9a-f]{64}))$/.exec(header);
    const challenge = { "www-authenticate": 'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"' };
    if (match === null) throw new HttpError(401, "AuthenticationFailed", "Authentication failed: the Authorization header is missing or not a bearer token.", challenge);
    const [, , expires, mac] = match;
    if (createHmac("sha256", secret).update(expires).digest("hex") !== mac) throw new HttpError(401, "InvalidAuthenticationToken", "The access token is invalid.", challenge);
    if (Number(expires) <= Date.now()) throw new HttpError(401, "ExpiredAuthenticationToken", "The access token expiry UTC time is earlier than current UTC time.", challenge);
  }

  async function scopeOf(sub, rg, kind, name) {
    const key = `/subscriptions/${sub}/resourceGroups/${rg}/providers/${PROVIDER}/${kind}/${name}`;
    let scope = scopes.get(key);
    if (scope === undefined) {
      const id = createHash("sha256").update(key.toLowerCase()).digest("hex").slice(0, 24);
      scope = { key, kind, containers: new Map(), datastores: new Map(), blobContainer: `${kind === "workspaces" ? "azureml-blobstore" : "registry"}-${id}` };
      scopes.set(key, scope);
      // Requests that arrive while the container is made wait for it too.
      scope.ready = blobService.getContainerClient(scope.blobContainer).createIfNotExists();
      if (kind === "workspaces") {
        const now = new Date().toISOString();
        scope.datastores.set("workspaceblobstore", {
          created: now,
          modified: now,
          isDefault: true,
          properties: {
            datastoreType: "AzureBlob",
            accountName: AZURITE_ACCOUNT,
            containerName: scope.blobContainer,
            endpoint: "core.windows.net",
            protocol: "https",
            serviceDataAccessAuthIdentity: "None",
            credentials: { credentialsType: "AccountKey", secrets: { secretsType: "AccountKey" } },
            description: "The workspace's default blob store.",
            properties: {},
            tags: {},
          },
        });
      }
    }
    await scope.ready;
    return scope;
  }

  function systemData(item) {
    return { createdAt: item.created, createdBy: "assetctl-standin", createdByType: "Application", lastModifiedAt: item.modified, lastModifiedBy: "assetctl-standin", lastModifiedByType: "Application" };
  }

  function versionResource(scope, segment, name, version, item) {
    return { id: `${scope.key}/${segment}/${name}/versions/${version}`, name: version, type: `${PROVIDER}/${scope.kind}/${TYPE_NAMES[segment]}/versions`, systemData: systemData(item), properties: { ...item.properties, ...(segment === "data" ? {} : { provisioningState: "Succeeded" }) } };
  }

  function containerResource(scope, segment, name, container) {
    const numeric = [...container.versions.keys()].filter((v) => /^\d+$/.test(v)).map(Number);
    const latest = [...container.versions.entries()].sort((a, b) => a[1].seq - b[1].seq).at(-1)?.[0];
    const properties = { isArchived: false, latestVersion: latest ?? null, nextVersion: String(numeric.length ? Math.max(...numeric) + 1 : 1), description: null, properties: {}, tags: {}, ...(segment === "data" ? { dataType: container.dataType } : { provisioningState: "Succeeded" }) };
    return { id: `${scope.key}/${segment}/${name}`, name, type: `${PROVIDER}/${scope.kind}/${TYPE_NAMES[segment]}`, systemData: systemData(container), properties };
  }

  function datastoreResource(scope, name, item) {
    const properties = { ...item.properties, isDefault: item.isDefault === true };
    // Secrets are never returned by a GET: only their type.
    const credentials = properties.credentials ?? { credentialsType: "None" };
    properties.credentials = credentials.secrets ? { credentialsType: credentials.credentialsType, secrets: { secretsType: credentials.secrets.secretsType } } : credentials;
    return { id: `${scope.key}/datastores/${name}`, name, type: `${PROVIDER}/${scope.kind}/datastores`, systemData: systemData(item), properties };
  }

  function page(url, items) {
    const skip = Number(url.searchParams.get("$skipToken") ?? "0");
    const value = items.slice(skip, skip + state.pageSize);
    const body = { value };
    if (skip + state.pageSize < items.length) {
      const next = new URL(url);
      next.searchParams.set("$skipToken", String(skip + state.pageSize));
      body.nextLink = next.toString();
    }
    return body;
  }

  function checkBody(definition, body) {
    const problems = validator.validate(definition, body);
    if (problems.length > 0) throw new HttpError(400, "UserError", `The request body does not match ${definition}: ${problems.join("; ")}`);
  }

  async function route(req, url, body) {
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    // subscriptions/S/resourceGroups/R/providers/Microsoft.MachineLearningServices/(workspaces|registries)/N/...
    if (parts.length < 8 || parts[0] !== "subscriptions" || parts[2] !== "resourceGroups" || parts[4] !== "providers" || parts[5] !== PROVIDER) {
      throw new HttpError(404, "InvalidResourceType", `No operation at ${url.pathname}.`);
    }
    if (url.searchParams.get("api-version") !== apiVersion) throw new HttpError(400, "InvalidApiVersionParameter", `The api-version must be ${apiVersion}.`);
    const [, sub, , rg, , , kind, scopeName, segment, name, sub2, version, action] = parts;
    if (kind !== "workspaces" && kind !== "registries") throw new HttpError(404, "InvalidResourceType", `Unknown resource type ${kind}.`);
    const scope = await scopeOf(sub, rg, kind, scopeName);
    const method = req.method;

    if (segment === "datastores" && kind === "workspaces") {
      if (name === undefined && method === "GET") {
        const items = [...scope.datastores.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([n, d]) => datastoreResource(scope, n, d));
        return [200, page(url, items), "DatastoreResourceArmPaginatedResult"];
      }
      if (name !== undefined && sub2 === "listSecrets" && method === "POST") {
        const item = scope.datastores.get(name);
        if (item === undefined) throw new HttpError(404, "UserError", `Datastore ${name} not found.`);
        if (item.isDefault) return [200, { secretsType: "AccountKey", key: AZURITE_KEY }, "DatastoreSecrets"];
        const secrets = item.properties.credentials?.secrets;
        if (secrets === undefined) throw new HttpError(400, "UserError", `Datastore ${name} has no secrets.`);
        return [200, secrets, "DatastoreSecrets"];
      }
      if (name !== undefined && sub2 === undefined) {
        if (!NAME.test(name)) throw new HttpError(400, "UserError", `Invalid datastore name ${name}.`);
        const existing = scope.datastores.get(name);
        if (method === "GET") {
          if (existing === undefined) throw new HttpError(404, "UserError", `Datastore ${name} not found.`);
          return [200, datastoreResource(scope, name, existing), "DatastoreResource"];
        }
        if (method === "PUT") {
          checkBody("DatastoreResource", body);
          const now = new Date().toISOString();
          if (existing?.isDefault) throw new HttpError(409, "UserError", `Datastore ${name} is the workspace default and cannot be changed.`);
          scope.datastores.set(name, { created: existing?.created ?? now, modified: now, properties: body.properties });
          return [existing ? 200 : 201, datastoreResource(scope, name, scope.datastores.get(name)), "DatastoreResource"];
        }
      }
      throw new HttpError(405, "MethodNotAllowed", `${method} is not supported on ${url.pathname}.`);
    }

    if (segment === "datareferences" && kind === "registries") {
      // getBlobReferenceSAS: a read-only SAS for one blob of an asset version of this registry.
      if (method !== "POST" || sub2 !== "versions" || version === undefined || action !== undefined) throw new HttpError(405, "MethodNotAllowed", `${method} is not supported on ${url.pathname}.`);
      checkBody("GetBlobReferenceSASRequestDto", body);
      const prefix = `${azurite}/${scope.blobContainer}/`;
      if (typeof body.blobUri !== "string" || !body.blobUri.startsWith(prefix)) throw new HttpError(400, "UserError", "The blob is not in this registry's storage.");
      const blobName = decodeURIComponent(body.blobUri.slice(prefix.length));
      const sas = generateBlobSASQueryParameters(
        { containerName: scope.blobContainer, blobName, permissions: BlobSASPermissions.parse("r"), expiresOn: new Date(Date.now() + 3_600_000) },
        new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
      ).toString();
      return [200, { blobReferenceForConsumption: { blobUri: body.blobUri, storageAccountArmId: null, credential: { credentialType: "SAS", sasUri: `${body.blobUri}?${sas}` } } }, "GetBlobReferenceSASResponseDto"];
    }

    const schemas = ASSETS[segment];
    if (schemas === undefined) throw new HttpError(404, "InvalidResourceType", `Unknown resource type ${segment}.`);
    const [containerDef, versionDef, containerListDef, versionListDef] = schemas;
    const containers = scope.containers.get(segment) ?? new Map();
    scope.containers.set(segment, containers);
    if (name === undefined) {
      if (method !== "GET") throw new HttpError(405, "MethodNotAllowed", `${method} is not supported on ${url.pathname}.`);
      const items = [...containers.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([n, c]) => containerResource(scope, segment, n, c));
      return [200, page(url, items), containerListDef];
    }
    if (!NAME.test(name)) throw new HttpError(400, "UserError", `Invalid asset name ${name}.`);
    const container = containers.get(name);
    if (sub2 === undefined) {
      if (method !== "GET") throw new HttpError(405, "MethodNotAllowed", `${method} is not supported on ${url.pathname}.`);
      if (container === undefined) throw new HttpError(404, "UserError", `${segment} ${name} not found.`);
      return [200, containerResource(scope, segment, name, container), containerDef];
    }
    if (sub2 !== "versions") throw new HttpError(404, "InvalidResourceType", `Unknown resource type ${sub2}.`);
    if (version === undefined) {
      if (method !== "GET") throw new HttpError(405, "MethodNotAllowed", `${method} is not supported on ${url.pathname}.`);
      if (container === undefined) return [200, { value: [] }, versionListDef];
      const items = [...container.versions.entries()].sort((a, b) => a[1].seq - b[1].seq).map(([v, item]) => versionResource(scope, segment, name, v, item));
      return [200, page(url, items), versionListDef];
    }
    if (!NAME.test(version)) throw new HttpError(400, "UserError", `Invalid version ${version}.`);
    if (action === "startPendingUpload" && method === "POST") {
      if (kind !== "registries") throw new HttpError(404, "InvalidResourceType", "Pending uploads are a registry operation.");
      checkBody("PendingUploadRequestDto", body);
      const id = body.pendingUploadId ?? randomBytes(12).toString("hex");
      // As the service does: a folder of the registry's container, and a SAS for that container.
      const sas = generateBlobSASQueryParameters(
        { containerName: scope.blobContainer, permissions: ContainerSASPermissions.parse("racwl"), expiresOn: new Date(Date.now() + 3_600_000) },
        new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY),
      ).toString();
      const blobUri = `${azurite}/${scope.blobContainer}/LocalUpload/${id}`;
      return [
        200,
        { pendingUploadId: id, pendingUploadType: "TemporaryBlobReference", blobReferenceForConsumption: { blobUri, storageAccountArmId: null, credential: { credentialType: "SAS", sasUri: `${azurite}/${scope.blobContainer}?${sas}` } } },
        "PendingUploadResponseDto",
      ];
    }
    if (action !== undefined) throw new HttpError(404, "InvalidResourceType", `Unknown action ${action}.`);
    const existing = container?.versions.get(version);
    if (method === "GET") {
      if (existing === undefined) throw new HttpError(404, "UserError", `${segment} ${name}:${version} not found.`);
      return [200, versionResource(scope, segment, name, version, existing), versionDef];
    }
    if (method !== "PUT") throw new HttpError(405, "MethodNotAllowed", `${method} is not supported on ${url.pathname}.`);
    checkBody(versionDef, body);
    const properties = { ...body.properties };
    delete properties.provisioningState;
    const now = new Date().toISOString();
    if (existing !== undefined) {
      const immutable = (p) => canonical(Object.fromEntries(Object.entries(p).filter(([k, v]) => !MUTABLE.has(k) && v !== null && v !== undefined)));
      if (immutable(existing.properties) !== immutable(properties)) {
        throw new HttpError(409, "Conflict", `${segment} ${name}:${version} exists with different content; only description, tags, stage and isArchived can change.`);
      }
      existing.properties = { ...existing.properties, ...Object.fromEntries([...MUTABLE].filter((k) => k in properties).map((k) => [k, properties[k]])) };
      existing.modified = now;
      if (container) container.modified = now;
      return [200, versionResource(scope, segment, name, version, existing), versionDef];
    }
    let target = container;
    if (target === undefined) {
      target = { created: now, modified: now, versions: new Map(), seq: 0, dataType: properties.dataType };
      containers.set(name, target);
    }
    const item = { created: now, modified: now, seq: ++target.seq, properties: { isAnonymous: false, isArchived: false, ...properties } };
    target.versions.set(version, item);
    target.modified = now;
    return [201, versionResource(scope, segment, name, version, item), versionDef];
  }

  async function handle(req, res) {
    const url = new URL(req.url ?? "/", `http://${req.headers.host}`);
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const text = Buffer.concat(chunks).toString("utf8");
    requests.push({ method: req.method, path: url.pathname, at: Date.now() });
    if (state.latencyMs > 0) await sleep(state.latencyMs);
    const send = (status, body, headers = {}) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", "x-ms-request-id": randomBytes(8).toString("hex"), ...headers });
      res.end(body === undefined ? "" : JSON.stringify(body));
    };
    try {
      const fault = faults.findIndex((f) => (f.method === undefined || f.method === req.method) && (f.path === undefined || f.path.test(url.pathname)));
      if (fault >= 0) {
        const f = faults[fault];
        if (--f.times <= 0) faults.splice(fault, 1);
        const headers = f.retryAfter === undefined ? {} : { "retry-after": String(f.retryAfter) };
        return send(f.status, { error: { code: f.status === 429 ? "TooManyRequests" : "InternalServerError", message: "Injected by the stand-in." } }, headers);
      }
      authenticate(req);
      // The benchmarks' knob: latency added to every request from now on (a test-only route).
      if (url.pathname === "/_standin/latency" && req.method === "POST") {
        state.latencyMs = Number(url.searchParams.get("ms") ?? "0");
        return send(204, undefined);
      }
      // What the benchmarks count: the control-plane requests served so far (a test-only route).
      if (url.pathname === "/_standin/requests" && req.method === "POST") {
        return send(200, { count: requests.filter((r) => !r.path.startsWith("/_standin/")).length });
      }
      // The benchmarks' other knob: versions put straight into a workspace or registry (a test-only
      // route), each body checked against the OpenAPI definitions as a PUT's would be.
      if (url.pathname === "/_standin/seed" && req.method === "POST") {
        const { scope: path, versions } = JSON.parse(text);
        const [, , sub, , rg, , , kind, name] = path.split("/");
        const scope = await scopeOf(sub, rg, kind, name);
        const now = new Date().toISOString();
        const resources = [];
        for (const { segment, name: asset, version, body: versionBody } of versions) {
          checkBody(ASSETS[segment][1], versionBody);
          const containers = scope.containers.get(segment) ?? new Map();
          scope.containers.set(segment, containers);
          let target = containers.get(asset);
          if (target === undefined) {
            target = { created: now, modified: now, versions: new Map(), seq: 0, dataType: versionBody.properties.dataType };
            containers.set(asset, target);
          }
          if (target.versions.has(version)) throw new HttpError(409, "Conflict", `${segment} ${asset}:${version} exists.`);
          target.versions.set(version, { created: now, modified: now, seq: ++target.seq, properties: { isAnonymous: false, isArchived: false, ...versionBody.properties } });
          resources.push(versionResource(scope, segment, asset, version, target.versions.get(version)));
        }
        // The versions as a PUT would have answered them, and where the scope's blobs are.
        return send(200, { resources, blobContainer: scope.blobContainer });
      }
      let body;
      if (text !== "") {
        try {
          body = JSON.parse(text);
        } catch {
          throw new HttpError(400, "UserError", "The request body is not JSON.");
        }
      }
      const [status, out, definition] = await route(req, url, body);
      const problems = validator.validate(definition, out);
      if (problems.length > 0) {
        violations.push(...problems);
        throw new HttpError(500, "StandInBug", `The stand-in's own response does not match ${definition}: ${problems.join("; ")}`);
      }
      send(status, out);
    } catch (error) {
      if (error instanceof HttpError) {
        const body = { error: { code: error.code, message: error.message } };
        if (validator.validate("ErrorResponse", body).length > 0) violations.push("ErrorResponse");
        return send(error.status, body, error.headers);
      }
      send(500, { error: { code: "InternalServerError", message: String(error?.message ?? error) } });
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 30_000;
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const address = server.address();
  const endpoint = `http://127.0.0.1:${address.port}`;
  return {
    endpoint,
    azurite,
    apiVersion,
    mintToken,
    /** Bodies that did not match the OpenAPI definitions (responses the stand-in refused). */
    violations,
    requests,
    /** The next `times` requests matching method/path answer `status` (with Retry-After when given). */
    inject(fault) {
      faults.push({ times: 1, ...fault });
    },
    setLatency(ms) {
      state.latencyMs = ms;
    },
    /** The blob container that backs a workspace's default datastore or a registry's uploads. */
    async blobContainerOf(sub, rg, kind, name) {
      return (await scopeOf(sub, rg, kind, name)).blobContainer;
    },
    async stop() {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
