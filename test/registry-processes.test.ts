// Several real processes on one fs registry at once: creating it, creating versions, contesting one
// address, and taking turns on the apply lock. In-process tests only interleave promises; this is the
// race the link()/exclusive-create design exists for. The registry sources are transpiled (not
// type-checked) into a scratch directory so plain `node` children can import them.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FsDriver } from "../src/registry/drivers/fs.js";

const repo = path.resolve(import.meta.dirname, "..");
const PROCESSES = 4;
const VERSIONS_EACH = 15;

const child = `
import { FsDriver } from "./src/registry/drivers/fs.js";
import { sampleRecord } from "./src/registry/sample-records.test-helper.js";
const [root, id, count] = process.argv.slice(2);
const registry = new FsDriver({ path: root });
await registry.open({ create: true });
const outcome = { contested: "" };
for (let i = 1; i <= Number(count); i++) await registry.createVersion(sampleRecord({ name: "p" + id, version: String(i) }));
try {
  await registry.createVersion(sampleRecord({ name: "contested", spec: { by: id } }));
  outcome.contested = "won";
} catch (error) {
  outcome.contested = error.code;
}
for (let turn = 0; turn < 3; turn++) {
  const lock = await registry.lock({ owner: "p" + id, operation: "apply", timeoutMs: 60000 });
  await registry.appendJournal({ op: "apply-begin", plan: id + "/" + turn });
  await new Promise((r) => setTimeout(r, 5));
  await registry.appendJournal({ op: "apply-end", plan: id + "/" + turn });
  await lock.release();
}
process.stdout.write(JSON.stringify(outcome));
`;

describe("fs registry shared by several processes", () => {
  let scratch: string;

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(tmpdir(), "assetctl-procs-"));
    // Only what the fs driver imports, so other modules' work in progress cannot break this test.
    for (const part of ["registry", "digest.ts", "progress.ts", "redact.ts", "version.ts", "concurrency.ts", "native-addon.ts", "manifest/types.ts"]) {
      await transpile(path.join(repo, "src"), path.join(scratch, "src"), part);
    }
    await cp(path.join(repo, "package.json"), path.join(scratch, "package.json"));
    await writeFile(path.join(scratch, "child.mjs"), child);
  });

  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it("creates the registry once, lands every version, lets one contender win, and never overlaps lock holders", async () => {
    const root = path.join(scratch, "registry");
    const outcomes = await Promise.all(
      Array.from({ length: PROCESSES }, async (_, id) => {
        const proc = spawn(process.execPath, ["child.mjs", root, String(id), String(VERSIONS_EACH)], { cwd: scratch });
        let out = "";
        let err = "";
        proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
        proc.stderr.on("data", (d: Buffer) => (err += d.toString()));
        const [code] = (await once(proc, "exit")) as [number];
        expect(err).toBe("");
        expect(code).toBe(0);
        return JSON.parse(out) as { contested: string };
      }),
    );
    expect(outcomes.map((o) => o.contested).sort()).toEqual(["version-exists", "version-exists", "version-exists", "won"]);

    const registry = new FsDriver({ path: root });
    await registry.open();
    const snapshot = await registry.snapshot();
    expect(snapshot.versions).toHaveLength(PROCESSES * VERSIONS_EACH + 1);
    const journal = await registry.journal();
    expect(journal.map((j) => j.serial)).toEqual(Array.from({ length: journal.length }, (_, i) => i + 1));
    expect(snapshot.serial).toBe(journal.length);
    expect(journal.filter((j) => j.entry.op === "create")).toHaveLength(PROCESSES * VERSIONS_EACH + 1);
    // Under the lock each holder's begin is immediately followed by its own end.
    const marks = journal.flatMap((j) => (j.entry.op === "apply-begin" || j.entry.op === "apply-end" ? [j.entry] : []));
    expect(marks).toHaveLength(PROCESSES * 3 * 2);
    for (let i = 0; i < marks.length; i += 2) {
      expect([marks[i]?.op, marks[i + 1]?.op]).toEqual(["apply-begin", "apply-end"]);
      expect((marks[i] as { plan: string }).plan).toBe((marks[i + 1] as { plan: string }).plan);
    }
    expect(await registry.verify()).toEqual([]);
    expect(await readdir(path.join(root, "tmp"))).toEqual([]);
    await registry.close();
  });
});

/** Type-strips `part` (a .ts file or a directory) of `from` into `to`, keeping the tree (imports already end in .js). */
async function transpile(from: string, to: string, part: string): Promise<void> {
  const sources = part.endsWith(".ts")
    ? [path.join(from, part)]
    : (await readdir(path.join(from, part), { withFileTypes: true, recursive: true }))
        .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".test.ts"))
        .map((e) => path.join(e.parentPath, e.name));
  for (const source of sources) {
    const target = path.join(to, path.relative(from, source)).replace(/\.ts$/, ".js");
    const { outputText } = ts.transpileModule(await readFile(source, "utf8"), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, outputText);
  }
}
