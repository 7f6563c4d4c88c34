// From a `--registry` value to an open driver. A path (relative to the repository root) or file:// URL
// is the embedded fs registry, `memory:` the in-process test double. A team registry is split in two:
// records (a directory or postgres://) and objects (a directory or oci://), written in one string as
// `RECORDS?objects=OBJECTS` (`&objects=` when RECORDS has a query already; `objects=` comes last, and
// everything after it is the objects address). The PostgreSQL and OCI drivers are imported only when
// used, so their clients never slow down the commands that don't need them. `azureml://…` is an Azure
// Machine Learning workspace (drivers/azureml), with Microsoft's Azure libraries loaded only then.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { RegistryCore } from "./core.js";
import { RegistryError, type RegistryDriver } from "./driver.js";
import { FsDriver } from "./drivers/fs.js";
import { FsRecordStore } from "./drivers/fs-records.js";
import { createMemoryStore, MemoryDriver, type MemoryStore } from "./drivers/memory.js";
import type { ObjectStore, RecordStore } from "./stores.js";
import { redact } from "../redact.js";

export interface OpenRegistryOptions {
  repoRoot: string;
  /** Create the registry when absent (apply); otherwise an absent registry is "not-found". */
  create?: boolean;
}

/** `memory:NAME` stores live as long as the process, so a plan and an apply in one process share one. */
const namedMemoryStores = new Map<string, MemoryStore>();

export async function openRegistry(spec: string, options: OpenRegistryOptions): Promise<RegistryDriver> {
  const driver = await registryDriver(spec, options.repoRoot);
  await driver.open({ create: options.create ?? false });
  return driver;
}

/** The driver a `--registry` value names, not opened yet (nothing is connected or read). */
export async function registryDriver(spec: string, repoRoot: string): Promise<RegistryDriver> {
  if (spec.startsWith("memory:")) {
    const name = spec.slice("memory:".length);
    if (name === "") return new MemoryDriver({ url: spec });
    let store = namedMemoryStores.get(name);
    if (store === undefined) namedMemoryStores.set(name, (store = createMemoryStore()));
    return new MemoryDriver({ store, url: spec });
  }
  if (schemeOf(spec) === "azureml") {
    const { AzureMlDriver } = await import("./drivers/azureml/driver.js");
    return new AzureMlDriver({ url: spec });
  }
  const split = splitSpec(spec);
  if (split !== undefined) {
    const [records, objects] = await Promise.all([recordStore(split.records, repoRoot), objectStore(split.objects, repoRoot)]);
    return new RegistryCore(records, objects);
  }
  const scheme = schemeOf(spec);
  if (scheme === "postgres" || scheme === "postgresql") {
    throw new RegistryError(
      "invalid",
      `${redact(spec)} names where records go, but not where objects go.`,
      "add the objects store: postgres://…?objects=oci://HOST/NAMESPACE (or a shared directory), or in assetctl.yaml registry: {records: …, objects: …}",
    );
  }
  if (scheme === "oci") {
    throw new RegistryError(
      "invalid",
      `${redact(spec)} can hold a registry's objects, not its records.`,
      "name both: postgres://HOST/DB?objects=oci://… (or a directory for records), or in assetctl.yaml registry: {records: …, objects: …}",
    );
  }
  if (scheme === "file") return new FsDriver({ path: fileURLToPath(spec), url: spec });
  if (scheme !== undefined) {
    throw new RegistryError("unavailable", `Unknown registry scheme "${scheme}://" in ${redact(spec)}.`, "use a directory path, memory:, or postgres://…?objects=oci://…");
  }
  return new FsDriver({ path: path.resolve(repoRoot, spec), url: spec });
}

/** `RECORDS?objects=OBJECTS` → its two halves; undefined for a one-part address. */
export function splitSpec(spec: string): { records: string; objects: string } | undefined {
  const match = /[?&]objects=/.exec(spec);
  if (match === null) return undefined;
  const records = spec.slice(0, match.index);
  let objects = spec.slice(match.index + match[0].length);
  // Accept a percent-encoded objects address too, as URL-minded tools write it.
  if (!objects.includes("://") && /%[0-9a-f]{2}/i.test(objects)) objects = decodeURIComponent(objects);
  if (records === "" || objects === "") {
    throw new RegistryError("invalid", `${redact(spec)} names an empty ${records === "" ? "records" : "objects"} store.`, "write RECORDS?objects=OBJECTS");
  }
  return { records, objects };
}

async function recordStore(spec: string, repoRoot: string): Promise<RecordStore> {
  const scheme = schemeOf(spec);
  if (scheme === "postgres" || scheme === "postgresql") {
    const { PostgresRecords } = await import("./drivers/postgres.js");
    return new PostgresRecords({ url: spec });
  }
  if (scheme === "file") return new FsRecordStore({ path: fileURLToPath(spec), url: spec });
  if (scheme !== undefined) {
    throw new RegistryError("invalid", `Records cannot be kept at ${redact(spec)}.`, "records go in a directory or postgres://USER@HOST/DATABASE");
  }
  return new FsRecordStore({ path: path.resolve(repoRoot, spec), url: spec });
}

async function objectStore(spec: string, repoRoot: string): Promise<ObjectStore> {
  const scheme = schemeOf(spec);
  if (scheme === "oci") {
    const { OciObjectStore } = await import("./drivers/oci.js");
    return new OciObjectStore({ url: spec });
  }
  const { FsObjectStore } = await import("./drivers/fs-objects.js");
  if (scheme === "file") return new FsObjectStore({ path: fileURLToPath(spec), url: spec });
  if (scheme !== undefined) {
    throw new RegistryError("invalid", `Objects cannot be kept at ${redact(spec)}.`, "objects go in a directory (a shared mount) or oci://HOST/NAMESPACE");
  }
  return new FsObjectStore({ path: path.resolve(repoRoot, spec), url: spec });
}

function schemeOf(spec: string): string | undefined {
  return /^([a-z][a-z0-9+.-]+):\/\//i.exec(spec)?.[1]?.toLowerCase();
}

/** A registry address may carry a password; messages and plans must not (one redaction for all output). */
export { redact };
