// From a `--registry` value to an open driver: a path (relative to the repository root) is the embedded
// fs registry, `memory:` the in-process test double; URL schemes name the shared-registry drivers,
// which are imported only when used so their clients never slow down the commands that don't need them.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { RegistryError, type RegistryDriver } from "./driver.js";
import { FsDriver } from "./drivers/fs.js";
import { createMemoryStore, MemoryDriver, type MemoryStore } from "./drivers/memory.js";

export interface OpenRegistryOptions {
  repoRoot: string;
  /** Create the registry when absent (apply); otherwise an absent registry is "not-found". */
  create?: boolean;
}

/** `memory:NAME` stores live as long as the process, so a plan and an apply in one process share one. */
const namedMemoryStores = new Map<string, MemoryStore>();

export async function openRegistry(spec: string, options: OpenRegistryOptions): Promise<RegistryDriver> {
  const driver = await driverFor(spec, options.repoRoot);
  await driver.open({ create: options.create ?? false });
  return driver;
}

async function driverFor(spec: string, repoRoot: string): Promise<RegistryDriver> {
  if (spec === "memory:" || spec.startsWith("memory:")) {
    const name = spec.slice("memory:".length);
    if (name === "") return new MemoryDriver({ url: spec });
    let store = namedMemoryStores.get(name);
    if (store === undefined) namedMemoryStores.set(name, (store = createMemoryStore()));
    return new MemoryDriver({ store, url: spec });
  }
  const scheme = /^([a-z][a-z0-9+.-]+):\/\//i.exec(spec)?.[1]?.toLowerCase();
  if (scheme === "file") return fsDriver(fileURLToPath(spec), spec, repoRoot);
  if (scheme === "postgres" || scheme === "postgresql" || scheme === "oci") {
    throw new RegistryError(
      "unavailable",
      `${scheme === "oci" ? "OCI" : "PostgreSQL"} registries (${redact(spec)}) are not supported yet.`,
      "use a directory path for now, e.g. .assetctl/registry or a shared mount",
    );
  }
  if (scheme !== undefined) {
    throw new RegistryError("unavailable", `Unknown registry scheme "${scheme}://" in ${redact(spec)}.`, "use a directory path, memory:, postgres:// or oci://");
  }
  return fsDriver(spec, spec, repoRoot);
}

function fsDriver(location: string, url: string, repoRoot: string): FsDriver {
  return new FsDriver({ path: path.resolve(repoRoot, location), url });
}

/** A registry URL may carry a password; messages and plans must not. */
export function redact(spec: string): string {
  try {
    const url = new URL(spec);
    if (url.password !== "") url.password = "***";
    return url.toString();
  } catch {
    return spec;
  }
}
