// What assetctl keeps in a workspace's default blob datastore, under `assetctl/`: content-addressed
// objects (uploaded in blocks, in parallel, committed only once their bytes hash to their digest), the
// artifact trees a version's URI points at, the journal (an append blob: one block per entry, so its
// block count is the serial) and the apply lock (a small blob changed only under its ETag).
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import type { BlobServiceClient, BlockBlobClient, ContainerClient } from "@azure/storage-blob";
import type { PutObjectOptions, ObjectSource } from "../../driver.js";
import { RegistryError } from "../../driver.js";
import { objectDigestMismatch, objectMissing } from "../../errors.js";
import { openRegularFile, verifiedStream } from "../../object-digest.js";
import type { Digest, JournalRecord, LockInfo, VersionRecord } from "../../types.js";
import type { AssetStore, JournalLine, LockSlot, RemoteFile } from "./store.js";

export type { JournalLine } from "./store.js";

const PREFIX = "assetctl";
const MARKER = `${PREFIX}/registry.json`;
const JOURNAL = `${PREFIX}/journal`;
const LOCK = `${PREFIX}/lock.json`;
const BLOCK = 4 * 1024 * 1024;
const PARALLEL_BLOCKS = 4;
export const FORMAT = 1;

export function objectPath(digest: Digest): string {
  return `${PREFIX}/objects/sha256/${digest.slice("sha256:".length)}`;
}

export function treePath(digest: Digest, file: string): string {
  return `${PREFIX}/trees/${digest.slice("sha256:".length)}/${file}`;
}

export interface StoredLock {
  info: LockInfo;
  etag: string;
}

export class WorkspaceStorage implements AssetStore {
  readonly reserved: ReadonlySet<string> = new Set();
  readonly lock: LockSlot;

  /** `pathUri` names a path of the datastore as Azure ML reads it (`azureml://…/datastores/NAME/paths/PATH`). */
  constructor(
    readonly container: ContainerClient,
    readonly datastore: string,
    readonly pathUri: (path: string) => string,
  ) {
    this.lock = {
      read: async () => {
        const held = await this.readLock();
        return held === undefined ? { info: undefined, token: "" } : { info: held.info, token: held.etag };
      },
      take: (info, token) => this.writeLock(info, token === "" ? undefined : token),
      renew: (info, token) => this.writeLock(info, token),
      release: (token) => this.deleteLock(token),
    };
  }

  static async connect(service: BlobServiceClient, containerName: string, datastore: string, pathUri: (path: string) => string): Promise<WorkspaceStorage> {
    return new WorkspaceStorage(service.getContainerClient(containerName), datastore, pathUri);
  }

  /** The artifact trees Azure ML reads a version's files from: server-side copies of the objects, by path. */
  async placeArtifacts(record: VersionRecord): Promise<Map<string, string>> {
    const uris = new Map<string, string>();
    for (const artifact of record.artifacts) {
      await Promise.all(artifact.files.map((f) => this.placeInTree(f.digest, treePath(artifact.digest, f.path))));
      const tree = treePath(artifact.digest, artifact.type === "file" ? (artifact.files[0]?.path ?? "") : "");
      uris.set(artifact.pointer, this.pathUri(tree));
    }
    return uris;
  }

  async filesAt(uri: string): Promise<RemoteFile[] | undefined> {
    const match = /^azureml:\/\/(?:subscriptions\/[^/]+\/resource[gG]roups\/[^/]+\/workspaces\/[^/]+\/)?datastores\/([^/]+)\/paths\/(.+)$/.exec(uri);
    if (match === null || match[1] !== this.datastore) return undefined;
    const prefix = decodeURIComponent((match[2] as string).replace(/\/+$/, ""));
    return guard("list the files of a version", async () => {
      const files: RemoteFile[] = [];
      for await (const blob of this.container.listBlobsFlat({ prefix })) {
        const rest = blob.name === prefix ? "" : blob.name.startsWith(`${prefix}/`) ? blob.name.slice(prefix.length + 1) : undefined;
        if (rest === undefined) continue;
        const md5 = blob.properties.contentMD5;
        files.push({ path: rest, size: blob.properties.contentLength ?? 0, md5: md5 === undefined || md5.length === 0 ? undefined : Buffer.from(md5).toString("base64") });
      }
      return files;
    });
  }

  async hasMarker(): Promise<boolean> {
    return guard("read the registry marker", () => this.container.getBlockBlobClient(MARKER).exists());
  }

  async readMarker(): Promise<{ format: number } | undefined> {
    const text = await this.readText(MARKER);
    return text === undefined ? undefined : (JSON.parse(text) as { format: number });
  }

