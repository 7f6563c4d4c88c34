// What every command needs to know before it starts: the repository root and the registry address.
import { execFile } from "node:child_process";
import { lstat, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { UserError } from "../diagnostics.js";
import { joinSplitUrl } from "../registry/drivers/split.js";
import { openRegistry, registryDriver } from "../registry/open.js";
import { RegistryError, type RegistryDriver } from "../registry/driver.js";
import { WorkTree } from "../source/tree.js";

const run = promisify(execFile);

export const DEFAULT_REGISTRY = ".assetctl/registry";

/** `--dir`, else the git top level of the current directory, else the current directory. */
export async function resolveRoot(dir: string | undefined, cwd: string): Promise<string> {
  if (dir !== undefined) {
    const root = path.resolve(cwd, dir);
    const st = await stat(root).catch(() => undefined);
    if (!st?.isDirectory()) throw new UserError("dir-missing", `--dir ${dir}: no such directory`);
    return root;
  }
  try {
    const { stdout } = await run("git", ["rev-parse", "--show-toplevel"], { cwd });
    return stdout.trim() || cwd;
  } catch {
    return cwd;
  }
}

/**
 * `--registry`, else `ASSETCTL_REGISTRY`, else `registry:` in assetctl.yaml, else the embedded default.
 * A team registry's `{records, objects}` becomes its one-string form, `RECORDS?objects=OBJECTS`.
 */
export async function registrySpec(root: string, flag: string | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  if (flag) return flag;
  const fromEnv = env["ASSETCTL_REGISTRY"];
  if (fromEnv) return fromEnv;
  // Without assetctl.yaml there is nothing to read, and the configuration's parser need not be loaded.
  if (!(await lstat(path.join(root, "assetctl.yaml")).catch(() => undefined))) return DEFAULT_REGISTRY;
  const { readRegistrySetting } = await import("../manifest/config.js");
  const setting = await readRegistrySetting(new WorkTree(root), { cacheDir: path.join(root, ".assetctl", "cache") });
  if (typeof setting === "object") return joinSplitUrl(setting.records, setting.objects);
  return setting ?? DEFAULT_REGISTRY;
}

export async function connectRegistry(
  root: string,
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  options: { create?: boolean } = {},
): Promise<RegistryDriver> {
  const spec = await registrySpec(root, flag, env);
  try {
    return await openRegistry(spec, { repoRoot: root, create: options.create ?? false });
  } catch (error) {
    // A registry nobody has applied to yet reads as empty; only apply creates it.
    if (error instanceof RegistryError && error.code === "not-found") {
      // Named exactly as the registry will be once created, so a plan saved now applies then.
      const { MemoryDriver } = await import("../registry/drivers/memory.js");
      const empty = new MemoryDriver({ url: (await registryDriver(spec, root)).url });
      await empty.open({ create: true });
      return empty;
    }
    throw error;
  }
}

/** `30s`, `5m`, `500ms`, `1h`, or a plain number of seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) {
    throw new UserError("duration-invalid", `"${text}" is not a duration`, { hint: "write e.g. 30s, 5m, 500ms or 1h" });
  }
  const value = Number(match[1]);
  const unit = match[2] ?? "s";
  return Math.round(value * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as "ms" | "s" | "m" | "h"]);
}
