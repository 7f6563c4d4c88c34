// What every command needs to know before it starts: the repository root and the registry address.
import { execFile } from "node:child_process";
import { lstat, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { UserError } from "../diagnostics.js";
import { joinSplitUrl } from "../registry/core.js";
import { openRegistry, registryDriver } from "../registry/open.js";
import { RegistryError, type RegistryDriver } from "../registry/driver.js";
import { cacheFolder, rootWithoutGit } from "../source/root-folder.js";
import { ensureStateDir, WorkTree } from "../source/tree.js";

const run = promisify(execFile);

export const DEFAULT_REGISTRY = ".assetctl/registry";

/**
 * `--dir`; else the nearest folder at or above the current one that holds `assetctl.yaml`, no higher than
 * the git top level (a monorepo keeps its manifests in a folder of its own); else the git top level;
 * else the current directory.
 */
export async function resolveRoot(dir: string | undefined, cwd: string): Promise<string> {
  if (dir !== undefined) {
    const root = path.resolve(cwd, dir);
    const st = await stat(root).catch(() => undefined);
    if (!st?.isDirectory()) throw new UserError("dir-missing", `--dir ${dir}: no such directory`);
    return root;
  }
  // git names the top with symlinks resolved: walk from the resolved current folder, to meet it.
  const from = await realpath(cwd).catch(() => cwd);
  // Found without starting git where the answer is plain: an assetctl.yaml met before any `.git`, or
  // else a `.git` folder of this user's (git's own top) — unless the environment points git elsewhere.
  const near = rootWithoutGit(from, process.env);
  if (near !== undefined) return near;
  const top = await run("git", ["rev-parse", "--show-toplevel"], { cwd }).then(
    ({ stdout }) => stdout.trim() || undefined,
    () => undefined,
  );
  return (await nearestConfigFolder(from, top)) ?? top ?? cwd;
}

/** The nearest folder from `from` up to `stop` (or the filesystem's root) that holds assetctl.yaml. */
async function nearestConfigFolder(from: string, stop: string | undefined): Promise<string | undefined> {
  for (let folder = from; ; folder = path.dirname(folder)) {
    const config = await lstat(path.join(folder, "assetctl.yaml")).catch(() => undefined);
    if (config?.isFile()) return folder;
    if (folder === stop || path.dirname(folder) === folder) return undefined;
  }
}

/**
 * Where a registry is, as headers print it: an embedded registry's path made absolute against the root,
 * any other address as given.
 */
export function registryLocation(url: string, root: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) || /[?&]objects=/.test(url)) return url;
  return path.resolve(root, url);
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
  const setting = await readRegistrySetting(new WorkTree(root), { cacheDir: cacheFolder(root) });
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
  if (options.create === true) await ensureStateDir(root);
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
