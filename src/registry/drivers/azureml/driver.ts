// AzureMlDriver: an Azure Machine Learning workspace or registry as an assetctl registry. Records are its
// own asset versions (models, environments, data, components; a workspace's datastores). What Azure ML
// has no field for — objects, the files a version points at, the journal and the apply lock — is kept by
// an AssetStore: under `assetctl/` in a workspace's default blob datastore (storage.ts), or as the
// registry's own `assetctl-*` assets (registry-store.ts). A version's objects and files are stored
// before the version is created, and Azure ML refuses to change a version's content (409), so a version
// is whole or absent. A crash between creating a version and journaling it leaves the version without
// its journal entry: the version is still seen (its container is then listed from Azure), only the
// serial lags until the next write.
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import type { TokenCredential } from "@azure/identity";
import type { Fence, LockHandle, LockRequest, ObjectSource, PutObjectOptions, RegistryDriver, VerifyOptions } from "../../driver.js";
import { RegistryError } from "../../driver.js";
import { versionExists, versionNotFound } from "../../errors.js";
import { acquireWithin, currentProcess, DEFAULT_LOCK_TTL_MS, fencedError, lockStaleness, lostLockError, newLockInfo, type ProcessIdentity } from "../../lock-policy.js";
import { forEachConcurrent } from "../../../concurrency.js";
import { ProgressMeter } from "../../../progress.js";
import { aliasRecordsOf } from "../../alias-state.js";
import {
  addressOf,
  type Artifact,
  type ArtifactFile,
  type ContentMatch,
  type Digest,
  type AliasMove,
  type AliasRecord,
  type JournalEntry,
  type JournalRecord,
  type LockInfo,
  type RegistrySnapshot,
  type StoredVersion,
  type VerifyProblem,
  type VersionRecord,
  type VersionUpdate,
} from "../../types.js";
import { checkAddress, checkAliasMove, checkCallerJournalEntry, checkDigest, checkVersionRecord, checkVersionUpdate, requireObjects } from "../../validate.js";
import { journalEntryOf } from "../../version-state.js";
import { parseAzureMlAddress, type AzureMlAddress } from "./address.js";
import { ArmClient, azureCredential, type Json } from "./arm.js";
import { datastoreBody, immutableContent, SEGMENTS, storedDatastore, storedVersion, uriAt, versionBody } from "./assets.js";
import { LOCK, RegistryStore } from "./registry-store.js";
import { FORMAT, WorkspaceStorage } from "./storage.js";
import type { AssetStore, JournalLine } from "./store.js";

/** Containers whose versions are listed at once. */
const LIST_PARALLEL = 32;

/**
 * How long (seconds) a state token read from the journal alone stands for the whole workspace: see
 * stateToken. 0 lists every container instead.
 */
const DEFAULT_REUSE_WINDOW_S = 60;

/** How long the lists a state token read stand for the snapshot that follows (a plan's next step). */
const LISTED_FOR_MS = 2_000;

/** What a workspace's lists of containers said: every kind's containers, and its datastores. */
interface ContainerLists {
  containers: Json[][];
  datastores: Json[];
}

export interface AzureMlDriverOptions {
  url: string;
  identity?: ProcessIdentity;
  credential?: TokenCredential;
  env?: NodeJS.ProcessEnv;
}

export class AzureMlDriver implements RegistryDriver {
  readonly url: string;
  readonly #address: AzureMlAddress;
  readonly #identity: ProcessIdentity;
  readonly #env: NodeJS.ProcessEnv;
  #credential: TokenCredential | undefined;
  #arm: ArmClient | undefined;
  #storage: AssetStore | undefined;
  /** The lists a listing state token read, for the snapshot that follows it at once (read once). */
  #listed: (ContainerLists & { at: number }) | undefined;

  constructor(options: AzureMlDriverOptions) {
    this.#env = options.env ?? process.env;
    this.#address = parseAzureMlAddress(options.url, this.#env);
    this.url = options.url.replace(/\?.*$/, "");
    this.#identity = options.identity ?? currentProcess();
    this.#credential = options.credential;
  }

