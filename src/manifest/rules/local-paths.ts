// Rule: every local file or folder a manifest names exists inside the repository, is reached without
// leaving it through `..`, an absolute path or a symlink, is a regular file or folder, and is real content
// rather than a Git LFS pointer.
import path from "node:path";
import type { Diagnostic } from "../../diagnostics.js";
import { folderOf, sitesOf, type Site } from "../../source/spec-sites.js";
import { SKIPPED_DIRS, STATE_DIR, type SourceTree } from "../../source/tree.js";
import { CachedTree } from "./cached-tree.js";
import { isLfsPointer, lfsPointersIn, mayBeLfsPointer } from "./lfs-pointer.js";
import { inspectFolder, resolveLocalPath, resolveLocalPathSync, type FolderProblem, type Resolution } from "./local-path.js";
import { diagnose, keyPathText, type Finding, type RuleContext } from "./rule.js";
import { closestName } from "../suggest.js";
import type { Manifest } from "../types.js";

/** Problems inside one uploaded folder are listed up to this many; past it they are the same mistake. */
const MAX_FOLDER_PROBLEMS = 5;

export async function checkLocalPaths(ctx: RuleContext): Promise<Diagnostic[]> {
  const tree = CachedTree.of(ctx.tree);
  // Many manifests name the same folder (a shared `src/`): inspect each once.
  const folderChecks = new Map<string, Promise<FolderProblem[]>>();
  const lfsChecks = new Map<string, Promise<string[]>>();
  const inspect = (folder: string): Promise<FolderProblem[]> => {
    let check = folderChecks.get(folder);
    if (!check) folderChecks.set(folder, (check = inspectFolder(tree, folder, SKIPPED_DIRS)));
    return check;
  };
  const pointersIn = (folder: string): Promise<string[]> => {
    let check = lfsChecks.get(folder);
    if (!check) lfsChecks.set(folder, (check = lfsPointersIn(tree, folder, SKIPPED_DIRS)));
    return check;
  };

  const sync = tree.syncLookup();
  const check = (manifest: Manifest, site: Site): Diagnostic[] | Promise<Diagnostic[]> => {
    const raw = site.local;
    if (raw === undefined) return [];
    const baseDir = folderOf(manifest.file);
    if (sync === undefined) return resolveLocalPath(tree, baseDir, raw).then((resolution) => judge(manifest, site, raw, baseDir, resolution));
    return judge(manifest, site, raw, baseDir, resolveLocalPathSync(sync, baseDir, raw));
  };

  /** What a site's resolution says; it waits only when it must look further (a folder's contents, a small file's head). */
  const judge = (manifest: Manifest, site: Site, raw: string, baseDir: string, resolution: Resolution): Diagnostic[] | Promise<Diagnostic[]> => {
    const label = keyPathText(site.path);
    if (!resolution.ok) return unresolved(tree, site, label, raw, baseDir, resolution).then((finding) => [diagnose(manifest, site.path, finding)]);
    const { target, entry } = resolution;
    const shown = target === "" ? "the repository root" : target;
    if (target === STATE_DIR || target.startsWith(`${STATE_DIR}/`) || target.includes(`/${STATE_DIR}/`) || target.endsWith(`/${STATE_DIR}`)) {
      return [
        diagnose(manifest, site.path, {
          code: "path-in-assetctl-state",
          severity: "error",
          message: `${label}: ${shown} is inside ${STATE_DIR}/, where assetctl keeps its registry and caches, not asset content`,
          hint: `Name the asset's own files. assetctl never uploads its own state: ${STATE_DIR}/ is skipped inside every folder it reads.`,
        }),
      ];
    }
    if (entry.type === "other") {
      return [
        diagnose(manifest, site.path, {
          code: "path-not-regular",
          severity: "error",
          message: `${label}: ${shown} is a special file (a FIFO, socket or device), not a regular file or folder`,
          hint: "Replace it with a regular file. assetctl never opens special files: reading a FIFO would wait forever.",
        }),
      ];
    }
    if (entry.unreadable) {
      return [
        diagnose(manifest, site.path, {
          code: "path-unreadable",
          severity: "error",
          message: `${label}: ${shown} cannot be read by this user`,
          hint: `Make it readable (chmod a+r${entry.type === "dir" ? ", and a+x for a folder" : ""}) for the user that runs assetctl.`,
        }),
      ];
    }
    const mismatch = typeMismatch(site, entry.type === "dir" ? "dir" : "file", label, shown);
    if (mismatch) return [diagnose(manifest, site.path, mismatch)];

    const isArtifact = site.role === "model" || site.role === "data";
    if (entry.type === "dir") {
      const contents = isArtifact || site.role === "code" || site.role === "include" || site.role === "build-context";
      if (!contents && !isArtifact) return [];
      return (async (): Promise<Diagnostic[]> => {
        const found: Finding[] = [];
        if (contents) {
          const problems = await inspect(target);
          for (const problem of problems.slice(0, MAX_FOLDER_PROBLEMS)) found.push(folderFinding(label, shown, problem));
        }
        if (isArtifact) {
          const pointers = await pointersIn(target);
          if (pointers.length > 0) found.push(lfsFinding(label, site, shown, pointers));
        }
        return found.map((finding) => diagnose(manifest, site.path, finding));
      })();
    }
    // Only a file of a pointer's size needs reading to tell.
    if (!isArtifact || !mayBeLfsPointer(entry)) return [];
    return isLfsPointer(tree, entry).then((pointer) => (pointer ? [diagnose(manifest, site.path, lfsFinding(label, site, shown, []))] : []));
  };

  // In manifest and site order; most sites are judged at once, so only those that wait are awaited.
  const perSite: Diagnostic[][] = [];
  const waits: Promise<void>[] = [];
  for (const manifest of ctx.manifests) {
    for (const site of sitesOf(manifest)) {
      const result = check(manifest, site);
      if (Array.isArray(result)) {
        perSite.push(result);
      } else {
        const at = perSite.push([]) - 1;
        waits.push(result.then((found) => void (perSite[at] = found)));
      }
    }
  }
  await Promise.all(waits);
  return perSite.flat();
}

