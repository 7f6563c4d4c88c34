// What assetctl keeps in an Azure ML registry, which has no storage assetctl can list, lock or write at
// will: everything is an asset of the registry itself, so the service's own write-once versions (a
// create of an existing version with other content is a 409) are the compare-and-swap.
//
// - objects: data asset `assetctl-objects`, version = the digest's hex; its bytes go up through the
//   pending-upload flow (`startPendingUpload` → a SAS URI for the registry's storage) and are read back
//   through `getBlobReferenceSAS`. One upload per digest: an object that has its version is there.
// - a version's files: its own pending upload, filled by server-side copies of the objects.
// - journal: data asset `assetctl-journal`, version N = serial N (a lost race for N is a 409: try N+1).
// - lock: data asset `assetctl-lock`, version G = the G-th taking of the lock; taking it is creating
//   G+1 (a 409 when someone else did first); renewal and release are tags on G, written by its holder.
// - format marker: `assetctl-registry` version 1.
import type { Readable } from "node:stream";
import type { BlockBlobClient, ContainerClient } from "@azure/storage-blob";
import type { ObjectSource, PutObjectOptions } from "../../driver.js";
import { RegistryError } from "../../driver.js";
import { objectMissing } from "../../errors.js";
import type { Digest, LockInfo, VersionRecord } from "../../types.js";
import type { ArmClient, Json } from "./arm.js";
import { SEGMENTS } from "./assets.js";
import { downloadVerified, FORMAT, guard, uploadVerified } from "./storage.js";
import type { AssetStore, JournalLine, LockSlot } from "./store.js";

export const OBJECTS = "assetctl-objects";
export const JOURNAL = "assetctl-journal";
export const LOCK = "assetctl-lock";
export const MARKER = "assetctl-registry";
const ENTRY = "assetctl.entry";
const LOCK_INFO = "assetctl.lock";
/** A journal append that lost the race for a serial tries the next one, this many times. */
const APPEND_ATTEMPTS = 100;

type Blob = typeof import("@azure/storage-blob");

/** A bookkeeping version: a data asset pointing nowhere (`none`), its content in properties. */
function bookkeeping(properties: Record<string, string>, tags: Record<string, string> = {}): Json {
  return { properties: { dataType: "uri_file", dataUri: "none", description: null, tags, properties, isAnonymous: false, isArchived: false } };
}

const hexOf = (digest: Digest): string => digest.slice("sha256:".length);

export class RegistryStore implements AssetStore {
  readonly reserved: ReadonlySet<string> = new Set([OBJECTS, JOURNAL, LOCK, MARKER]);
  readonly lock: LockSlot;

  private constructor(
    private readonly arm: ArmClient,
    private readonly blob: Blob,
  ) {
    this.lock = new AssetLock(arm);
  }

  static async connect(arm: ArmClient): Promise<RegistryStore> {
    return new RegistryStore(arm, await import("@azure/storage-blob"));
  }

  async readMarker(): Promise<{ format: number } | undefined> {
    const found = await this.arm.get(`/data/${MARKER}/versions/1`);
    if (found === undefined) return undefined;
    const format = Number(propertiesOf(found)["assetctl.format"] ?? Number.NaN);
    if (!Number.isFinite(format)) throw new RegistryError("format-unknown", `The registry's ${MARKER} asset is not assetctl's.`);
    return { format };
  }

  async create(): Promise<void> {
    const { status, body } = await this.arm.request("PUT", this.arm.urlOf(`/data/${MARKER}/versions/1`), bookkeeping({ "assetctl.format": String(FORMAT), "assetctl.created_by": "assetctl" }));
    if (status === 409) return; // made by another process first
    this.arm.check(status, body, `PUT data ${MARKER}:1`);
  }

  // --- objects ---

  async hasObject(digest: Digest): Promise<boolean> {
    return (await this.arm.get(`/data/${OBJECTS}/versions/${hexOf(digest)}`)) !== undefined;
  }

  async putObject(digest: Digest, source: ObjectSource, options: PutObjectOptions = {}): Promise<void> {
    const hex = hexOf(digest);
    if (await this.hasObject(digest)) return;
    const upload = await this.#pendingUpload(`/data/${OBJECTS}/versions/${hex}`);
    const target = this.#blobUnder(upload, hex);
    await uploadVerified(target.client, digest, source, options);
    const size = source.kind === "bytes" ? source.data.length : source.size;
    const body = { properties: { dataType: "uri_file", dataUri: target.uri, description: null, tags: {}, properties: { "assetctl.digest": digest, "assetctl.size": String(size) }, isAnonymous: false, isArchived: false } };
    const { status, body: answer } = await this.arm.request("PUT", this.arm.urlOf(`/data/${OBJECTS}/versions/${hex}`), body);
    // 409: someone stored the same digest first (other upload, same bytes): the object is there.
    if (status === 409) return;
    this.arm.check(status, answer, `PUT object ${digest}`);
  }

