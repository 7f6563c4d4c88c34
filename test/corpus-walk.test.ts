// Property over both shared corpora (../shared/corpus/azureml-examples and azureml-assets): for every
// manifest the desired-state builder builds, the local paths validate checks are exactly the ones apply
// hashes or loads. Each side is observed through its own behaviour, not through the walk they share:
// - validated: the local-paths rule run over an empty tree reports every local path a manifest names, once;
// - hashed: the desired state built from the real corpus lists each artifact's pointer, and each local
//   component file as a reference whose version is the anonymous component's digest.
// A missing corpus fails the test: CI always has ../shared.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkLocalPaths } from "../src/manifest/rules/local-paths.js";
import { jsonPointer, buildDesiredState } from "../src/source/desired.js";
import { validateRepository } from "../src/manifest/validate.js";
import { WorkTree } from "../src/source/tree.js";
import type { SourceInfo } from "../src/source/types.js";

const SHARED = path.resolve(import.meta.dirname, "../../shared/corpus");
/** Each corpus with the least it must exercise (75 and 85 assets built, 67 and 33 local paths, today). */
const CORPORA = [
  { name: "azureml-examples", assets: 70, paths: 60 },
  { name: "azureml-assets", assets: 80, paths: 30 },
].map((corpus) => {
  const root = path.join(SHARED, corpus.name);
  return { ...corpus, root: existsSync(root) ? root : path.join("/work/shared/corpus", corpus.name) };
});
const SOURCE: SourceInfo = { commit: null, dirty: false, ref: null, branch: null, remote: null };

const empty = mkdtempSync(path.join(tmpdir(), "assetctl-empty-"));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

/** `file pointer` lines, sorted, for the manifests in `files`. */
function lines(entries: Iterable<[file: string, pointer: string]>, files: ReadonlySet<string>): string[] {
  return [...new Set([...entries].filter(([file]) => files.has(file)).map(([file, pointer]) => `${file} ${pointer}`))].sort();
}

describe.each(CORPORA)("the local paths of the $name corpus", ({ name, root, assets, paths }) => {
  it("are the same for validate and for the desired state", async () => {
    expect(existsSync(root), `the ${name} corpus is missing: ${root} (a checkout of ../shared/corpus is needed)`).toBe(true);
    const { manifests } = await validateRepository(new WorkTree(root));

    // Over an empty tree nothing exists: each local path a manifest names is reported where it is written.
    const validated = (await checkLocalPaths({ manifests, tree: new WorkTree(empty) })).map(
      (d): [string, string] => [d.file, jsonPointer(d.path ?? [])],
    );

    const state = await buildDesiredState(manifests, new WorkTree(root), { source: SOURCE, workers: 0, pathStatus: async () => new Map() });
    const anonymous = new Set(state.assets.filter((a) => a.anonymous).map((a) => a.contentDigest));
    const hashed = state.assets.flatMap((asset) => [
      ...asset.artifacts.map((a): [string, string] => [asset.manifest.file, a.pointer]),
      ...asset.references.filter((r) => anonymous.has(r.version)).map((r): [string, string] => [asset.manifest.file, r.pointer]),
    ]);

    // Only the assets built are compared: pipeline jobs are runs, never hashed, and an asset that names a
    // missing file is not built (validate reports it).
    const built = new Set(state.assets.map((a) => a.manifest.file));
    expect(built.size).toBeGreaterThanOrEqual(assets);
    const compared = lines(hashed, built);
    expect(compared.length).toBeGreaterThanOrEqual(paths);
    expect(lines(validated, built)).toEqual(compared);
  });
});
