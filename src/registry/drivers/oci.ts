// OciObjectStore: the objects half of a team registry in an OCI distribution registry (ACR, GHCR,
// Harbor, docker-registry). Objects are blobs of the repository named by the namespace, checked by
// digest before anything is sent; each created version is also pushed as an OCI artifact
// (oci/artifact.ts) whose layers are those blobs, mounted across repositories without copying. Tags
// are never moved: a tag that exists is checked to name the same content and left as it is.
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { forEachConcurrent } from "../../concurrency.js";
import { sha256 } from "../../digest.js";
import { ProgressMeter } from "../../progress.js";
import { RegistryError, type ObjectSource, type PutObjectOptions, type VerifyOptions } from "../driver.js";
import { objectMissing } from "../errors.js";
import { verifiedStream } from "../object-digest.js";
import type { ObjectStore } from "../stores.js";
import { addressOf, type Digest, type VerifyProblem, type VersionRecord } from "../types.js";
import { ANNOTATION, artifactManifest, EMPTY, hashedTag, MANIFEST_TYPE, primaryTag, specBlob, SPEC_TYPE, type ArtifactManifest } from "./oci/artifact.js";
import { headerOf, OciHttp, registrySays, unexpected, type OciHttpOptions, type OciResponse } from "./oci/http.js";
import { parseOciUrl, type OciLocation } from "./oci/reference.js";
import { uploadBlob } from "./oci/upload.js";

export interface OciObjectStoreOptions extends OciHttpOptions {
  /** `oci://HOST[:PORT]/NAMESPACE[?insecure=true]`. */
  url: string;
  /** Blobs larger than this go up in chunks of this size (default 16 MiB). */
  chunkSize?: number;
}

const DEFAULT_CHUNK = 16 * 1024 * 1024;
const PARALLEL = 8;
const RECENTLY_MS = 10_000;

export class OciObjectStore implements ObjectStore {
  readonly url: string;
  readonly location: OciLocation;
  readonly #options: OciObjectStoreOptions;
  readonly #chunkSize: number;
  #http: OciHttp | undefined;
  /** Blobs seen present, per repository: blobs never change, so a yes never goes stale. */
  readonly #present = new Set<string>();
  /**
   * Blobs just seen absent, and when: apply asks hasObject right before putObject, and a second HEAD
   * would only repeat the answer. A stale "absent" costs at most a repeated upload, never a wrong result.
   */
  readonly #absent = new Map<string, number>();
  /**
   * One upload or mount per blob and repository at a time in this process: docker-registry rewrites a
   * repository's link file in place, and a manifest checked while two writers link the same blob can
   * read it torn (DIGEST_INVALID).
   */
  readonly #inflight = new Map<string, Promise<void>>();

  constructor(options: OciObjectStoreOptions) {
    this.location = parseOciUrl(options.url);
    this.url = this.location.display;
    this.#options = options;
    this.#chunkSize = options.chunkSize ?? DEFAULT_CHUNK;
  }

  /**
   * An OCI namespace needs no creating, and nothing is asked of the registry before it is needed: plan
   * and the read commands work from the records alone, even while the objects store is unreachable.
   */
  async open(): Promise<void> {
    this.#http ??= new OciHttp(this.location, this.#options);
  }

  async close(): Promise<void> {
    this.#http?.close();
    this.#http = undefined;
  }

  async hasObject(digest: Digest): Promise<boolean> {
    return this.#has(this.location.namespace, digest);
  }

  /** A put that joins one already under way in this process reports no bytes: the first put reports them. */
  async putObject(digest: Digest, source: ObjectSource, options: PutObjectOptions = {}): Promise<void> {
    return this.#once(`${this.location.namespace}@${digest}`, () => this.#put(digest, source, options));
  }