  async readObject(digest: Digest): Promise<Readable> {
    return downloadVerified(await this.#readable(digest), digest);
  }

  /** A read-only SAS for an object's blob, through getBlobReferenceSAS. */
  async #readable(digest: Digest): Promise<BlockBlobClient> {
    const hex = hexOf(digest);
    const version = await this.arm.get(`/data/${OBJECTS}/versions/${hex}`);
    const uri = (version?.["properties"] as Json | undefined)?.["dataUri"];
    if (version === undefined || typeof uri !== "string") throw objectMissing(digest);
    const { status, body } = await this.arm.request("POST", this.arm.urlOf(`/datareferences/${OBJECTS}/versions/${hex}`), { assetId: String(version["id"] ?? ""), blobUri: uri });
    this.arm.check(status, body, `POST getBlobReferenceSAS ${digest}`);
    const credential = ((body?.["blobReferenceForConsumption"] ?? {}) as Json)["credential"] as Json | undefined;
    const sas = credential?.["sasUri"];
    if (credential?.["credentialType"] !== "SAS" || typeof sas !== "string") {
      throw new RegistryError("unavailable", `Azure ML gave no SAS to read object ${digest} (credential ${String(credential?.["credentialType"] ?? "none")}).`);
    }
    return new this.blob.BlockBlobClient(sas, new this.blob.AnonymousCredential(), { retryOptions: { maxTries: 5, retryDelayInMs: 200, maxRetryDelayInMs: 8000 } });
  }

  async #pendingUpload(path: string): Promise<{ container: ContainerClient; prefix: string; blobUri: string }> {
    const { status, body } = await this.arm.request("POST", this.arm.urlOf(`${path}/startPendingUpload`), { pendingUploadType: "TemporaryBlobReference" });
    this.arm.check(status, body, `POST startPendingUpload ${path}`);
    const reference = (body?.["blobReferenceForConsumption"] ?? {}) as Json;
    const credential = (reference["credential"] ?? {}) as Json;
    const blobUri = reference["blobUri"];
    const sas = credential["sasUri"];
    if (typeof blobUri !== "string" || typeof sas !== "string") throw new RegistryError("unavailable", `Azure ML gave no upload location for ${path}.`);
    // The SAS names the container; the blob URI a folder in it.
    const container = new this.blob.ContainerClient(sas, new this.blob.AnonymousCredential(), { retryOptions: { maxTries: 5, retryDelayInMs: 200, maxRetryDelayInMs: 8000 } });
    const base = new URL(container.url).pathname.replace(/\/+$/, "");
    const folder = new URL(blobUri).pathname;
    if (!folder.startsWith(`${base}/`)) throw new RegistryError("unavailable", `Azure ML's upload location for ${path} is outside the container it gave access to.`);
    return { container, prefix: decodeURIComponent(folder.slice(base.length + 1)).replace(/\/+$/, ""), blobUri: blobUri.replace(/\/+$/, "") };
  }

  #blobUnder(upload: { container: ContainerClient; prefix: string; blobUri: string }, path: string): { client: BlockBlobClient; uri: string } {
    return { client: upload.container.getBlockBlobClient(`${upload.prefix}/${path}`), uri: `${upload.blobUri}/${path.split("/").map(encodeURIComponent).join("/")}` };
  }

  /** Each artifact gets the version's own pending upload, filled by server-side copies of its objects. */
  async placeArtifacts(record: VersionRecord): Promise<Map<string, string>> {
    const uris = new Map<string, string>();
    if (record.kind === "datastore") return uris;
    const path = `/${SEGMENTS[record.kind]}/${encodeURIComponent(record.name)}/versions/${encodeURIComponent(record.version)}`;
    for (const artifact of record.artifacts) {
      const upload = await this.#pendingUpload(path);
      await Promise.all(
        artifact.files.map(async (f) => {
          const source = await this.#readable(f.digest);
          const target = this.#blobUnder(upload, f.path).client;
          await guard("copy an artifact file", async () => {
            const poller = await target.beginCopyFromURL(source.url);
            await poller.pollUntilDone();
          });
        }),
      );
      const file = artifact.type === "file" ? (artifact.files[0]?.path ?? "") : "";
      uris.set(artifact.pointer, file === "" ? `${upload.blobUri}/` : this.#blobUnder(upload, file).uri);
    }
    return uris;
  }

  // --- journal: version N of assetctl-journal is entry N ---

  async append(line: JournalLine): Promise<number> {
    const body = bookkeeping({ [ENTRY]: JSON.stringify(line) });
    for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt++) {
      const container = await this.arm.get(`/data/${JOURNAL}`);
      const next = Number((container?.["properties"] as Json | undefined)?.["nextVersion"] ?? "1");
      const serial = Number.isInteger(next) && next > 0 ? next : 1;
      const { status, body: answer } = await this.arm.request("PUT", this.arm.urlOf(`/data/${JOURNAL}/versions/${serial}`), body);
      if (status === 201 || status === 200) return serial; // 200: this very entry, written by a retried request
      if (status !== 409) this.arm.check(status, answer, `PUT journal entry ${serial}`);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * Math.min(attempt + 1, 10)));
    }
    throw new RegistryError("unavailable", `Could not append to the journal of the registry: ${APPEND_ATTEMPTS} other writers came first.`, "run the command again");
  }

  async journalLines(): Promise<{ lines: JournalLine[] }> {
    const versions = await this.arm.list(`/data/${JOURNAL}/versions`);
    const lines = versions
      .map((v) => ({ serial: Number(v["name"]), text: propertiesOf(v)[ENTRY] }))
      .filter((v): v is { serial: number; text: string } => Number.isInteger(v.serial) && typeof v.text === "string")
      .sort((a, b) => a.serial - b.serial)
      .map((v) => JSON.parse(v.text) as JournalLine);
    return { lines };
  }

  async journalState(): Promise<{ count: number; etag: string | undefined }> {
    const container = await this.arm.get(`/data/${JOURNAL}`);
    if (container === undefined) return { count: 0, etag: undefined };
    const latest = Number((container["properties"] as Json | undefined)?.["latestVersion"] ?? 0);
    const system = (container["systemData"] ?? {}) as Json;
    return { count: Number.isFinite(latest) ? latest : 0, etag: String(system["lastModifiedAt"] ?? "") };
  }
}

