// `assetctl alias rollback KIND:NAME ALIAS [--previous | --to VERSION]`: points an alias back in
// aliases.yaml — never in the registry; the move happens when the edit is committed and applied, like
// every other. Shows what the alias goes back to: the spec and artifact changes.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { UserError } from "../../diagnostics.js";
import { shortDigest } from "../../digest.js";
import { setAliasVersion } from "../../manifest/aliases-edit.js";
import { ALIASES_FILE } from "../../manifest/aliases.js";
import { parseAddress } from "../../plan/address.js";
import { aliasesAt, aliasKey, previousVersion } from "../../registry/alias-state.js";
import { findVersion, versionPatch } from "../../registry/query.js";
import { addressOf, type StoredVersion } from "../../registry/types.js";
import { resolveRoot } from "../context.js";
import { patchLines } from "../render/plan-text.js";
import { common, flag, json, str, type Command } from "./command.js";
import { requireArg, withRegistry } from "./read.js";

export const aliasCommand: Command = {
  usage: "rollback KIND:NAME ALIAS [--previous | --to VERSION] [--json]",
  description:
    "Points ALIAS of an asset back, in aliases.yaml (never in the registry): to the version it named before (--previous, the default) or to VERSION. Shows the spec and artifact changes of that version; commit and apply to move the alias.",
  options: { ...common, previous: { type: "boolean" }, to: { type: "string" } },
  async run(values, positionals, io) {
    const verb = requireArg(positionals, 0, "a subcommand (rollback)");
    if (verb !== "rollback") throw new UserError("usage", `"alias ${verb}" is not a command`, { hint: "run `assetctl alias rollback KIND:NAME ALIAS [--previous | --to VERSION]`" });
    const asset = parseAddress(requireArg(positionals, 1, "KIND:NAME"));
    const alias = requireArg(positionals, 2, "ALIAS");
    const to = str(values, "to");
    if (to !== undefined && flag(values, "previous")) throw new UserError("usage", "--previous and --to are two ways to choose the version: give one");
    const root = await resolveRoot(str(values, "dir"), io.cwd);
    const file = path.join(root, ALIASES_FILE);
    const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") throw new UserError("aliases-missing", `There is no ${ALIASES_FILE} in ${root}: aliases are not managed from git here.`);
      throw error;
    });
    const key = aliasKey({ kind: asset.kind, name: asset.name, alias });
    const { current, target } = await withRegistry(values, io, async (registry) => {
      const [snapshot, history] = await Promise.all([registry.snapshot(), registry.aliasHistory()]);
      const now = aliasesAt(history).get(key);
      if (now === undefined) throw new UserError("alias-not-found", `${key} names no version in the registry: there is nothing to roll back.`);
      const version = to ?? previousVersion(history, key);
      if (version === undefined) throw new UserError("alias-no-previous", `${key} has named only version ${now.version}: there is no previous version.`, { hint: "choose one with --to VERSION" });
      const current = findVersion(snapshot, { kind: asset.kind, name: asset.name, version: now.version });
      const target = findVersion(snapshot, { kind: asset.kind, name: asset.name, version });
      if (target.archived) throw new UserError("alias-target-archived", `${addressOf({ kind: asset.kind, name: asset.name, version })} is archived; an alias points only at a live version.`, { hint: `restore it first: assetctl unarchive ${addressOf({ kind: asset.kind, name: asset.name, version })}` });
      return { current, target };
    });
    const from = current.record.version;
    const back = target.record.version;
    if (from !== back) await writeText(file, setAliasVersion(text, `${asset.kind}:${asset.name}`, alias, back));
    const patch = versionPatch(current, target);
    const artifacts = artifactChanges(current, target);
    if (flag(values, "json")) {
      json(io, { alias: key, from, to: back, file: ALIASES_FILE, changed: from !== back, patch, artifacts });
      return 0;
    }
    if (from === back) {
      io.out(`${key} already names ${back}; ${ALIASES_FILE} is unchanged.`);
      return 0;
    }
    const lines = [`${key}: ${from} → ${back} in ${ALIASES_FILE} (the registry is unchanged until it is committed and applied).`, "", `What ${back} is, against ${from}:`];
    lines.push(...(patch.length === 0 ? ["  the same spec"] : patchLines(patch).map((l) => `  ${l}`)));
    lines.push(...artifacts.map((a) => `  artifact ${a}`));
    lines.push("", `Next: commit ${ALIASES_FILE}, then plan and apply (a protected alias moves with --allow-protected).`);
    io.out(lines.join("\n"));
    return 0;
  },
};

/** `/path: models/model.pkl sha256:abc… → sha256:def…` for each artifact whose content differs. */
function artifactChanges(from: StoredVersion, to: StoredVersion): string[] {
  const before = new Map(from.record.artifacts.map((a) => [a.pointer, a]));
  const out: string[] = [];
  for (const a of to.record.artifacts) {
    const b = before.get(a.pointer);
    if (b === undefined) out.push(`${a.pointer}: + ${a.source} ${shortDigest(a.digest)}`);
    else if (b.digest !== a.digest) out.push(`${a.pointer}: ${a.source} ${shortDigest(b.digest)} → ${shortDigest(a.digest)} (${a.size} bytes)`);
    before.delete(a.pointer);
  }
  for (const b of before.values()) out.push(`${b.pointer}: - ${b.source}`);
  return out;
}

async function writeText(file: string, text: string): Promise<void> {
  const { writeFileAtomically } = await import("../../atomic-write.js");
  if (!(await writeFileAtomically(file, text))) throw new UserError("aliases-unwritable", `Could not write ${file}.`);
}
