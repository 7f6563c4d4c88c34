// Lineage queries: `dependents ADDR` (who uses this version), `why A B` (a dependency path between two
// versions) and `impact PATH|ADDR` (what would re-version if this changed, from the manifests alone).
import path from "node:path";
import { hasErrors, UserError } from "../../diagnostics.js";
import { impactOf } from "../../lineage/impact.js";
import { ASSET_KINDS } from "../../manifest/types.js";
import { lineageGraph, reachable, somePath } from "../../lineage/graph.js";
import { parseAddress } from "../../plan/address.js";
import { readManifests } from "../../reconcile.js";
import { addressOf } from "../../registry/types.js";
import { resolveRoot } from "../context.js";
import { common, flag, json, str, type Command } from "./command.js";
import { depthOption } from "./graph.js";
import { findVersion, latestVersions } from "../../registry/query.js";
import { aliasHistoryFor, requireArg, withRegistry } from "./read.js";

export const dependentsCommand: Command = {
  usage: "ADDR [--depth N] [--latest] [--json]",
  description:
    "Lists the versions that depend on ADDR, directly or through others (to --depth hops). --latest keeps only dependents that are their asset's latest version: what a change would reach now.",
  options: { ...common, depth: { type: "string" }, latest: { type: "boolean" } },
  async run(values, positionals, io) {
    const target = parseAddress(requireArg(positionals, 0, "ADDR"));
    const depth = depthOption(values);
    return withRegistry(values, io, async (registry) => {
      const snapshot = await registry.snapshot();
      const start = addressOf(findVersion(snapshot, target, await aliasHistoryFor(registry, target)).record);
      const graph = lineageGraph(snapshot.versions);
      const latest = new Set(latestVersions(snapshot.versions).map((v) => addressOf(v.record)));
      const found = [...reachable(graph, [start], "down", depth)]
        .filter(([address, hops]) => hops > 0 && (!flag(values, "latest") || latest.has(address)))
        .sort(([a, da], [b, db]) => da - db || a.localeCompare(b));
      const rows = found.map(([address, hops]) => {
        const v = graph.nodes.get(address)?.version;
        return { address, depth: hops, latest: latest.has(address), archived: v?.archived ?? false, commit: v?.record.provenance.commit ?? null };
    });
    if (flag(values, "json")) json(io, { address: start, dependents: rows });
    else if (rows.length === 0) io.out(`Nothing depends on ${start}${flag(values, "latest") ? " among latest versions" : ""}.`);
    else {
      io.out(`${rows.length} version${rows.length === 1 ? "" : "s"} depend${rows.length === 1 ? "s" : ""} on ${start}:`);
      for (const r of rows) {
        const marks = [r.latest ? "latest" : "", r.archived ? "archived" : "", r.depth > 1 ? `${r.depth} hops` : "direct"].filter(Boolean);
        io.out(`  ${r.address}  ${io.style.dim(`(${marks.join(", ")})`)}`);
      }
    }
    return 0;
    });
  },
};

export const whyCommand: Command = {
  usage: "A B [--json]",
  description: "Shows how version A depends on version B (or B on A): one shortest path of dependencies. Exits 1 when there is none.",
  options: { ...common },
  async run(values, positionals, io) {
    const a = parseAddress(requireArg(positionals, 0, "A"));
    const b = parseAddress(requireArg(positionals, 1, "B"));
    return withRegistry(values, io, async (registry) => {
      const snapshot = await registry.snapshot();
      const aliases = await aliasHistoryFor(registry, a, b);
      const from = addressOf(findVersion(snapshot, a, aliases).record);
      const to = addressOf(findVersion(snapshot, b, aliases).record);
      const graph = lineageGraph(snapshot.versions);
      // Always in dependency order: the dependent first, what it depends on last.
      const chain = somePath(graph, from, to) ?? somePath(graph, to, from);
      if (flag(values, "json")) json(io, { from, to, path: chain ?? null });
      else if (!chain) io.out(`No dependency path between ${from} and ${to}.`);
      else {
        const between = chain.length - 2;
        io.out(`${chain.join(" → ")}\n${chain[0]} depends on ${chain.at(-1)}${between > 0 ? ` through ${between} other version${between === 1 ? "" : "s"}` : ""}.`);
      }
      return chain ? 0 : 1;
    });
  },
};

export const impactCommand: Command = {
  usage: "PATH|KIND:NAME [--json]",
  description:
    "Lists the manifests that would get a new version if PATH (a file or folder) or the asset KIND:NAME changed: those that name it, then those that follow them by @latest or a local component file. Reads the manifests only: no hashing, no registry.",
  options: { dir: common["dir"] as NonNullable<(typeof common)["dir"]>, json: { type: "boolean" } },
  async run(values, positionals, io) {
    const arg = requireArg(positionals, 0, "PATH or KIND:NAME");
    const root = await resolveRoot(str(values, "dir"), io.cwd);
    const kind = /^([a-z_]+):/.exec(arg)?.[1];
    const target = kind && (ASSET_KINDS as readonly string[]).includes(kind) ? { asset: asAsset(arg) } : { path: repoRelative(root, io.cwd, arg) };
    const { manifests, diagnostics } = await readManifests({ root });
    if (hasErrors(diagnostics)) {
      const files = new Set(diagnostics.filter((d) => d.severity === "error").map((d) => d.file)).size;
      io.err(`warning: ${files} manifest file${files === 1 ? " has" : "s have"} errors and ${files === 1 ? "is" : "are"} left out; \`assetctl validate\` shows them`);
    }
    const hits = impactOf(manifests, target);
    if (flag(values, "json")) {
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
  },
};

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
