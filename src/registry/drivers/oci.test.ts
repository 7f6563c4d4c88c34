// The OCI objects store: the shared conformance suite as a team registry (PostgreSQL records + OCI
// objects), then what only an OCI registry shows — artifacts pullable by name and version, tags never
// moved, chunked uploads, digests checked both ways.
import { randomBytes } from "node:crypto";
import { truncateSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
// @ts-expect-error: a plain ES module script, shared with CI and the command line
import { startOciRegistry } from "../../../scripts/test-servers.mjs";
import { sha256 } from "../../digest.js";
import { describeRegistryConformance, readAll } from "../conformance.test-helper.js";
import { RegistryError } from "../driver.js";
import { sampleArtifact, sampleRecord } from "../sample-records.test-helper.js";
import type { VersionRecord } from "../types.js";
import { OciObjectStore } from "./oci.js";
import { hashedTag, primaryTag, type ArtifactManifest } from "./oci/artifact.js";
import { parseOciUrl } from "./oci/reference.js";
import { PostgresRecords } from "./postgres.js";
import { RegistryCore } from "../core.js";
import { freshOci, freshPostgres, serversMissing } from "./team-servers.test-helper.js";

const missing = serversMissing({ postgres: true, oci: true });

describe.skipIf(missing !== undefined)("oci objects", () => {
  describeRegistryConformance("split: postgres records + oci objects", async () => {
    const pg = freshPostgres();
    const oci = freshOci();
    // Small chunks, so the few-MB conformance file goes up in several.
    const objects = () => new OciObjectStore({ url: oci, chunkSize: 1024 * 1024, timeoutMs: 10_000 });
    return {
      driver: new RegistryCore(new PostgresRecords({ url: pg.url }), objects()),
      connect: async (identity) => new RegistryCore(new PostgresRecords({ url: pg.url, identity }), objects()),
      cleanup: () => pg.cleanup(),
    };
  });
});

describe.skipIf(missing !== undefined)("oci objects store", () => {
  let pg: ReturnType<typeof freshPostgres>;
  let oci: string;
  let registry: RegistryCore;
  let scratch: string;
  const opened: RegistryCore[] = [];

  async function team(url = pg.url, objects = oci): Promise<RegistryCore> {
    const driver = new RegistryCore(new PostgresRecords({ url }), new OciObjectStore({ url: objects, chunkSize: 256 * 1024, timeoutMs: 10_000 }));
    await driver.open({ create: true });
    opened.push(driver);
    return driver;
  }

  /** The registry's HTTP API, as any OCI tool sees it. */
  function api(pathname: string, accept = "application/vnd.oci.image.manifest.v1+json"): Promise<Response> {
    const { base } = parseOciUrl(oci);
    return fetch(new URL(pathname, base), { headers: { accept }, signal: AbortSignal.timeout(10_000) });
  }

  beforeEach(async () => {
    pg = freshPostgres();
    oci = freshOci();
    registry = await team();
    scratch = await mkdtemp(path.join(tmpdir(), "assetctl-oci-"));
  });

  afterEach(async () => {
    for (const driver of opened.splice(0)) await driver.close();
    await pg.cleanup();
    await rm(scratch, { recursive: true, force: true });
  });

  async function created(data = Buffer.from("model weights"), overrides: Partial<VersionRecord> = {}): Promise<VersionRecord> {
    const record = sampleRecord({ artifacts: [sampleArtifact(data)], ...overrides });
    await registry.putObject(sha256(data), { kind: "bytes", data });
    await registry.createVersion(record);
    return record;
  }

  it("publishes each version as an artifact any OCI tool can pull by name and version", async () => {
    const data = Buffer.from("model weights");
    const record = await created(data);
    const { namespace } = parseOciUrl(oci);
    const response = await api(`/v2/${namespace}/model/manifests/mnist-1`);
    expect(response.status).toBe(200);
    const manifest = (await response.json()) as ArtifactManifest;
    expect(manifest).toMatchObject({
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      artifactType: "application/vnd.assetctl.model.v1+json",
      config: { mediaType: "application/vnd.assetctl.spec.v1+json" },
      layers: [{ digest: sha256(data), size: data.length, annotations: { "org.opencontainers.image.title": "models/model.pkl" } }],
      annotations: {
        "org.opencontainers.image.revision": record.provenance.commit,
        "org.opencontainers.image.version": "1",
        "vnd.assetctl.address": "model:mnist:1",
        "vnd.assetctl.digest": record.digest,
        "vnd.assetctl.manifest": "models/model.yml",
      },
    });
    // What `oras pull` does next: the config and each layer, by digest, from the same repository.
    const config = await api(`/v2/${namespace}/model/blobs/${manifest.config.digest}`, "*/*");
    expect(JSON.parse(await config.text())).toEqual(record.spec);
    const layer = await api(`/v2/${namespace}/model/blobs/${sha256(data)}`, "*/*");
    expect(Buffer.from(await layer.arrayBuffer())).toEqual(data);
    expect(await registry.verify()).toEqual([]);
  });

  it("never moves a tag: another registry's records cannot repoint a published version", async () => {
    const first = await created(Buffer.from("first"));
    const other = await team(freshPostgres().url);
    const data = Buffer.from("second");
    await other.putObject(sha256(data), { kind: "bytes", data });
    const error = await other.createVersion(sampleRecord({ artifacts: [sampleArtifact(data)], spec: { other: true } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe("version-exists");
    expect((error as RegistryError).message).toContain("never moves a tag");
    const { namespace } = parseOciUrl(oci);
    const manifest = (await (await api(`/v2/${namespace}/model/manifests/mnist-1`)).json()) as ArtifactManifest;
    expect(manifest.annotations["vnd.assetctl.digest"]).toBe(first.digest);
  });

  it("gives addresses that read alike as a tag tags of their own", async () => {
    await created(Buffer.from("a"), { name: "a-1", version: "2" });
    await created(Buffer.from("b"), { name: "a", version: "1-2" });
    const { namespace } = parseOciUrl(oci);
    const tags = (await (await api(`/v2/${namespace}/model/tags/list`, "application/json")).json()) as { tags: string[] };
    expect(tags.tags.sort()).toEqual([hashedTag("a", "1-2"), "a-1-2"].sort());
    expect(await registry.verify()).toEqual([]);
  });

  it("publishes what an interrupted apply left unpublished as soon as someone takes the lock", async () => {
    const data = Buffer.from("weights");
    await registry.putObject(sha256(data), { kind: "bytes", data });
    // As if the process died between creating the record and publishing it.
    await registry.records.createVersion(sampleRecord({ artifacts: [sampleArtifact(data)] }));
    expect((await registry.verify()).map((p) => p.code)).toEqual(["object-missing"]);
    const lock = await registry.lock({ owner: "ci", operation: "apply", timeoutMs: 0 });
    await lock.release();
    expect(await registry.verify()).toEqual([]);
  });

  it("uploads a large file in chunks, and stores nothing when the file does not hash as claimed", async () => {
    const big = randomBytes(1024 * 1024 + 4321);
    const file = path.join(scratch, "big.bin");
    await writeFile(file, big);
    await registry.putObject(sha256(big), { kind: "file", path: file, size: big.length });
    expect((await readAll(await registry.readObject(sha256(big)))).equals(big)).toBe(true);
    const claimed = sha256("something else");
    const error = await registry.putObject(claimed, { kind: "file", path: file, size: big.length }).catch((e: unknown) => e);
    expect((error as RegistryError).code).toBe("object-digest-mismatch");
    expect(await registry.hasObject(claimed)).toBe(false);
  });

  it("stops uploading a file truncated mid-upload, saying so, and stores nothing", async () => {
    const big = randomBytes(1024 * 1024);
    const file = path.join(scratch, "truncated.bin");
    await writeFile(file, big);
    let truncated = false;
    const error = await registry
      .putObject(sha256(big), { kind: "file", path: file, size: big.length }, {
        onBytes: () => {
          if (!truncated) truncateSync(file, 5000);
          truncated = true;
        },
      })
      .catch((e: unknown) => e);
    expect((error as RegistryError).code).toBe("object-digest-mismatch");
    expect((error as RegistryError).message).toContain(`ended after ${256 * 1024} of the ${big.length} bytes planned`);
    expect(await registry.hasObject(sha256(big))).toBe(false);
  });

  it("checks the bytes it reads back: a blob corrupted on the server is caught by reads and by verify", async () => {
    const server = await startOciRegistry();
    try {
      const driver = await team(pg.url, `${server.url}/corrupt`);
      const data = randomBytes(4096);
      const digest = sha256(data);
      await driver.putObject(digest, { kind: "bytes", data });
      await driver.createVersion(sampleRecord({ artifacts: [sampleArtifact(data)] }));
      const hex = digest.slice("sha256:".length);
      const blob = path.join(server.storage, "docker", "registry", "v2", "blobs", "sha256", hex.slice(0, 2), hex, "data");
      await writeFile(blob, randomBytes(4096));
      const error = await readAll(await driver.readObject(digest)).catch((e: unknown) => e);
      expect((error as RegistryError).code).toBe("corrupt");
      expect((await driver.verify()).map((p) => p.code)).toEqual(["object-corrupt"]);
      await driver.close();
    } finally {
      await server.stop();
    }
  });
});

describe("oci addresses", () => {
  it("use TLS unless the host is loopback or insecure=true says otherwise", () => {
    expect(parseOciUrl("oci://registry.example.com/ml/assets").base.toString()).toBe("https://registry.example.com/");
    expect(parseOciUrl("oci://127.0.0.1:5000/ml").base.toString()).toBe("http://127.0.0.1:5000/");
    expect(parseOciUrl("oci://localhost:5000/ml").base.protocol).toBe("http:");
    expect(parseOciUrl("oci://registry.lan:5000/ml?insecure=true").base.protocol).toBe("http:");
    expect(parseOciUrl("oci://registry.example.com/ml/assets").namespace).toBe("ml/assets");
  });

  it("refuse credentials in the address and namespaces OCI does not allow", () => {
    expect(() => parseOciUrl("oci://bob:s3cret@registry.example.com/ml")).toThrow(/carries credentials/);
    expect(() => parseOciUrl("oci://bob:s3cret@registry.example.com/ml")).not.toThrow(/s3cret/);
    expect(() => parseOciUrl("oci://registry.example.com/ML")).toThrow(/not a valid OCI repository namespace/);
    expect(() => parseOciUrl("oci://registry.example.com/")).toThrow(RegistryError);
  });

  it("give a valid tag for any name and version", () => {
    expect(primaryTag("mnist", "1")).toBe("mnist-1");
    expect(primaryTag("AzureML-sklearn-1.5_ubuntu.22", "1.0.0-rc.1")).toBe("AzureML-sklearn-1.5_ubuntu.22-1.0.0-rc.1");
    for (const tag of [primaryTag("x".repeat(200), "1"), primaryTag("a b", "1+2"), primaryTag(".hidden", "1")]) {
      expect(tag).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/);
    }
    expect(primaryTag("x".repeat(200), "1")).not.toBe(primaryTag("x".repeat(200), "2"));
  });
});

describe("oci credentials", () => {
  let server: Server;
  let base: string;
  const seen: { token?: string | undefined; bearer?: string | undefined } = {};
  const saved = { ...process.env };

  beforeEach(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", base);
      if (url.pathname === "/token") {
        seen.token = req.headers.authorization;
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token: "t0ken" }));
        return;
      }
      seen.bearer = req.headers.authorization;
      if (req.headers.authorization !== "Bearer t0ken") {
        res.writeHead(401, { "www-authenticate": `Bearer realm="${base}/token",service="stub",scope="repository:team:pull"` }).end();
        return;
      }
      res.writeHead(url.pathname === "/v2/" ? 200 : 404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    process.env = { ...saved };
    await new Promise((resolve) => server.close(resolve));
  });

  it("answers a Bearer challenge with a token got with the environment's credentials", async () => {
    process.env["ASSETCTL_OCI_USERNAME"] = "ci";
    process.env["ASSETCTL_OCI_PASSWORD"] = "s3cret";
    const store = new OciObjectStore({ url: `oci://${base.slice("http://".length)}/team`, timeoutMs: 5000 });
    await store.open();
    expect(await store.hasObject(sha256("x"))).toBe(false);
    await store.close();
    expect(seen.token).toBe(`Basic ${Buffer.from("ci:s3cret").toString("base64")}`);
    expect(seen.bearer).toBe("Bearer t0ken");
  });

  it("reads docker login's config.json when the environment has none", async () => {
    delete process.env["ASSETCTL_OCI_USERNAME"];
    delete process.env["ASSETCTL_OCI_PASSWORD"];
    const dir = await mkdtemp(path.join(tmpdir(), "assetctl-docker-"));
    const host = base.slice("http://".length);
    await writeFile(path.join(dir, "config.json"), JSON.stringify({ auths: { [host]: { auth: Buffer.from("dev:pw").toString("base64") } } }));
    process.env["DOCKER_CONFIG"] = dir;
    const store = new OciObjectStore({ url: `oci://${host}/team`, timeoutMs: 5000 });
    await store.open();
    expect(await store.hasObject(sha256("x"))).toBe(false);
    await store.close();
    expect(seen.token).toBe(`Basic ${Buffer.from("dev:pw").toString("base64")}`);
    await rm(dir, { recursive: true, force: true });
  });
});
