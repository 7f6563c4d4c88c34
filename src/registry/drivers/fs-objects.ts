// FsObjectStore: the objects half of a split registry kept in a directory, typically a mount the whole
// team shares. It is laid out exactly like an embedded registry (format.json, objects/sha256/…, tmp/),
// so an embedded registry's directory can serve as the objects store of a team registry unchanged.
import path from "node:path";
import type { Readable } from "node:stream";
import { RegistryError, type FenceCheck, type ObjectSweep, type ObjectSource, type PutObjectOptions, type VerifyOptions } from "../driver.js";
import { currentProcess, type ProcessIdentity } from "../lock-policy.js";
import type { ObjectStore } from "../stores.js";
import { addressOf, type Digest, type VerifyProblem, type VersionRecord } from "../types.js";
import { checkDigest } from "../validate.js";
import { openFormat } from "./fs/format.js";
import { FsLayout } from "./fs/layout.js";
import { FsObjects, fsSweep } from "./fs/objects.js";
import { verifyObjects } from "./fs/verify.js";

export interface FsObjectStoreOptions {
  path: string;
  url?: string;
  identity?: ProcessIdentity;
}

export class FsObjectStore implements ObjectStore {
  readonly url: string;
  readonly #layout: FsLayout;
  readonly #identity: ProcessIdentity;
  readonly #objects: FsObjects;
  #open = false;

  constructor(options: FsObjectStoreOptions) {
    this.#layout = new FsLayout(path.resolve(options.path));
    this.url = options.url ?? options.path;
    this.#identity = options.identity ?? currentProcess();
    this.#objects = new FsObjects(this.#layout, this.#identity);
  }

  async open(options: { create?: boolean } = {}): Promise<void> {
    await openFormat(this.#layout, this.url, options.create === true, this.#identity);
    this.#open = true;
  }

  async close(): Promise<void> {
    this.#open = false;
  }

  async hasObject(digest: Digest): Promise<boolean> {
    this.#ensureOpen();
    checkDigest(digest);
    return this.#objects.has(digest);
  }

  async putObject(digest: Digest, source: ObjectSource, options?: PutObjectOptions): Promise<void> {
    this.#ensureOpen();
    checkDigest(digest);
    await this.#objects.put(digest, source, options);
  }

  async readObject(digest: Digest): Promise<Readable> {
    this.#ensureOpen();
    checkDigest(digest);
    return this.#objects.read(digest);
  }

  async repairObject(digest: Digest, source: ObjectSource, options?: PutObjectOptions): Promise<"restored" | "sound"> {
    this.#ensureOpen();
    checkDigest(digest);
    return this.#objects.repair(digest, source, options);
  }

  sweeper(checkFence: FenceCheck): ObjectSweep {
    this.#ensureOpen();
    return fsSweep(this.#layout, checkFence);
  }

  /** Re-hashes every object in the directory, and names the objects the records need that are not there. */
  async verify(records: VersionRecord[], options: VerifyOptions = {}): Promise<VerifyProblem[]> {
    this.#ensureOpen();
    const problems: VerifyProblem[] = [];
    const present = await verifyObjects(this.#layout, problems, options.onProgress);
    for (const record of records) {
      for (const artifact of record.artifacts) {
        for (const file of artifact.files) {
          if (present.has(file.digest)) continue;
          problems.push({
            code: "object-missing",
            message: `${addressOf(record)} needs object ${file.digest} (${artifact.source}), which is missing from ${this.url}.`,
            subject: file.digest,
          });
        }
      }
    }
    return problems;
  }

  #ensureOpen(): void {
    if (!this.#open) throw new RegistryError("unavailable", `The object store ${this.url} is not open.`);
  }
}
