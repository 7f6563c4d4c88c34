// FsObjectStore: objects kept in a directory — the embedded registry's own (drivers/fs.ts), or the
// objects half of a team registry on a mount the whole team shares. It is laid out exactly like an
// embedded registry (format.json, objects/sha256/…, tmp/), so an embedded registry's directory can serve
// as the objects store of a team registry unchanged.
import path from "node:path";
import type { Readable } from "node:stream";
import type { FenceCheck, ObjectSweep, ObjectSource, PutObjectOptions, VerifyOptions } from "../driver.js";
import { missingObjects } from "../errors.js";
import { currentProcess, type ProcessIdentity } from "../lock-policy.js";
import type { ObjectStore } from "../stores.js";
import type { Digest, VerifyProblem, VersionRecord } from "../types.js";
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

  constructor(options: FsObjectStoreOptions) {
    this.#layout = new FsLayout(path.resolve(options.path));
    this.url = options.url ?? options.path;
    this.#identity = options.identity ?? currentProcess();
    this.#objects = new FsObjects(this.#layout, this.#identity);
  }

  async open(options: { create?: boolean } = {}): Promise<void> {
    await openFormat(this.#layout, this.url, options.create === true, this.#identity);
  }

  async close(): Promise<void> {}

  hasObject(digest: Digest): Promise<boolean> {
    return this.#objects.has(digest);
  }

  putObject(digest: Digest, source: ObjectSource, options?: PutObjectOptions): Promise<void> {
    return this.#objects.put(digest, source, options);
  }

  readObject(digest: Digest): Promise<Readable> {
    return this.#objects.read(digest);
  }

  repairObject(digest: Digest, source: ObjectSource, options?: PutObjectOptions): Promise<"restored" | "sound"> {
    return this.#objects.repair(digest, source, options);
  }

  sweeper(checkFence: FenceCheck): ObjectSweep {
    return fsSweep(this.#layout, checkFence);
  }

  /** Re-hashes every object in the directory, and names the objects the records need that are not there. */
  async verify(records: VersionRecord[], options: VerifyOptions = {}): Promise<VerifyProblem[]> {
    const problems: VerifyProblem[] = [];
    const present = await verifyObjects(this.#layout, problems, options.onProgress);
    problems.push(...missingObjects(records, (digest) => present.has(digest), this.url));
    return problems;
  }
}