function whereRelativePathsResolve(baseDir: string): string {
  return baseDir === "" ? "the repository root" : `${baseDir}/, the manifest's folder`;
}

async function unresolved(
  tree: SourceTree,
  site: Site,
  label: string,
  raw: string,
  baseDir: string,
  resolution: Exclude<Resolution, { ok: true }>,
): Promise<Finding> {
  const remoteHint = remoteAlternative(site);
  switch (resolution.problem) {
    case "absolute": {
      const inside = insideRoot(tree.root, raw);
      return {
        code: "path-escapes-repo",
        severity: "error",
        message: `${label}: ${raw} is an absolute path; a manifest may only name files inside the repository`,
        hint:
          inside === undefined
            ? `Move the files into the repository and write a path relative to ${whereRelativePathsResolve(baseDir)}${remoteHint}.`
            : `Write ${relativeFrom(baseDir, inside)} instead: relative paths resolve against ${whereRelativePathsResolve(baseDir)}, on every machine.`,
      };
    }
    case "outside":
      return {
        code: "path-escapes-repo",
        severity: "error",
        message: `${label}: ${raw} leaves the repository (relative paths resolve against ${whereRelativePathsResolve(baseDir)})`,
        hint: `Move the files into the repository and name them with a path that stays inside it${remoteHint}.`,
      };
    case "missing": {
      if (resolution.notFolder !== undefined) {
        return {
          code: "path-missing",
          severity: "error",
          message: `${label}: ${resolution.path} does not exist: ${resolution.notFolder} is a file, not a folder`,
          hint: `Relative paths resolve against ${whereRelativePathsResolve(baseDir)}.`,
        };
      }
      const suggestion = await siblingSuggestion(tree, resolution.missing);
      const hint =
        suggestion === undefined
          ? `Relative paths resolve against ${whereRelativePathsResolve(baseDir)}. Fix the path or add the file${remoteHint}.`
          : `Did you mean ${relativeFrom(baseDir, suggestion)}? Relative paths resolve against ${whereRelativePathsResolve(baseDir)}.`;
      return { code: "path-missing", severity: "error", message: `${label}: ${resolution.path} does not exist`, hint };
    }
    case "symlink-outside":
      return {
        code: "symlink-escapes-repo",
        severity: "error",
        message: `${label}: ${raw} goes through the symlink ${resolution.link}, which points outside the repository (to ${resolution.linkTarget})`,
        hint: "Copy the content into the repository (Git LFS suits large files) or name it by URI. assetctl reads only the repository, so that a plan means the same on every machine.",
      };
    case "symlink-loop":
      return {
        code: "symlink-loop",
        severity: "error",
        message: `${label}: ${raw} cannot be resolved: the symlinks ${resolution.cycle.join(" → ")} form a loop`,
        hint: "Point one of these symlinks at a real file or folder.",
      };
  }
}

/** How the field could name content outside the repository instead, if it can: ", or …" or "". */
function remoteAlternative(site: Site): string {
  switch (site.role) {
    case "model":
    case "data":
      return ", or name data kept elsewhere by URI (azureml://datastores/<datastore>/paths/<path>, https://…)";
    case "code":
      return ", or name the code by git+https://… URL";
    case "component":
      return ", or name a registered component (azureml:<name>:<version>)";
    case "environment":
      return ", or name a registered environment (azureml:<name>:<version>)";
    default:
      return "";
  }
}