  async #put(digest: Digest, source: ObjectSource, options: PutObjectOptions): Promise<void> {
    const key = `${this.location.namespace}@${digest}`;
    if (this.#present.has(key)) return;
    const absentAt = this.#absent.get(key);
    const justAsked = absentAt !== undefined && Date.now() - absentAt < RECENTLY_MS;
    if (!justAsked && (await this.#has(this.location.namespace, digest))) return;
    await uploadBlob(this.#client(), this.location.namespace, digest, source, this.#chunkSize, options.onBytes);
    this.#present.add(key);
    this.#absent.delete(key);
  }

  async readObject(digest: Digest): Promise<Readable> {
    const doing = `download ${digest}`;
    const response = await this.#client().request({ method: "GET", target: `/v2/${this.location.namespace}/blobs/${digest}`, doing, stream: true });
    if (response.status === 404) throw objectMissing(digest);
    if (response.stream === undefined) throw unexpected(this.url, doing, response);
    const served = headerOf(response.headers, "docker-content-digest");
    if (served !== undefined && served !== digest) {
      response.stream.destroy();
      throw new RegistryError("corrupt", `The OCI registry ${this.url} served ${served} when asked for ${digest}.`);
    }
    // Ours too: the bytes are hashed as they stream, whatever the registry claims.
    return verifiedStream(response.stream, digest, `object ${digest} in ${this.url}`);
  }

  async publishVersion(record: VersionRecord): Promise<void> {
    const repository = this.#repository(record.kind);
    const address = addressOf(record);
    let tag = primaryTag(record.name, record.version);
    let existing = await this.#manifest(repository, tag);
    if (existing !== undefined && existing.annotations?.[ANNOTATION.address] !== address) {
      // Another address reads the same as a tag (`a-1` + `2`, `a` + `1-2`): this one takes the hashed tag.
      tag = hashedTag(record.name, record.version);
      existing = await this.#manifest(repository, tag);
    }
    if (existing !== undefined) {
      if (existing.annotations?.[ANNOTATION.digest] === record.digest) return;
      throw new RegistryError(
        "version-exists",
        `The OCI tag ${this.location.host}/${repository}:${tag} already names other content for ${address}; assetctl never moves a tag.`,
        "the objects store was used by another registry's records: give this registry its own namespace",
      );
    }
    const spec = specBlob(record);
    const config = { mediaType: SPEC_TYPE, digest: sha256(spec), size: spec.length };
    // A spec is nearly always new, and small: uploading it again costs less than asking first.
    await uploadBlob(this.#client(), repository, config.digest, { kind: "bytes", data: spec }, this.#chunkSize);
    const manifest = artifactManifest(record, config);
    await forEachConcurrent([...new Set(manifest.layers.map((l) => l.digest))], PARALLEL, (digest) =>
      digest === EMPTY.digest ? this.#ensure(repository, digest, { kind: "bytes", data: Buffer.from(EMPTY.data) }) : this.#mount(repository, digest),
    );
    const body = Buffer.from(JSON.stringify(manifest));
    const doing = `publish ${address} as ${repository}:${tag}`;
    let response = await this.#putManifest(repository, tag, body, doing);
    // Another process linking the same blob at this instant can make docker-registry read a torn link
    // file; that clears up on its own, a missing blob does not.
    for (let retry = 1; retry <= 2 && response.status === 400 && /DIGEST_INVALID|BLOB_UNKNOWN/.test(registrySays(response)); retry += 1) {
      await sleep(100 * retry);
      response = await this.#putManifest(repository, tag, body, doing);
    }
    if (response.status !== 201) throw unexpected(this.url, doing, response);
    const stored = headerOf(response.headers, "docker-content-digest");
    if (stored !== undefined && stored !== sha256(body)) {
      throw new RegistryError("corrupt", `The OCI registry ${this.url} stored the manifest of ${address} under ${stored}, not ${sha256(body)}.`);
    }
  }

  async publishMissing(records: VersionRecord[]): Promise<number> {
    const tagsByKind = new Map<string, Set<string>>();
    const missing: VersionRecord[] = [];
    for (const record of records) {
      let tags = tagsByKind.get(record.kind);
      if (tags === undefined) tagsByKind.set(record.kind, (tags = await this.#tags(this.#repository(record.kind))));
      if (!tags.has(primaryTag(record.name, record.version))) missing.push(record);
    }
    for (const record of missing) await this.publishVersion(record);
    return missing.length;
  }

  /** Re-hashes every blob the records need, downloading each once, and checks each version's artifact. */
  async verify(records: VersionRecord[], options: VerifyOptions = {}): Promise<VerifyProblem[]> {
    const problems: VerifyProblem[] = [];
    const needed = new Map<Digest, { address: string; size: number }>();
    for (const record of records) {
      for (const artifact of record.artifacts) {
        for (const file of artifact.files) if (!needed.has(file.digest)) needed.set(file.digest, { address: addressOf(record), size: file.size });
      }
    }
    // Progress counts the sizes the records give, so a blob that is missing or not that size still adds up.
    const meter = new ProgressMeter("verifying", options.onProgress);
    meter.expect([...needed.values()].reduce((bytes, { size }) => bytes + size, 0));
    await forEachConcurrent([...needed], PARALLEL, async ([digest, { address, size }]) => {
      const progress = meter.item(size);
      try {
        const stream = await this.readObject(digest);
        // Reading is the check: verifiedStream fails at the end on a mismatch.
        for await (const chunk of stream) progress.advance((chunk as Buffer).length);
      } catch (error) {
        if (!(error instanceof RegistryError) || (error.code !== "object-missing" && error.code !== "corrupt")) throw error;
        const code = error.code === "object-missing" ? "object-missing" : "object-corrupt";
        problems.push({ code, message: `${address} needs object ${digest}: ${error.message}`, subject: digest });
      } finally {
        progress.complete();
      }
    }).finally(() => meter.end());
    await forEachConcurrent(records, PARALLEL, async (record) => {
      const address = addressOf(record);
      const repository = this.#repository(record.kind);
      let tag = primaryTag(record.name, record.version);
      let manifest = await this.#manifest(repository, tag);
      if (manifest !== undefined && manifest.annotations?.[ANNOTATION.address] !== address) {
        tag = hashedTag(record.name, record.version);
        manifest = await this.#manifest(repository, tag);
      }
      if (manifest === undefined) {
        problems.push({ code: "object-missing", message: `${address} has no OCI artifact ${repository}:${tag} in ${this.url}; the next apply publishes it.`, subject: address });
      } else if (manifest.annotations?.[ANNOTATION.digest] !== record.digest) {
        problems.push({ code: "record-tampered", message: `The OCI artifact ${repository}:${tag} names other content than ${address}.`, subject: address });
      }
    });
    return problems;
  }

  #putManifest(repository: string, tag: string, body: Buffer, doing: string): Promise<OciResponse> {
    return this.#client().request({ method: "PUT", target: `/v2/${repository}/manifests/${tag}`, doing, headers: { "content-type": MANIFEST_TYPE }, body });
  }

  #repository(kind: string): string {
    return `${this.location.namespace}/${kind}`;
  }

  #client(): OciHttp {
    if (this.#http === undefined) throw new RegistryError("unavailable", `The object store ${this.url} is not open.`);
    return this.#http;
  }

  async #has(repository: string, digest: Digest): Promise<boolean> {
    const key = `${repository}@${digest}`;
    if (this.#present.has(key)) return true;
    const doing = `look up ${digest}`;
    const response = await this.#client().request({ method: "HEAD", target: `/v2/${repository}/blobs/${digest}`, doing });
    if (response.status === 404) {
      this.#absent.set(key, Date.now());
      return false;
    }
    if (response.status !== 200) throw unexpected(this.url, doing, response);
    this.#present.add(key);
    this.#absent.delete(key);
    return true;
  }

  async #ensure(repository: string, digest: Digest, source: ObjectSource): Promise<void> {
    await this.#once(`${repository}@${digest}`, async () => {
      if (await this.#has(repository, digest)) return;
      await uploadBlob(this.#client(), repository, digest, source, this.#chunkSize);
      this.#present.add(`${repository}@${digest}`);
    });
  }

  /** Joins the write of this blob already under way in this process, or starts it. */
  async #once(key: string, write: () => Promise<void>): Promise<void> {
    const running = this.#inflight.get(key);
    if (running !== undefined) return running;
    const promise = write().finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, promise);
    return promise;
  }

  /**
   * Links a blob of the namespace into an artifact's repository (a mount answers 201 whether or not the
   * repository had it, so no HEAD first); copies it when the registry cannot mount.
   */
  async #mount(repository: string, digest: Digest): Promise<void> {
    if (this.#present.has(`${repository}@${digest}`)) return;
    await this.#once(`${repository}@${digest}`, () => this.#mountOrCopy(repository, digest));
  }

  async #mountOrCopy(repository: string, digest: Digest): Promise<void> {
    const doing = `link ${digest} into ${repository}`;
    const query = new URLSearchParams({ mount: digest, from: this.location.namespace });
    const response = await this.#client().request({ method: "POST", target: `/v2/${repository}/blobs/uploads/?${query}`, doing });
    if (response.status === 201) {
      this.#present.add(`${repository}@${digest}`);
      return;
    }
    if (response.status !== 202) throw unexpected(this.url, doing, response);
    const session = headerOf(response.headers, "location");
    if (session !== undefined) await this.#client().request({ method: "DELETE", target: new URL(session, this.location.base), doing, retry: false }).catch(() => {});
    await this.#copy(repository, digest);
  }

