// Rule: data of type `mltable` given as a local folder contains a file named exactly `MLTable`, which
// Azure ML reads to know how to load the table (`MLTable.yaml` or `mltable` are not found by it).
import type { Diagnostic } from "../../diagnostics.js";
import { folderOf, sitesOf } from "../../source/spec-sites.js";
import type { TreeEntry } from "../../source/tree.js";
import { CachedTree } from "./cached-tree.js";
import { resolveLocalPath } from "./local-path.js";
import { diagnose, keyPathText, type RuleContext } from "./rule.js";

const MLTABLE = "MLTable";

export async function checkMltable(ctx: RuleContext): Promise<Diagnostic[]> {
  const tree = CachedTree.of(ctx.tree);
  const checks = ctx.manifests.flatMap((manifest) =>
    sitesOf(manifest)
      .filter((site) => site.role === "data" && site.assetType === "mltable")
      .map(async (site): Promise<Diagnostic[]> => {
        const raw = site.local;
        if (raw === undefined) return [];
        const resolution = await resolveLocalPath(tree, folderOf(manifest.file), raw);
        // Missing paths and files where a folder belongs are the local-paths rule's to report.
        if (!resolution.ok || resolution.entry.type !== "dir") return [];
        let entries: TreeEntry[];
        try {
          entries = await tree.readDir(resolution.target);
        } catch {
          return [];
        }
        const names = entries.filter((e) => e.type !== "dir").map((e) => e.path.slice(e.path.lastIndexOf("/") + 1));
        if (names.includes(MLTABLE)) return [];
        const folder = resolution.target === "" ? "the repository root" : resolution.target;
        const lookalike = names.find((n) => n.toLowerCase() === "mltable" || n.toLowerCase().startsWith("mltable."));
        return [
          diagnose(manifest, site.path, {
            code: "mltable-missing",
            severity: "error",
            message: `${keyPathText(site.path)}: ${folder} has no file named MLTable, which type: mltable needs`,
            hint:
              lookalike === undefined
                ? "Add an MLTable file describing the table (paths:, transformations:) to the folder, or declare type: uri_folder."
                : `Rename ${lookalike} to MLTable: Azure ML looks for that exact name.`,
          }),
        ];
      }),
  );
  return (await Promise.all(checks)).flat();
}