/** A sibling of the missing component with a close name: `conda.yml` for `conda.yaml`. */
async function siblingSuggestion(tree: SourceTree, missing: string): Promise<string | undefined> {
  const parent = path.posix.dirname(missing);
  const dir = parent === "." ? "" : parent;
  let names: string[];
  try {
    names = (await tree.readDir(dir)).map((e) => e.path.slice(e.path.lastIndexOf("/") + 1));
  } catch {
    return undefined;
  }
  const match = closestName(path.posix.basename(missing), names);
  return match === undefined ? undefined : dir === "" ? match : `${dir}/${match}`;
}

function insideRoot(root: string, absolute: string): string | undefined {
  const rootPrefix = root.endsWith("/") ? root : `${root}/`;
  return absolute.startsWith(rootPrefix) ? absolute.slice(rootPrefix.length).replace(/\/$/, "") : undefined;
}

function relativeFrom(baseDir: string, target: string): string {
  const relative = path.posix.relative(baseDir === "" ? "." : baseDir, target === "" ? "." : target);
  return relative === "" ? "." : relative.startsWith("..") ? relative : `./${relative}`;
}

/** What each kind of site must name, where Azure ML insists on a file or a folder. */
function typeMismatch(site: Site, actual: "file" | "dir", label: string, shown: string): Finding | undefined {
  let expected: "file" | "dir" | undefined;
  let why = "";
  switch (site.role) {
    case "data":
      if (site.assetType === "uri_file") [expected, why] = ["file", "a uri_file is one file"];
      else if (site.assetType === "uri_folder" || site.assetType === "mltable") {
        [expected, why] = ["dir", `a ${site.assetType} is a folder`];
      }
      break;
    case "build-context":
      [expected, why] = ["dir", "build.path is the Docker build context folder"];
      break;
    case "conda-file":
      [expected, why] = ["file", "conda_file is a conda YAML file"];
      break;
    case "component":
      [expected, why] = ["file", "a component is named by its YAML file"];
      break;
    case "environment":
      [expected, why] = ["file", "an environment is named by its YAML file"];
      break;
    default:
      return undefined;
  }
  if (expected === undefined || expected === actual) return undefined;
  const fix =
    site.role === "data"
      ? expected === "file"
        ? "Point path at one file, or declare type: uri_folder."
        : "Point path at the folder, or declare type: uri_file."
      : expected === "file"
        ? "Point it at the file inside the folder."
        : "Point it at the folder that contains the file.";
  return {
    code: "path-type-mismatch",
    severity: "error",
    message: `${label}: ${shown} is a ${actual === "dir" ? "folder" : "file"}, but ${why}`,
    hint: fix,
  };
}

function folderFinding(label: string, shown: string, problem: FolderProblem): Finding {
  switch (problem.problem) {
    case "symlink-outside":
      return {
        code: "symlink-escapes-repo",
        severity: "error",
        message: `${label}: ${shown} contains the symlink ${problem.link}, which points outside the repository (to ${problem.linkTarget})`,
        hint: "Replace the symlink with the content itself (Git LFS suits large files): assetctl reads only the repository.",
      };
    case "symlink-loop":
      return {
        code: "symlink-loop",
        severity: "error",
        message: `${label}: ${shown} contains the symlink loop ${problem.cycle.join(" → ")}`,
        hint: "Remove the symlink or point it at a real file or folder outside its own ancestors.",
      };
    case "not-regular":
      return {
        code: "path-not-regular",
        severity: "error",
        message: `${label}: ${shown} contains ${problem.path}, a special file (a FIFO, socket or device)`,
        hint: "Remove it from the folder. assetctl never opens special files: reading a FIFO would wait forever.",
      };
    case "unreadable":
      return {
        code: "path-unreadable",
        severity: "error",
        message: `${label}: ${shown} contains ${problem.path}, which this user cannot read`,
        hint: "Make it readable (chmod a+r, and a+x for a folder) or move it out of the folder: apply uploads every file in it.",
      };
  }
}

function lfsFinding(label: string, site: Site, shown: string, pointers: string[]): Finding {
  const what = site.role === "model" ? "model" : "data";
  const listed = pointers.slice(0, 3).join(", ") + (pointers.length > 3 ? ` and ${pointers.length - 3} more` : "");
  return {
    code: "lfs-pointer",
    severity: "error",
    message:
      pointers.length === 0
        ? `${label}: ${shown} is a Git LFS pointer, not the ${what} itself`
        : `${label}: ${shown} holds Git LFS pointers instead of the ${what} files: ${listed}`,
    hint: "Run `git lfs pull` so the real files are in the working tree, then run assetctl again; registering a pointer would version 130 bytes of text instead of the content.",
  };
}