/** The lock as versions of `assetctl-lock`: the latest one is the lock, free when its tag says released. */
class AssetLock implements LockSlot {
  constructor(private readonly arm: ArmClient) {}

  async #latest(): Promise<number> {
    const container = await this.arm.get(`/data/${LOCK}`);
    const latest = Number((container?.["properties"] as Json | undefined)?.["latestVersion"] ?? 0);
    return Number.isInteger(latest) && latest > 0 ? latest : 0;
  }

  async read(): Promise<{ info: LockInfo | undefined; token: string }> {
    const generation = await this.#latest();
    if (generation === 0) return { info: undefined, token: "0" };
    const version = await this.arm.get(`/data/${LOCK}/versions/${generation}`);
    const props = (version?.["properties"] ?? {}) as Json;
    const tags = (props["tags"] ?? {}) as Record<string, string>;
    const text = propertiesOf(version)[LOCK_INFO];
    if (typeof text !== "string" || tags["released"] === "true") return { info: undefined, token: String(generation) };
    const info = JSON.parse(text) as LockInfo;
    return { info: tags["expires_at"] ? { ...info, expires_at: tags["expires_at"] } : info, token: String(generation) };
  }

  async take(info: LockInfo, token: string): Promise<boolean> {
    const generation = Number(token) + 1;
    const { status, body } = await this.arm.request("PUT", this.arm.urlOf(`/data/${LOCK}/versions/${generation}`), bookkeeping({ [LOCK_INFO]: JSON.stringify(info) }, { expires_at: info.expires_at }));
    if (status === 201) return true;
    if (status === 409 || status === 200) return false;
    this.arm.check(status, body, `PUT lock ${generation}`);
    return false;
  }

  /** Tags on the holder's own version: only while it is still the latest, i.e. nobody took over. */
  async #tag(token: string, tags: Record<string, string>): Promise<boolean> {
    if (String(await this.#latest()) !== token) return false;
    const path = `/data/${LOCK}/versions/${token}`;
    const version = await this.arm.get(path);
    if (version === undefined) return false;
    const props = { ...((version["properties"] ?? {}) as Json) };
    delete props["provisioningState"];
    if (((props["tags"] ?? {}) as Record<string, string>)["released"] === "true") return false;
    props["tags"] = { ...((props["tags"] ?? {}) as Record<string, string>), ...tags };
    const { status, body } = await this.arm.request("PUT", this.arm.urlOf(path), { properties: props });
    this.arm.check(status, body, `PUT lock ${token}`);
    return true;
  }

  renew(info: LockInfo, token: string): Promise<boolean> {
    return this.#tag(token, { expires_at: info.expires_at });
  }

  release(token: string): Promise<boolean> {
    return this.#tag(token, { released: "true" });
  }
}

function propertiesOf(resource: Json | undefined): Record<string, string | null> {
  return (((resource?.["properties"] ?? {}) as Json)["properties"] ?? {}) as Record<string, string | null>;
}

