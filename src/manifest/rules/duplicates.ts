// Rule: one kind, name and version is defined by one manifest — or by several with the same content.
// Two different definitions of one version would make the registry's immutable version depend on which
// file was read first; identical copies are harmless and allowed. Two different auto-versioned
// definitions of one name are refused too: both would claim the next version of one plan, and after that
// take turns being "latest", so that every apply made yet another version and never converged.
import type { Diagnostic } from "../../diagnostics.js";
import { folderOf, sitesOf } from "../../source/spec-sites.js";
import { resolveInTree } from "../../source/tree.js";
import { assetKindOf, type Manifest } from "../types.js";
import { diagnose, type RuleContext } from "./rule.js";
import { isSpecObject } from "./spec.js";

export function checkDuplicates(ctx: RuleContext): Diagnostic[] {
  const groups = new Map<string, Manifest[]>();
  for (const m of ctx.manifests) {
    const kind = assetKindOf(m.kind);
    // Anonymous components are versioned by digest: two different ones never share a version.
    if (kind === undefined || m.name === undefined || m.anonymous) continue;
    const key = `${kind}\0${m.name}\0${m.version ?? ""}`;
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const diagnostics: Diagnostic[] = [];
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const contents = group.map(content);
    if (contents.every((c) => c.text === contents[0]?.text)) continue;
    group.forEach((manifest, i) => {
      const mine = contents[i];
      if (mine === undefined) return;
      const others = group.filter((_, j) => contents[j]?.text !== mine.text);
      if (others.length === 0) return;
      const fields = new Set<string>();
      others.forEach((other) => {
        const theirs = contents[group.indexOf(other)];
        if (theirs) for (const f of differingFields(mine.spec, theirs.spec)) fields.add(f);
      });
      const kind = assetKindOf(manifest.kind) ?? manifest.kind;
      const name = manifest.name ?? "";
      // Datastores are named, not versioned; other kinds without a version are versioned by the registry.
      const which =
        manifest.version !== undefined ? `${kind} ${name} version ${manifest.version}` : kind === "datastore" ? `datastore ${name}` : `${kind} ${name} (auto-versioned)`;
      const competing = manifest.version === undefined && kind !== "datastore";
      diagnostics.push(
        diagnose(manifest, manifest.version === undefined ? ["name"] : ["version"], {
          code: competing ? "duplicate-auto-versioned" : "duplicate-definition",
          severity: "error",
          message: `${which} is also defined in ${others.map((o) => o.file).join(", ")}, with different ${[...fields].sort().join(", ")}`,
          hint:
            manifest.version !== undefined
              ? "A version never changes once created: give one definition a new version, or make both identical."
              : kind === "datastore"
                ? "A datastore has one definition: keep one file, or give the other its own name."
                : "Give each definition its own name, or pin different versions: otherwise every apply would make a new version from whichever definition differs from the latest.",
        }),
      );
    });
  }
  return diagnostics;
}

/**
 * What a manifest defines, comparable across files: the spec with every local path made
 * repository-relative, since `./src` in two folders names two different folders.
 */
function content(manifest: Manifest): { spec: Record<string, unknown>; text: string } {
  const spec = structuredClone(manifest.spec);
  const dir = folderOf(manifest.file);
  for (const site of sitesOf(manifest)) {
    const local = site.local;
    if (local === undefined) continue;
    setAt(spec, site.path, `repo:${resolveInTree(dir, local) ?? local}`);
  }
  return { spec, text: canonicalJson(spec) };
}

function setAt(root: Record<string, unknown>, path: readonly (string | number)[], value: unknown): void {
  let node: unknown = root;
  for (const key of path.slice(0, -1)) {
    node = isSpecObject(node) ? node[key as string] : Array.isArray(node) ? node[key as number] : undefined;
  }
  const last = path[path.length - 1];
  if (isSpecObject(node) && typeof last === "string") node[last] = value;
  else if (Array.isArray(node) && typeof last === "number") node[last] = value;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (isSpecObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function differingFields(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => canonicalJson(a[k]) !== canonicalJson(b[k]));
}
