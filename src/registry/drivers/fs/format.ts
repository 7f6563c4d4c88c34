// `format.json`, the first file of an fs registry and the last word on how to read it. A registry of a
// newer format is refused (never half-understood), and anything unrecognized is never guessed at or
// repaired: a directory that is not a registry is left alone.
import { readdir, stat } from "node:fs/promises";
import { TOOL_VERSION } from "../../../version.js";
import { RegistryError } from "../../driver.js";
import type { ProcessIdentity } from "../../lock-policy.js";
import { makeDirectories, publishOnce, removeIfPresent, writeDurable } from "./durable-file.js";
import { FORMAT_NAME, FORMAT_VERSION, type FsLayout } from "./layout.js";
import { readRegularText } from "./read-file.js";
import path from "node:path";

export async function openFormat(layout: FsLayout, url: string, create: boolean, identity: ProcessIdentity): Promise<void> {
  let text = await readFormatFile(layout, url);
  if (text === undefined && !(await formatAppeared(layout, url, create))) {
    await makeDirectories(layout.tmpDir);
    const temp = layout.tempPath(identity, "format");
    await writeDurable(temp, `${JSON.stringify({ format: FORMAT_NAME, version: FORMAT_VERSION })}\n`);
    try {
      // false: a concurrent `open` created it first; its content is checked below like any other.
      await publishOnce(temp, layout.formatFile);
    } finally {
      removeIfPresent(temp);
    }
  }
  text ??= (await readFormatFile(layout, url)) ?? "";
  checkFormat(text, url);
  // Each is one system call once made (an embedded registry's two stores both open the directory).
  await Promise.all(
    layout.directories.map((dir) =>
      makeDirectories(dir).catch((error: NodeJS.ErrnoException) => {
        // A registry on a read-only mount can still be read.
        if (error.code !== "EROFS" && error.code !== "EACCES") throw error;
      }),
    ),
  );
}

export function checkFormat(text: string, url: string): void {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RegistryError("corrupt", `${path.join(url, "format.json")} is not valid JSON; the registry cannot be read.`, "restore it from a backup");
  }
  const format = value as { format?: unknown; version?: unknown } | null;
  if (typeof format !== "object" || format === null || format.format !== FORMAT_NAME) {
    throw new RegistryError("format-unknown", `${url} is not an assetctl registry: its format.json names another format.`);
  }
  if (typeof format.version !== "number" || !Number.isInteger(format.version) || format.version < 1) {
    throw new RegistryError("format-unknown", `${url} has an unknown registry format version (${JSON.stringify(format.version)}).`);
  }
  if (format.version > FORMAT_VERSION) {
    throw new RegistryError(
      "format-newer",
      `The registry at ${url} has format version ${format.version}; this assetctl (${TOOL_VERSION}) reads format version ${FORMAT_VERSION}.`,
      "upgrade assetctl to use this registry",
    );
  }
}

async function readFormatFile(layout: FsLayout, url: string): Promise<string | undefined> {
  try {
    return await readRegularText(layout.formatFile);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ENOTDIR") throw new RegistryError("format-unknown", `${url} is not a directory.`);
    throw error;
  }
}

/**
 * Without format.json, only an absent or empty directory (or one holding only our tmp/) may become a
 * registry. Returns true when format.json has appeared meanwhile: a concurrent `open` created it.
 */
async function formatAppeared(layout: FsLayout, url: string, create: boolean): Promise<boolean> {
  let entries: string[];
  try {
    if (!(await stat(layout.root)).isDirectory()) throw new RegistryError("format-unknown", `${url} is not a directory.`);
    entries = (await readdir(layout.root)).filter((e) => e !== "tmp");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    entries = [];
  }
  if (entries.includes("format.json")) return true;
  if (entries.length > 0) {
    throw new RegistryError(
      "format-unknown",
      `${url} exists but is not an assetctl registry (it has no format.json); it is left untouched.`,
      "point --registry at an empty or new directory",
    );
  }
  if (!create) {
    throw new RegistryError("not-found", `There is no registry at ${url}.`, "`assetctl apply` creates it");
  }
  return false;
}
