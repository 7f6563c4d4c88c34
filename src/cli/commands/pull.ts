// `assetctl pull ADDR [DEST]`: writes a version's files out of the registry, each checked against its
// digest — how people consume a model or a data set.
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm, stat, chmod } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { UserError } from "../../diagnostics.js";
import { jsonDigest } from "../../digest.js";
import { parseAddress } from "../../plan/address.js";
import { versionDigest } from "../../plan/plan.js";
import { RegistryError } from "../../registry/driver.js";
import { addressOf, type JsonValue, type VersionRecord } from "../../registry/types.js";
import { folderDigest } from "../../source/hash.js";
import { localPathOf } from "../../source/spec-fields.js";
import { resolveInTree } from "../../source/tree.js";
import { connectRegistry, resolveRoot } from "../context.js";
import { common, flag, json, str, type Command } from "./command.js";
import { aliasHistoryFor, findVersion, requireArg } from "./read.js";

export const pullCommand: Command = {
  usage: "ADDR [DEST] [--json]",
  description:
    "Writes the files of a version out of the registry into DEST (default: ./NAME-VERSION), one folder per artifact, each file verified against its digest. Refuses to write into an existing non-empty DEST.",
  options: common,
  async run(values, positionals, io) {
    const address = parseAddress(requireArg(positionals, 0, "ADDR"));
    const root = await resolveRoot(str(values, "dir"), io.cwd);
    const registry = await connectRegistry(root, str(values, "registry"), io.env);
    try {
      const v = findVersion(await registry.snapshot(), address, await aliasHistoryFor(registry, address));
      if (v.deleted === true) {
        throw new UserError("version-deleted", `${addressOf(v.record)} was deleted by gc; its files may be gone.`, {
          hint: "`assetctl gc --restore` brings back what the trash still holds; `assetctl show` says when it was deleted",
        });
      }
      assertIntact(v.record);
      const dest = path.resolve(io.cwd, positionals[1] ?? `${v.record.name}-${v.record.version}`);
      const existing = await stat(dest).catch(() => undefined);
      if (existing) {
        throw new UserError("destination-exists", `${dest} already exists; pull never overwrites files.`, { hint: "choose a new DEST" });
      }
      const staging = `${dest}.partial-${process.pid}`;
      const written: { path: string; digest: string; size: number }[] = [];
      try {
        for (const artifact of v.record.artifacts) {
          // One artifact: its files at DEST itself; several: one sub-folder per field (path, code, …).
          const base = v.record.artifacts.length === 1 ? "" : artifact.pointer.replace(/^\//, "").replace(/\//g, "_");
          for (const file of artifact.files) {
            const rel = resolveInTree(base, file.path);
            if (rel === undefined || rel === "") throw new UserError("record-invalid", `a stored file path escapes the destination: ${file.path}`);
            const target = path.join(staging, ...rel.split("/"));
            await mkdir(path.dirname(target), { recursive: true });
            // The driver verifies each object against its digest while it is read.
            await pipeline(await registry.readObject(file.digest), createWriteStream(target, { flags: "wx" }));
            await chmod(target, file.mode);
            written.push({ path: rel, digest: file.digest, size: file.size });
          }
        }
        await mkdir(staging, { recursive: true });
        await rename(staging, dest);
      } catch (error) {
        await rm(staging, { recursive: true, force: true });
        throw error;
      }
      // A model or data version whose files live elsewhere (a storage URI) records where, not the files.
      const remote = typeof v.record.spec["path"] === "string" && localPathOf(v.record.spec["path"]) === undefined ? v.record.spec["path"] : undefined;
      if (flag(values, "json")) json(io, { address: addressOf(v.record), destination: dest, files: written, ...(remote ? { remote } : {}) });
      else {
        io.out(`Pulled ${addressOf(v.record)} into ${dest} (${written.length} file${written.length === 1 ? "" : "s"}, verified).`);
        if (remote) io.out(`Its files are not in the registry: they live at ${remote}`);
      }
      return 0;
    } finally {
      await registry.close();
    }
  },
};

/**
 * The files of a version are the ones its digest commits to: each artifact's digest is made by its files
 * (the one file's, or the folder listing's), the spec names each artifact by that digest, and the version
 * digest covers the spec. Checked before anything is written, so that an edited record cannot hand out
 * other bytes — each checked against the edited digests — under a version people know by its digest.
 */
function assertIntact(record: VersionRecord): void {
  const problems: string[] = [];
  for (const artifact of record.artifacts) {
    const made = artifact.type === "file" ? artifact.files[0]?.digest : folderDigest(artifact.files);
    if (made !== artifact.digest) problems.push(`the files of ${artifact.source} do not make its digest`);
    if (valueAt(record.spec, artifact.pointer) !== artifact.digest) problems.push(`the spec does not name ${artifact.source} by its digest`);
  }
  const content = jsonDigest({ kind: record.kind, name: record.name, spec: record.spec });
  if (versionDigest(content, record.dependencies) !== record.digest) problems.push("its spec does not make its version digest");
  if (problems.length > 0) {
    throw new RegistryError(
      "corrupt",
      `The record of ${addressOf(record)} was changed after it was written: ${problems.join("; ")}. Nothing was pulled.`,
      "run `assetctl verify` for a full report",
    );
  }
}

/** The value at a JSON pointer (`/build/path`, `/additional_includes/0`). */
function valueAt(doc: JsonValue, pointer: string): JsonValue | undefined {
  let node: JsonValue | undefined = doc;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    node = node !== null && typeof node === "object" ? (node as Record<string, JsonValue>)[key] : undefined;
  }
  return node;
}