  /** Creates the marker and the journal when absent; idempotent and safe to run from two processes. */
  async create(): Promise<void> {
    await guard("create the journal", async () => {
      const journal = this.container.getAppendBlobClient(JOURNAL);
      await journal.createIfNotExists();
      const body = JSON.stringify({ format: FORMAT, created_by: "assetctl" });
      await this.container
        .getBlockBlobClient(MARKER)
        .upload(body, Buffer.byteLength(body), { conditions: { ifNoneMatch: "*" } })
        .catch((error: unknown) => {
          if (statusOf(error) !== 409 && statusOf(error) !== 412) throw error;
        });
    });
  }

  // --- objects ---

  async hasObject(digest: Digest): Promise<boolean> {
    return guard("look for an object", () => this.container.getBlockBlobClient(objectPath(digest)).exists());
  }

  /**
   * Stages the bytes in blocks while hashing them and commits the block list only when they hash to
   * `digest` (see uploadVerified).
   */
  async putObject(digest: Digest, source: ObjectSource, options: PutObjectOptions = {}): Promise<void> {
    if (await this.hasObject(digest)) return;
    await uploadVerified(this.container.getBlockBlobClient(objectPath(digest)), digest, source, options);
  }

  readObject(digest: Digest): Promise<Readable> {
    return downloadVerified(this.container.getBlockBlobClient(objectPath(digest)), digest);
  }

  /** Copies an object to a path of an artifact tree (a server-side copy), unless it is there already. */
  async placeInTree(digest: Digest, path: string): Promise<void> {
    const target = this.container.getBlockBlobClient(path);
    await guard("write an artifact tree", async () => {
      if (await target.exists()) return;
      const poller = await target.beginCopyFromURL(this.container.getBlockBlobClient(objectPath(digest)).url);
      await poller.pollUntilDone();
    });
  }

  // --- journal ---

  /** Appends one entry and answers its serial: the journal's block count right after it. */
  async append(line: JournalLine): Promise<number> {
    const text = `${JSON.stringify(line)}\n`;
    const response = await guard("append to the journal", () => this.container.getAppendBlobClient(JOURNAL).appendBlock(text, Buffer.byteLength(text)));
    const serial = response.blobCommittedBlockCount;
    if (serial === undefined) throw new RegistryError("unavailable", "The storage account did not say where the journal entry landed.");
    return serial;
  }

  async journalLines(): Promise<{ lines: JournalLine[] }> {
    return guard("read the journal", async () => {
      try {
        const buffer = await this.container.getAppendBlobClient(JOURNAL).downloadToBuffer();
        const lines = buffer
          .toString("utf8")
          .split("\n")
          .filter((l) => l !== "")
          .map((l) => JSON.parse(l) as JournalLine);
        return { lines };
      } catch (error) {
        if (statusOf(error) === 404) return { lines: [] };
        throw error;
      }
    });
  }

  async journalState(): Promise<{ count: number; etag: string | undefined }> {
    return guard("read the journal", async () => {
      try {
        const props = await this.container.getAppendBlobClient(JOURNAL).getProperties();
        return { count: props.blobCommittedBlockCount ?? 0, etag: props.etag };
      } catch (error) {
        if (statusOf(error) === 404) return { count: 0, etag: undefined };
        throw error;
      }
    });
  }

  static records(lines: JournalLine[]): JournalRecord[] {
    return lines.map((line, i) => ({ serial: i + 1, at: line.at, entry: line.entry }));
  }

  // --- lock ---

