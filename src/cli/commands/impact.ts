// `assetctl impact PATH|KIND:NAME`: what would re-version if this file or asset changed, from the manifests
// alone. Asked of the resident query server first (`watch` and `ui` keep the manifests in memory), else
// read here; the manifest reader loads only then. Either way the same answer is printed the same way.
import path from "node:path";
import { codeFingerprint } from "../../code-fingerprint.js";
import { UserError, type Diagnostic } from "../../diagnostics.js";
import type { ImpactNode } from "../../lineage/impact.js";
import { ASSET_KINDS } from "../../manifest/types.js";
import { parseAddress } from "../../plan/address.js";
import { askResident } from "../../watch/query-server.js";
import { resolveRoot } from "../context.js";
import type { Io } from "../io.js";
import { common, flag, json, str, type Command } from "./command.js";

export type ImpactTarget = { path: string } | { asset: string };

/** What `impact` prints, made by the one-shot path and the resident server alike. */
export interface ImpactAnswer {
  /** Manifest files left out for their errors. */
  errorFiles: number;
  hits: ImpactNode[];
}

export interface ImpactQuery {
  kind: "impact";
  target: ImpactTarget;
}

/** How many manifest files are left out for their errors. */
export function errorFileCount(diagnostics: readonly Diagnostic[]): number {
  return new Set(diagnostics.filter((d) => d.severity === "error").map((d) => d.file)).size;
}

async function impactOneShot(root: string, target: ImpactTarget): Promise<ImpactAnswer> {
  const [{ readManifests }, { impactOf }] = await Promise.all([import("../../reconcile.js"), import("../../lineage/impact.js")]);
  const { manifests, diagnostics } = await readManifests({ root });
  return { errorFiles: errorFileCount(diagnostics), hits: impactOf(manifests, target) };
}

export const impactCommand: Command = {
  usage: "PATH|KIND:NAME [--json]",
  description:
    "Lists the manifests that would get a new version if PATH (a file or folder) or the asset KIND:NAME changed: those that name it, then those that follow them by @latest or a local component file. Reads the manifests only: no hashing, no registry.",
  options: { dir: common["dir"] as NonNullable<(typeof common)["dir"]>, json: { type: "boolean" } },
  async run(values, positionals, io) {
    const arg = positionals[0];
    if (arg === undefined) throw new UserError("argument-missing", "missing PATH or KIND:NAME", { hint: "run the command with --help" });
    const root = await resolveRoot(str(values, "dir"), io.cwd);
    const kind = /^([a-z_]+):/.exec(arg)?.[1];
    const target: ImpactTarget = kind && (ASSET_KINDS as readonly string[]).includes(kind) ? { asset: asAsset(arg) } : { path: repoRelative(root, io.cwd, arg) };
    const query: ImpactQuery = { kind: "impact", target };
    const answer = ((await askResident(root, codeFingerprint(), query)) as ImpactAnswer | undefined) ?? (await impactOneShot(root, target));
    return printImpact(io, target, answer, flag(values, "json"));
  },
};

function printImpact(io: Io, target: ImpactTarget, { errorFiles: files, hits }: ImpactAnswer, asJson: boolean): number {
  if (files > 0) {
    io.err(`warning: ${files} manifest file${files === 1 ? " has" : "s have"} errors and ${files === 1 ? "is" : "are"} left out; \`assetctl validate\` shows them`);
  }
  if (asJson) {
    json(io, { target: "asset" in target ? target.asset : target.path, affected: hits });
    return 0;
  }
  const what = "asset" in target ? target.asset : target.path;
  if (hits.length === 0) {
    io.out(`No manifest names ${what}: a change to it re-versions nothing.`);
    return 0;
  }
  const assets = hits.filter((h) => !h.job);
  const pinned = assets.filter((h) => h.pinned).length;
  io.out(
    `A change to ${what} reaches ${assets.length} asset${assets.length === 1 ? "" : "s"}` +
      (pinned ? ` (${pinned} with a pinned version: a conflict until it is raised):` : ":"),
  );
  for (const h of hits) {
    const where = io.style.dim(`${h.file}:${h.line}`);
    const cause = h.depth === 0 ? (h.because === h.id ? "" : ` names ${h.because}`) : ` ← ${h.because}`;
    const note = h.job ? " (pipeline job, not versioned)" : h.pinned ? " (pinned)" : "";
    io.out(`${"  ".repeat(h.depth + 1)}${h.id}${note}${cause}  ${where}`);
  }
  return 0;
}

function asAsset(text: string): string {
  const address = parseAddress(text);
  if (address.version !== undefined && address.version !== "latest") {
    throw new UserError("address-invalid", `impact takes an asset, not a version: "${text}"`, { hint: `write ${address.kind}:${address.name}` });
  }
  return `${address.kind}:${address.name}`;
}

function repoRelative(root: string, cwd: string, given: string): string {
  const relative = path.relative(root, path.resolve(cwd, given)).split(path.sep).join("/");
  if (relative.startsWith("..") || path.isAbsolute(relative)) {
    throw new UserError("path-outside-repo", `${given} is outside the repository ${root}`, { hint: "name a file or folder inside the repository" });
  }
  return relative === "" ? "." : relative;
}
