// FsDriver: the embedded default registry, one directory (`.assetctl/registry` unless configured) holding
// both halves the registry core composes: records (fs-records.ts) and content-addressed objects
// (fs-objects.ts). Layout:
//
//   format.json                          {format: "assetctl-registry", version: 1}
//   objects/sha256/ab/cdef…              object bytes, read-only
//   versions/<kind>/<name>/<version>.json          {format, txn, record, record_digest}
//   history/<kind>/<name>/<version>/<seq>.json     {format, txn, update, update_digest}
//   journal/<16-digit serial>.json       {serial, at, entry, txn?}
//   lock/<generation>.json|.released     the apply lock (fs/lock.ts)
//   index/snapshot.json                  derived snapshot cache
//   tmp/<pid>-<host>-<random>.<purpose>  temp files and intents (fs/intents.ts)
import path from "node:path";
import { RegistryCore } from "../core.js";
import { FsObjectStore } from "./fs-objects.js";
import { FsRecordStore, type FsRecordStoreOptions } from "./fs-records.js";

export type FsDriverOptions = FsRecordStoreOptions;

export class FsDriver extends RegistryCore {
  /** The registry directory, absolute. */
  readonly root: string;

  constructor(options: FsDriverOptions) {
    const url = options.url ?? options.path;
    const identity = options.identity === undefined ? {} : { identity: options.identity };
    super(new FsRecordStore({ ...options, url }), new FsObjectStore({ path: options.path, url, ...identity }), { url });
    this.root = path.resolve(options.path);
  }
}