  async readLock(): Promise<StoredLock | undefined> {
    return guard("read the lock", async () => {
      try {
        // One request: the download answers the ETag of the very bytes it returns.
        const response = await this.container.getBlockBlobClient(LOCK).download();
        const chunks: Buffer[] = [];
        for await (const chunk of (response.readableStreamBody ?? []) as AsyncIterable<Buffer>) chunks.push(chunk);
        return { info: JSON.parse(Buffer.concat(chunks).toString("utf8")) as LockInfo, etag: response.etag ?? "" };
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    });
  }

  /** Writes the lock only if it is still as last read (`etag`), or absent (`undefined`); false when it moved. */
  async writeLock(info: LockInfo, etag: string | undefined): Promise<boolean> {
    const body = JSON.stringify(info);
    return guard("write the lock", async () => {
      try {
        await this.container
          .getBlockBlobClient(LOCK)
          .upload(body, Buffer.byteLength(body), { conditions: etag === undefined ? { ifNoneMatch: "*" } : { ifMatch: etag } });
        return true;
      } catch (error) {
        if (statusOf(error) === 409 || statusOf(error) === 412) return false;
        throw error;
      }
    });
  }

  async deleteLock(etag: string): Promise<boolean> {
    return guard("remove the lock", async () => {
      try {
        await this.container.getBlockBlobClient(LOCK).delete({ conditions: { ifMatch: etag } });
        return true;
      } catch (error) {
        if (statusOf(error) === 404 || statusOf(error) === 412) return false;
        throw error;
      }
    });
  }

  private async readText(path: string): Promise<string | undefined> {
    return guard("read the registry marker", async () => {
      try {
        return (await this.container.getBlockBlobClient(path).downloadToBuffer()).toString("utf8");
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    });
  }
}

/**
 * Stages the bytes in blocks while hashing them and commits the block list only when they hash to
 * `digest`: a cut upload leaves uncommitted blocks only (Azure drops them after a week), which the
 * next attempt reuses instead of sending again, and a mismatch commits nothing. A blob committed by
 * someone else meanwhile (409, 412) is the same bytes: its name is their digest.
 */
/** An object's blob as a stream that fails unless its bytes hash to `digest`; a missing blob is `object-missing`. */
export async function downloadVerified(blob: BlockBlobClient, digest: Digest): Promise<Readable> {
  const response = await guard("read an object", async () => {
    try {
      return await blob.download();
    } catch (error) {
      if (statusOf(error) === 404) throw objectMissing(digest);
      throw error;
    }
  });
  const body = response.readableStreamBody;
  if (body === undefined) throw objectMissing(digest);
  return verifiedStream(Readable.from(body as AsyncIterable<Buffer>), digest, `object ${digest}`);
}

export async function uploadVerified(blob: BlockBlobClient, digest: Digest, source: ObjectSource, options: PutObjectOptions = {}): Promise<void> {
  const staged = await guard("list staged blocks", async () => {
    try {
      const list = await blob.getBlockList("uncommitted");
      return new Set((list.uncommittedBlocks ?? []).map((b) => b.name ?? ""));
    } catch (error) {
      if (statusOf(error) === 404) return new Set<string>();
      throw error;
    }
  });
  const hash = createHash("sha256");
  const ids: string[] = [];
  const pending = new Set<Promise<void>>();
  let failure: unknown;
  const stage = (index: number, chunk: Buffer): void => {
    const id = Buffer.from(`${String(index).padStart(6, "0")}-${createHash("sha256").update(chunk).digest("hex").slice(0, 32)}`).toString("base64");
    ids.push(id);
    if (staged.has(id)) {
      options.onBytes?.(chunk.length);
      return;
    }
    const p = blob.stageBlock(id, chunk, chunk.length).then(
      () => options.onBytes?.(chunk.length),
      (error: unknown) => {
        failure ??= error;
      },
    );
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  let index = 0;
  for await (const chunk of chunksOf(source)) {
    hash.update(chunk);
    stage(index++, chunk);
    while (pending.size >= PARALLEL_BLOCKS) await Promise.race(pending);
    if (failure !== undefined) break;
  }
  await Promise.all(pending);
  if (failure !== undefined) throw storageError("upload an object", failure);
  const actual: Digest = `sha256:${hash.digest("hex")}`;
  if (actual !== digest) throw objectDigestMismatch(digest, actual);
  await guard("commit an object", async () => {
    try {
      await blob.commitBlockList(ids, { conditions: { ifNoneMatch: "*" }, blobHTTPHeaders: { blobContentType: "application/octet-stream" } });
    } catch (error) {
      if (statusOf(error) !== 409 && statusOf(error) !== 412) throw error;
    }
  });
}

async function* chunksOf(source: ObjectSource): AsyncGenerator<Buffer> {
  if (source.kind === "bytes") {
    for (let offset = 0; offset < source.data.length || offset === 0; offset += BLOCK) {
      yield source.data.subarray(offset, offset + BLOCK);
      if (source.data.length === 0) return;
    }
    return;
  }
  const handle = await openRegularFile(source.path);
  try {
    let any = false;
    for (;;) {
      const buffer = Buffer.allocUnsafe(BLOCK);
      let filled = 0;
      while (filled < BLOCK) {
        const { bytesRead } = await handle.read(buffer, filled, BLOCK - filled, null);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled === 0 && any) return;
      any = true;
      yield buffer.subarray(0, filled);
      if (filled < BLOCK) return;
    }
  } finally {
    await handle.close();
  }
}

export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === "number" ? status : undefined;
}

/** Storage errors as RegistryErrors that never carry a URL (a SAS token could be in it) or a header. */
export async function guard<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw storageError(what, error);
  }
}

export function storageError(what: string, error: unknown): RegistryError {
  if (error instanceof RegistryError) return error;
  const status = statusOf(error);
  const code = (error as { code?: unknown }).code;
  const detail = typeof code === "string" ? code : status !== undefined ? `HTTP ${status}` : "connection failed";
  if (status === 401 || status === 403) {
    return new RegistryError("unavailable", `The workspace's storage refused to ${what} (${detail}).`, "the identity needs Storage Blob Data Contributor on the workspace's storage account, or the datastore's key");
  }
  return new RegistryError("unavailable", `Could not ${what} in the workspace's storage (${detail}).`, "check the network, then run the command again: nothing half-written is ever used");
}