  async #copy(repository: string, digest: Digest): Promise<void> {
    const dir = await mkdtemp(path.join(tmpdir(), "assetctl-oci-copy-"));
    try {
      const file = path.join(dir, "blob");
      await pipeline(await this.readObject(digest), createWriteStream(file));
      await uploadBlob(this.#client(), repository, digest, { kind: "file", path: file, size: (await stat(file)).size }, this.#chunkSize);
      this.#present.add(`${repository}@${digest}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  async #manifest(repository: string, tag: string): Promise<ArtifactManifest | undefined> {
    const doing = `read ${repository}:${tag}`;
    const response = await this.#client().request({ method: "GET", target: `/v2/${repository}/manifests/${tag}`, doing, headers: { accept: MANIFEST_TYPE } });
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw unexpected(this.url, doing, response);
    try {
      return JSON.parse(response.body.toString("utf8")) as ArtifactManifest;
    } catch {
      throw new RegistryError("corrupt", `The OCI registry ${this.url} holds a manifest at ${repository}:${tag} that is not JSON.`);
    }
  }

  /** Every tag of a repository (none when it does not exist yet), following the registry's pages. */
  async #tags(repository: string): Promise<Set<string>> {
    const tags = new Set<string>();
    let target: string | undefined = `/v2/${repository}/tags/list?n=1000`;
    while (target !== undefined) {
      const doing = `list the tags of ${repository}`;
      const response = await this.#client().request({ method: "GET", target, doing });
      if (response.status === 404) break;
      if (response.status !== 200) throw unexpected(this.url, doing, response);
      const page = JSON.parse(response.body.toString("utf8")) as { tags?: string[] | null };
      for (const tag of page.tags ?? []) tags.add(tag);
      target = /<([^>]+)>;\s*rel="next"/.exec(headerOf(response.headers, "link") ?? "")?.[1];
    }
    return tags;
  }
}