  async open(options: { create?: boolean } = {}): Promise<void> {
    this.#credential ??= await azureCredential(this.#env);
    this.#arm = await ArmClient.create(this.#address, this.#credential);
    this.#storage = this.#address.kind === "registries" ? await RegistryStore.connect(this.#arm) : await this.#connectStorage();
    const marker = await this.#storage.readMarker();
    if (marker === undefined) {
      if (options.create !== true) {
        const where = this.#address.kind === "registries" ? "the registry's own assets (assetctl-*)" : "the workspace's default datastore";
        throw new RegistryError("not-found", `${this.url} holds no assetctl registry yet.`, `run \`assetctl apply\`, which sets it up in ${where}`);
      }
      await this.#storage.create();
      return;
    }
    if (marker.format > FORMAT) throw new RegistryError("format-newer", `${this.url} was written by a newer assetctl (format ${marker.format}).`, "upgrade assetctl");
  }

  async close(): Promise<void> {
    this.#arm = undefined;
    this.#storage = undefined;
  }

  /** The default blob datastore, and a client for its account: the datastore's key or SAS, else the identity. */
  async #connectStorage(): Promise<AssetStore> {
    const arm = this.#armClient();
    // The storage library loads while the control plane answers.
    const [datastores, blob] = await Promise.all([arm.list("/datastores"), import("@azure/storage-blob")]);
    const found = datastores.find((d) => ((d["properties"] ?? {}) as Json)["isDefault"] === true) ?? datastores.find((d) => d["name"] === "workspaceblobstore");
    const props = (found?.["properties"] ?? {}) as Json;
    if (found === undefined || props["datastoreType"] !== "AzureBlob" || typeof props["accountName"] !== "string" || typeof props["containerName"] !== "string") {
      throw new RegistryError("unavailable", `${this.url} has no default blob datastore to keep objects in.`, "set a blob datastore as the workspace default");
    }
    const name = String(found["name"]);
    const account = props["accountName"];
    const template = this.#address.storageEndpoint ?? `${typeof props["protocol"] === "string" ? props["protocol"] : "https"}://{account}.blob.${typeof props["endpoint"] === "string" ? props["endpoint"] : "core.windows.net"}`;
    const accountUrl = template.replace("{account}", account);
    const retryOptions = { maxTries: 5, retryDelayInMs: 200, maxRetryDelayInMs: 8000 };
    const { status, body } = await arm.request("POST", arm.urlOf(`/datastores/${encodeURIComponent(name)}/listSecrets`));
    let service: import("@azure/storage-blob").BlobServiceClient;
    if (status === 200 && body?.["secretsType"] === "AccountKey" && typeof body["key"] === "string") {
      service = new blob.BlobServiceClient(accountUrl, new blob.StorageSharedKeyCredential(account, body["key"]), { retryOptions });
    } else if (status === 200 && body?.["secretsType"] === "Sas" && typeof body["sasToken"] === "string") {
      service = new blob.BlobServiceClient(`${accountUrl}?${body["sasToken"].replace(/^\?/, "")}`, new blob.AnonymousCredential(), { retryOptions });
    } else {
      // Identity-based datastores (and identities without listSecrets): Storage Blob Data Contributor.
      service = new blob.BlobServiceClient(accountUrl, this.#credential as TokenCredential, { retryOptions });
    }
    const a = this.#address;
    const pathUri = (path: string): string => `azureml://subscriptions/${a.subscription}/resourcegroups/${a.resourceGroup}/workspaces/${a.name}/datastores/${name}/paths/${path}`;
    return WorkspaceStorage.connect(service, props["containerName"], name, pathUri);
  }

  #armClient(): ArmClient {
    if (this.#arm === undefined) throw new RegistryError("unavailable", `${this.url} is not open.`);
    return this.#arm;
  }

  #store(): AssetStore {
    if (this.#storage === undefined) throw new RegistryError("unavailable", `${this.url} is not open.`);
    return this.#storage;
  }

  // --- reading ---

  /**
   * Every container of every kind; then each container's versions — from the journal, which keeps each
   * version as Azure answered assetctl's last write of it, when assetctl made the container (so no version
   * predates the journal's) and it shows nothing newer (its latest version is one assetctl journaled, and
   * it was modified no later than assetctl's last write);
   * otherwise listed from Azure ML, `LIST_PARALLEL` containers at a time. A workspace of versions only
   * assetctl wrote is read in a few requests, whatever its size.
   */
  async #versions(lines: readonly JournalLine[]): Promise<StoredVersion[]> {
    const arm = this.#armClient();
    const kinds = Object.entries(SEGMENTS) as [Exclude<VersionRecord["kind"], "datastore">, string][];
    const reserved = this.#store().reserved;
    const { containers: containerLists, datastores } = await this.#takeListed(kinds.map(([, segment]) => segment));
    const known = journaledResources(lines);
    const out: StoredVersion[] = [];
    const jobs: { kind: (typeof kinds)[number][0]; segment: string; name: string }[] = [];
    kinds.forEach(([kind, segment], i) => {
      for (const c of containerLists[i] ?? []) {
        const name = String(c["name"]);
        if (kind === "data" && reserved.has(name)) continue;
        const mine = known.get(`${kind}:${name}`);
        const props = (c["properties"] ?? {}) as Json;
        const modified = String(((c["systemData"] ?? {}) as Json)["lastModifiedAt"] ?? "");
        const latest = props["latestVersion"];
        if (mine !== undefined && mine.complete && typeof latest === "string" && mine.versions.has(latest) && modified !== "" && Date.parse(modified) <= Date.parse(mine.modified)) {
          for (const [, resource] of mine.versions) out.push(storedVersion(kind, name, resource));
        } else {
          jobs.push({ kind, segment, name });
        }
      }
    });
    await forEachConcurrent(jobs, LIST_PARALLEL, async (job) => {
      const versions = await arm.list(`/${job.segment}/${encodeURIComponent(job.name)}/versions`);
      for (const v of versions) out.push(storedVersion(job.kind, job.name, v));
    });
    for (const d of datastores) {
      const stored = storedDatastore(String(d["name"]), d);
      if (stored !== undefined) out.push(stored);
    }
    return out;
  }

  /**
   * The container lists a state token just read (the snapshot then shows exactly the state the token
   * names), else read now.
   */
  async #takeListed(segments: readonly string[]): Promise<ContainerLists> {
    const listed = this.#listed;
    this.#listed = undefined;
    if (listed !== undefined && Date.now() - listed.at < LISTED_FOR_MS) return listed;
    const arm = this.#armClient();
    const [containers, datastores] = await Promise.all([Promise.all(segments.map((segment) => arm.list(`/${segment}`))), this.#datastores()]);
    return { containers, datastores };
  }

  /** A registry has no datastores. */
  #datastores(): Promise<Json[]> {
    return this.#address.kind === "registries" ? Promise.resolve([]) : this.#armClient().list("/datastores");
  }

  async snapshot(): Promise<RegistrySnapshot> {
    const { lines } = await this.#store().journalLines();
    const versions = await this.#versions(lines);
    const journaled = new Set<string>();
    const adopted = new Map<string, VersionRecord>();
    const latest = new Map<string, VersionUpdate>();
    // gc's deletion is an archive in Azure ML (it cannot delete and keep the number): the journal tells them apart.
    const deleted = new Map<string, boolean>();
    const archived = new Map<string, boolean>();
    for (const line of lines) {
      if (line.entry.op === "create") journaled.add(line.entry.address);
      if (line.entry.op === "adopt" && line.adopted !== undefined) adopted.set(line.entry.address, line.adopted);
      if (line.update !== undefined) {
        const address = addressOf(line.update);
        latest.set(address, line.update);
        if (line.update.deleted !== undefined) deleted.set(address, line.update.deleted);
        if (line.update.archived !== undefined) archived.set(address, line.update.archived);
      }
    }
    let outside = 0;
    for (const v of versions) {
      const address = addressOf(v.record);
      const adoption = adopted.get(address);
      if (adoption !== undefined && v.unmanaged === true) {
        // Adopted: known by the record assetctl would have written; Azure's fields still say its mutable state.
        v.record = { ...adoption, mutable: v.record.mutable };
        delete v.unmanaged;
      }
      const update = latest.get(address);
      if (update !== undefined) {
        v.updated_at = update.updated_at;
        if (update.mutable?.display_name !== undefined) v.mutable.display_name = update.mutable.display_name;
      }
      if (deleted.get(address) === true) {
        v.deleted = true;
        v.archived = archived.get(address) ?? false;
      }
      if (!journaled.has(address)) outside++;
    }
    versions.sort((a, b) => (addressOf(a.record) < addressOf(b.record) ? -1 : addressOf(a.record) > addressOf(b.record) ? 1 : 0));
    // Versions made outside assetctl move the serial too, so a saved plan goes stale when one appears
    // (an adopted one still counts: its adoption is a journal entry of its own, which moves the serial).
    return { serial: lines.length + outside, versions };
  }

  /**
   * Two designs, by `ASSETCTL_AZUREML_REUSE_WINDOW` (seconds, default 60):
   * - a window (> 0): the journal's ETag and length (one storage request) and the current window of that
   *   many seconds. Every write through assetctl moves it at once; a version made or changed by `az ml`,
   *   Studio or the SDK moves nothing Azure ML can answer without listing every container, so it is seen
   *   when the window turns (a reused plan is at most that old for such writes; apply always re-reads);
   * - 0: the journal plus what every container says of its versions (latest version, next version,
   *   modification time), listed page by page: it sees any new version and any container Azure ML marks
   *   modified, at the cost of listing every container. The snapshot that follows reuses those lists.
   */
  async stateToken(): Promise<string | undefined> {
    const window = reuseWindowOf(this.#env);
    if (window > 0) {
      const journal = await this.#store().journalState();
      return `azureml:${journal.etag ?? "-"}:${journal.count}:${Math.floor(Date.now() / (window * 1000))}`;
    }
    // Always listed afresh: only a snapshot takes the lists a token read.
    this.#listed = undefined;
    const [journal, listed] = await Promise.all([this.#store().journalState(), this.#takeListed(Object.values(SEGMENTS))]);
    this.#listed = { ...listed, at: Date.now() };
    const hash = createHash("sha256").update(`${journal.etag ?? "-"}:${journal.count}`);
    for (const list of [...listed.containers, listed.datastores]) {
      for (const item of list) {
        // Taking and releasing the lock changes nothing a snapshot shows.
        if (item["name"] === LOCK) continue;
        const props = (item["properties"] ?? {}) as Json;
        const system = (item["systemData"] ?? {}) as Json;
        hash.update(`|${String(item["name"])}:${String(props["latestVersion"] ?? "")}:${String(props["nextVersion"] ?? "")}:${String(system["lastModifiedAt"] ?? "")}`);
      }
    }
    return `azureml:${hash.digest("hex").slice(0, 32)}`;
  }

  // --- versions made elsewhere ---

  /**
   * Equal when (1) Azure's fields, as assetctl would write them for `record` (with the version's own
   * URIs), equal the version's, description, tags, stage and archive aside, and (2) every blob under
   * each URI it points at matches the local file of the same relative path by size and MD5, with no file
   * on either side only. A blob without Content-MD5 cannot be compared without downloading it
   * ("undecidable"), nor can files outside the default datastore or in a registry's storage.
   */
  async sameContent(stored: StoredVersion, record: VersionRecord, read: (artifact: Artifact, file: ArtifactFile) => Promise<Buffer>): Promise<ContentMatch> {
    if (stored.unmanaged !== true || record.kind === "datastore") return "different";
    const content = ((stored.record.spec as Json)["azureml"] ?? {}) as Json;
    const conda = record.artifacts.find((a) => a.pointer === "/conda_file" && a.type === "file");
    const condaFile = conda?.files[0] === undefined ? undefined : (await read(conda, conda.files[0])).toString("utf8");
    const uriOf = (pointer: string): string | undefined => uriAt(record.kind, content, pointer);
    const expected = (versionBody(record, uriOf, condaFile)["properties"] ?? {}) as Json;
    if (immutableContent(expected) !== immutableContent(content)) return "different";
    let undecided = false;
    for (const artifact of record.artifacts) {
      if (artifact.pointer === "/conda_file") continue;
      const uri = uriOf(artifact.pointer);
      const remote = uri === undefined ? undefined : await this.#store().filesAt?.(uri);
      if (remote === undefined) return "undecidable";
      const local = new Map(artifact.files.map((f) => [artifact.type === "file" ? "" : f.path, f]));
      if (remote.length !== local.size) return "different";
      for (const blob of remote) {
        const file = local.get(blob.path);
        if (file === undefined || file.size !== blob.size) return "different";
        if (blob.md5 === undefined) {
          undecided = true;
          continue;
        }
        if (createHash("md5").update(await read(artifact, file)).digest("base64") !== blob.md5) return "different";
      }
    }
    return undecided ? "undecidable" : "equal";
  }

  /**
   * Journaled, with the record: Azure ML keeps a version's properties as created, so `assetctl.*` cannot
   * be added to it; the journal is what makes it managed (see snapshot).
   */
  async adoptVersion(record: VersionRecord, fence?: Fence): Promise<void> {
    checkVersionRecord(record);
    const address = addressOf(record);
    if (record.kind === "datastore") throw versionExists(address);
    await this.#checkFence(fence);
    const existing = await this.#armClient().get(`/${SEGMENTS[record.kind]}/${encodeURIComponent(record.name)}/versions/${encodeURIComponent(record.version)}`);
    if (existing === undefined) throw versionNotFound(address);
    if (storedVersion(record.kind, record.name, existing).unmanaged !== true) throw versionExists(address);
    const { lines } = await this.#store().journalLines();
    if (lines.some((l) => l.entry.op === "adopt" && l.entry.address === address)) throw versionExists(address);
    await this.#store().append({ at: new Date().toISOString(), entry: { op: "adopt", address, digest: record.digest }, adopted: record });
  }

  // --- objects ---

  async hasObject(digest: Digest): Promise<boolean> {
    checkDigest(digest);
    return this.#store().hasObject(digest);
  }

  async putObject(digest: Digest, source: ObjectSource, options?: PutObjectOptions): Promise<void> {
    checkDigest(digest);
    return this.#store().putObject(digest, source, options);
  }

  async readObject(digest: Digest): Promise<Readable> {
    checkDigest(digest);
    return this.#store().readObject(digest);
  }

  // --- writing ---

  /** A write under a lock that is no longer the workspace's current one writes nothing (see Fence). */
  async #checkFence(fence: Fence | undefined): Promise<void> {
    // A write makes lists read before it stale.
    this.#listed = undefined;
    if (fence === undefined) return;
    const held = await this.#store().lock.read();
    if (held.info === undefined || held.info.id !== fence.lockId) throw fencedError(fence, this.url);
  }

  async createVersion(record: VersionRecord, fence?: Fence): Promise<void> {
    checkVersionRecord(record);
    const address = addressOf(record);
    const storage = this.#store();
    await requireObjects(record, (digest) => storage.hasObject(digest));
    const arm = this.#armClient();
    await this.#checkFence(fence);
    if (record.kind === "datastore") {
      if (this.#address.kind === "registries") {
        throw new RegistryError("invalid", `Azure ML registries hold no datastores: ${address} cannot be created in ${this.url}.`, "keep datastore manifests for workspaces (a registry's assets live in its own storage)");
      }
      await this.#createDatastore(record);
    } else {
      const path = `/${SEGMENTS[record.kind]}/${encodeURIComponent(record.name)}/versions/${encodeURIComponent(record.version)}`;
      // Whether the container is new: only then does the journal know every version in it (see #versions).
      const [existing, container] = await Promise.all([arm.get(path), arm.get(`/${SEGMENTS[record.kind]}/${encodeURIComponent(record.name)}`)]);
      if (existing !== undefined) throw versionExists(address);
      // Where Azure ML reads the version's files from: copies of the objects, by path.
      const uris = await storage.placeArtifacts(record);
      const conda = record.artifacts.find((a) => a.pointer === "/conda_file" && a.type === "file");
      const condaFile = conda === undefined ? undefined : (await buffer(await storage.readObject(conda.digest))).toString("utf8");
      const { status, body } = await arm.request("PUT", arm.urlOf(path), versionBody(record, (p) => uris.get(p), condaFile));
      // 200 is an update of a version that appeared meanwhile with the same content: not ours either.
      if (status === 409 || status === 200) throw versionExists(address);
      arm.check(status, body, `PUT ${address}`);
      await storage.append({ at: new Date().toISOString(), entry: { op: "create", address, digest: record.digest }, ...resourceOf(body), ...(container === undefined ? { container_new: true } : {}) });
      return;
    }
    await storage.append({ at: new Date().toISOString(), entry: { op: "create", address, digest: record.digest } });
  }

  async #createDatastore(record: VersionRecord): Promise<void> {
    const arm = this.#armClient();
    const path = `/datastores/${encodeURIComponent(record.name)}`;
    const existing = await arm.get(path);
    if (existing !== undefined) {
      const stored = storedDatastore(record.name, existing);
      if (stored === undefined || stored.record.version === record.version) throw versionExists(addressOf(record));
      throw new RegistryError(
        "invalid",
        `Azure ML keeps one datastore per name: ${record.name} exists as version ${stored.record.version}, so version ${record.version} cannot be added.`,
        "keep a datastore's version fixed, or give the new one another name",
      );
    }
    const { status, body } = await arm.request("PUT", arm.urlOf(path), datastoreBody(record, this.#env));
    if (status === 200 || status === 409) throw versionExists(addressOf(record));
    arm.check(status, body, `PUT datastore ${record.name}`);
  }

  async updateVersion(update: VersionUpdate, fence?: Fence): Promise<void> {
    checkVersionUpdate(update);
    const address = addressOf(update);
    const arm = this.#armClient();
    await this.#checkFence(fence);
    if (update.kind === "datastore") {
      const path = `/datastores/${encodeURIComponent(update.name)}`;
      const existing = await arm.get(path);
      if (existing === undefined) throw versionNotFound(address);
      if (update.mutable !== undefined) {
        const props: Json = { ...((existing["properties"] ?? {}) as Json), description: update.mutable.description ?? null, tags: update.mutable.tags ?? {} };
        delete props["isDefault"];
        const { status, body } = await arm.request("PUT", arm.urlOf(path), { properties: props });
        arm.check(status, body, `PUT datastore ${update.name}`);
      }
    } else {
      const path = `/${SEGMENTS[update.kind]}/${encodeURIComponent(update.name)}/versions/${encodeURIComponent(update.version)}`;
      const existing = await arm.get(path);
      if (existing === undefined) throw versionNotFound(address);
      const props = { ...((existing["properties"] ?? {}) as Json) };
      delete props["provisioningState"];
      delete props["environmentType"];
      if (update.mutable !== undefined) {
        props["description"] = update.mutable.description ?? null;
        props["tags"] = update.mutable.tags ?? {};
      }
      if (update.archived !== undefined) props["isArchived"] = update.archived;
      // Azure ML cannot delete a version and keep its number: a version gc deletes is archived there.
      if (update.deleted !== undefined) props["isArchived"] = update.deleted;
      const { status, body } = await arm.request("PUT", arm.urlOf(path), { properties: props });
      arm.check(status, body, `PUT ${address}`);
      await this.#store().append({ at: new Date().toISOString(), entry: journalEntryOf(update), update, ...resourceOf(body) });
      return;
    }
    const entry: JournalEntry = journalEntryOf(update);
    await this.#store().append({ at: new Date().toISOString(), entry, update });
  }

  async history(kind: string, name: string, version: string): Promise<VersionUpdate[]> {
    checkAddress(kind, name, version);
    const address = addressOf({ kind, name, version });
    const { lines } = await this.#store().journalLines();
    const updates = lines.filter((l): l is JournalLine & { update: VersionUpdate } => l.update !== undefined && addressOf(l.update) === address).map((l) => l.update);
    if (updates.length > 0) return updates;
    const { versions } = await this.snapshot();
    if (!versions.some((v) => addressOf(v.record) === address)) throw versionNotFound(address);
    return [];
  }

  async appendJournal(entry: JournalEntry, fence?: Fence): Promise<number> {
    checkCallerJournalEntry(entry);
    await this.#checkFence(fence);
    return this.#store().append({ at: new Date().toISOString(), entry });
  }

  /**
   * Journaled beside the assetctl journal only. Not as tags: tags are the mutable fields manifests
   * declare and plan compares, so an alias tag would read as drift on every version it leaves; and
   * Azure ML properties cannot change once a version exists, while an alias moves.
   */
  async moveAlias(move: AliasMove, fence?: Fence): Promise<number> {
    checkAliasMove(move);
    await this.#checkFence(fence);
    if (move.to !== null && !(await this.#exists(move.kind, move.name, move.to))) throw versionNotFound(addressOf({ kind: move.kind, name: move.name, version: move.to }));
    return this.#store().append({ at: new Date().toISOString(), entry: { op: "alias", move } });
  }

  async aliasHistory(): Promise<AliasRecord[]> {
    return aliasRecordsOf(await this.journal());
  }

  async #exists(kind: VersionRecord["kind"], name: string, version: string): Promise<boolean> {
    if (kind === "datastore") {
      const existing = await this.#armClient().get(`/datastores/${encodeURIComponent(name)}`);
      return existing !== undefined && storedDatastore(name, existing)?.record.version === version;
    }
    return (await this.#armClient().get(`/${SEGMENTS[kind]}/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}`)) !== undefined;
  }

  async journal(): Promise<JournalRecord[]> {
    return WorkspaceStorage.records((await this.#store().journalLines()).lines);
  }

  // --- lock: a blob changed only under its ETag (compare-and-swap), with owner, time and expiry ---

  async lock(request: LockRequest): Promise<LockHandle> {
    const slot = this.#store().lock;
    const ttlMs = request.ttlMs ?? DEFAULT_LOCK_TTL_MS;
    return acquireWithin(request.timeoutMs, async () => {
      const held = await slot.read();
      if (held.info !== undefined && lockStaleness(held.info, new Date(), this.#identity) === undefined) return { holder: held.info };
      const info = newLockInfo({ ...request, ttlMs }, this.#identity, new Date());
      if (!(await slot.take(info, held.token))) {
        const now = await slot.read();
        return { holder: now.info ?? info };
      }
      return { handle: this.#handle(info, ttlMs) };
    });
  }

  #handle(info: LockInfo, ttlMs: number): LockHandle {
    const slot = this.#store().lock;
    const where = this.url;
    return {
      info,
      async release() {
        const held = await slot.read();
        if (held.info === undefined || held.info.id !== info.id) return;
        await slot.release(held.token);
      },
      async renew() {
        const held = await slot.read();
        if (held.info === undefined || held.info.id !== info.id) throw lostLockError(info, where);
        const renewed = { ...info, expires_at: new Date(Date.now() + ttlMs).toISOString() };
        if (!(await slot.renew(renewed, held.token))) throw lostLockError(info, where);
        (this as { info: LockInfo }).info = renewed;
      },
    };
  }

  async currentLock(): Promise<LockInfo | undefined> {
    const held = await this.#store().lock.read();
    if (held.info === undefined || lockStaleness(held.info, new Date(), this.#identity) !== undefined) return undefined;
    return held.info;
  }

  async forceUnlock(id: string): Promise<void> {
    const slot = this.#store().lock;
    const held = await slot.read();
    if (held.info === undefined || held.info.id !== id || !(await slot.release(held.token))) {
      throw new RegistryError("lock-not-found", `${this.url} has no lock ${id}.`);
    }
  }

  // --- verify ---

  async verify(options: VerifyOptions = {}): Promise<VerifyProblem[]> {
    const problems: VerifyProblem[] = [];
    const { versions } = await this.snapshot();
    const needed = new Map<Digest, { size: number; address: string }>();
    for (const v of versions) {
      for (const a of v.record.artifacts) for (const f of a.files) needed.set(f.digest, { size: f.size, address: addressOf(v.record) });
    }
    const meter = new ProgressMeter("verifying", options.onProgress);
    for (const { size } of needed.values()) meter.expect(size);
    for (const [digest, { size, address }] of needed) {
      const item = meter.item(size);
      try {
        const stream = await this.#store().readObject(digest);
        for await (const chunk of stream) item.advance((chunk as Buffer).length);
      } catch (error) {
        if (!(error instanceof RegistryError)) throw error;
        problems.push({ code: error.code === "object-missing" ? "object-missing" : "object-corrupt", message: `${address}: ${error.message}`, subject: digest });
      }
      item.complete();
    }
    meter.end();
    return problems;
  }
}

/** `ASSETCTL_AZUREML_REUSE_WINDOW`: seconds, a whole number ≥ 0 (an unreadable value: the default). */
function reuseWindowOf(env: NodeJS.ProcessEnv): number {
  const text = env["ASSETCTL_AZUREML_REUSE_WINDOW"];
  if (text === undefined || !/^\d+$/.test(text.trim())) return DEFAULT_REUSE_WINDOW_S;
  return Number(text.trim());
}

/** The version as Azure answered a write of it, for the journal (see #versions); nothing for an odd answer. */
function resourceOf(body: Json | undefined): { resource?: Json } {
  const system = (body?.["systemData"] ?? {}) as Json;
  return body !== undefined && typeof body["name"] === "string" && typeof system["lastModifiedAt"] === "string" ? { resource: body } : {};
}

/**
 * Per container (`kind:name`), each version's last journaled resource, the latest write's time as Azure
 * gave it, and whether assetctl made the container (its first version was assetctl's).
 */
function journaledResources(lines: readonly JournalLine[]): Map<string, { versions: Map<string, Json>; modified: string; complete: boolean }> {
  const known = new Map<string, { versions: Map<string, Json>; modified: string; complete: boolean }>();
  for (const line of lines) {
    if (line.resource === undefined) continue;
    const address = line.update !== undefined ? addressOf(line.update) : line.entry.op === "create" ? line.entry.address : undefined;
    if (address === undefined) continue;
    const [kind, name, version] = address.split(":") as [string, string, string];
    const key = `${kind}:${name}`;
    const entry = known.get(key) ?? { versions: new Map<string, Json>(), modified: "", complete: false };
    entry.versions.set(version, line.resource);
    if (line.container_new === true) entry.complete = true;
    const modified = String(((line.resource["systemData"] ?? {}) as Json)["lastModifiedAt"] ?? "");
    if (entry.modified === "" || Date.parse(modified) > Date.parse(entry.modified)) entry.modified = modified;
    known.set(key, entry);
  }
  return known;
}
