// Tampering, through the CLI: `verify` finds a flipped byte in an object, a missing object, an edited
// version record or history entry, a record moved to another address and a broken journal, and says
// which; `pull` checks that a record's files are those its version digest commits to, and every object
// against its digest as it reads it, and leaves nothing behind when one fails; a registry of a newer format or with a broken format.json is refused by every command that
// opens it, clearly and without being "repaired".
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TempRepo } from "../e2e/harness.js";
import { copyRepo, fingerprint, mapLimited, removeTree, runCli, type Run } from "./support.js";

const SCHEMA = "https://azuremlschemas.azureedge.net/latest";
const REGISTRY = ".assetctl/registry";

const FILES: Record<string, string> = {
  "models/model.yml": `$schema: ${SCHEMA}/model.schema.json\nname: churn\npath: ./model.pkl\ndescription: first\n`,
  "models/model.pkl": "weights ".repeat(200),
  "data/data.yml": `$schema: ${SCHEMA}/data.schema.json\nname: sales\ntype: uri_folder\npath: ./files\n`,
  "data/files/a.csv": "id,price\n1,100\n",
  "data/files/b.csv": "id,price\n2,200\n",
  "data/files/c.csv": "id,price\n3,300\n",
};

interface Stored {
  kind: string;
  name: string;
  version: string;
  artifacts: { files: { path: string; digest: string }[] }[];
}

function objectFile(root: string, digest: string): string {
  const hex = digest.slice("sha256:".length);
  return path.join(root, REGISTRY, "objects", "sha256", hex.slice(0, 2), hex.slice(2));
}

function recordFile(root: string, kind: string, name: string, version: string): string {
  return path.join(root, REGISTRY, "versions", kind, name, `${version}.json`);
}

function record(root: string, kind: string, name: string, version: string): Stored {
  return (JSON.parse(readFileSync(recordFile(root, kind, name, version), "utf8")) as { record: Stored }).record;
}

/** Rewrites a read-only registry file, as someone with a text editor (or a bad disk) would. */
function tamper(file: string, change: (bytes: Buffer) => Buffer): void {
  chmodSync(file, 0o644);
  writeFileSync(file, change(readFileSync(file)));
}

function flipByte(bytes: Buffer, at = Math.floor(bytes.length / 2)): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
}

function expectClean(run: Run, what: string): void {
  const output = `${run.stdout}${run.stderr}`;
  expect(output, what).not.toMatch(/\n\s+at /);
  expect(output, what).not.toMatch(/internal error/i);
}

describe("a tampered registry", () => {
  let base: TempRepo;
  const copies: string[] = [];
  let model: Stored;
  let data: Stored;

  /** A copy of the applied repository to tamper with. */
  function copy(): string {
    const root = copyRepo(base.root);
    copies.push(root);
    return root;
  }

  beforeAll(async () => {
    base = new TempRepo(FILES);
    base.commit("assets");
    expect((await runCli(["apply", "--auto-approve"], { cwd: base.root })).code).toBe(0);
    // A second version with a history entry: an update of the description.
    base.write({ "models/model.yml": FILES["models/model.yml"]?.replace("first", "second") ?? "" });
    base.commit("describe");
    expect((await runCli(["apply", "--auto-approve"], { cwd: base.root })).code).toBe(0);
    expect((await runCli(["verify"], { cwd: base.root })).code).toBe(0);
    model = record(base.root, "model", "churn", "1");
    data = record(base.root, "data", "sales", "1");
  }, 60_000);

  afterAll(() => {
    for (const root of copies) removeTree(root);
    base?.remove();
  });

  const modelObject = () => model.artifacts[0]?.files[0]?.digest as string;
  const dataObject = (i: number) => data.artifacts[0]?.files[i]?.digest as string;

  interface Tampering {
    name: string;
    apply(root: string): void;
    /** The problem code verify reports, and what it must name. */
    code: string;
    names: () => string;
  }

  const TAMPERINGS: Tampering[] = [
    { name: "a flipped byte in an object", apply: (r) => tamper(objectFile(r, modelObject()), (b) => flipByte(b)), code: "object-corrupt", names: modelObject },
    { name: "a truncated object", apply: (r) => (chmodSync(objectFile(r, dataObject(1)), 0o644), truncateSync(objectFile(r, dataObject(1)), 3)), code: "object-corrupt", names: () => dataObject(1) },
    { name: "a missing object", apply: (r) => unlinkSync(objectFile(r, modelObject())), code: "object-missing", names: modelObject },
    // Reading a FIFO blocks forever: verify must say what it is, not hang on it.
    { name: "an object swapped for a FIFO", apply: (r) => swapForFifo(objectFile(r, dataObject(0))), code: "object-corrupt", names: () => dataObject(0) },
    {
      name: "an edited version record",
      // Forged provenance, still valid JSON: only the record's own digest can tell.
      apply: (r) =>
        tamper(recordFile(r, "model", "churn", "1"), (b) => {
          const doc = JSON.parse(b.toString()) as { record: { provenance: { commit: string } } };
          doc.record.provenance.commit = "0".repeat(40);
          return Buffer.from(`${JSON.stringify(doc)}\n`);
        }),
      code: "record-tampered",
      names: () => "model:churn:1",
    },
    {
      name: "an edited history entry",
      apply: (r) => {
        const dir = path.join(r, REGISTRY, "history", "model", "churn", "1");
        const file = path.join(dir, readdirSync(dir)[0] as string);
        tamper(file, (b) => Buffer.from(b.toString().replace('"second"', '"forged"')));
      },
      code: "record-tampered",
      names: () => "model:churn:1",
    },
    {
      name: "a record moved to another version's name",
      apply: (r) => renameSync(recordFile(r, "data", "sales", "1"), recordFile(r, "data", "sales", "7")),
      code: "record-tampered",
      names: () => "sales/7.json",
    },
    {
      name: "a journal entry overwritten with garbage",
      apply: (r) => tamper(path.join(r, REGISTRY, "journal", "0000000000000002.json"), () => Buffer.from("{\"serial\": 2, \"at\": ")),
      code: "journal-broken",
      names: () => "journal 2",
    },
    { name: "a journal entry deleted", apply: (r) => unlinkSync(path.join(r, REGISTRY, "journal", "0000000000000003.json")), code: "journal-broken", names: () => "journal 3" },
    {
      name: "a journal entry renumbered",
      apply: (r) => {
        const journal = path.join(r, REGISTRY, "journal");
        renameSync(path.join(journal, "0000000000000004.json"), path.join(journal, "0000000000000009.json"));
      },
      code: "journal-broken",
      names: () => "journal 9",
    },
    { name: "a journal entry swapped for a FIFO", apply: (r) => swapForFifo(path.join(r, REGISTRY, "journal", "0000000000000002.json")), code: "journal-broken", names: () => "journal 2" },
    { name: "a version record swapped for a FIFO", apply: (r) => swapForFifo(recordFile(r, "data", "sales", "1")), code: "record-corrupt", names: () => "sales/1.json" },
    { name: "a version record deleted", apply: (r) => unlinkSync(recordFile(r, "data", "sales", "1")), code: "journal-broken", names: () => "data:sales:1" },
  ];

  it(`verify finds and names ${TAMPERINGS.length} kinds of tampering, and changes nothing`, async () => {
    await mapLimited(TAMPERINGS, 3, async (t) => {
      const root = copy();
      t.apply(root);
      const before = fingerprint(path.join(root, REGISTRY));
      const text = await runCli(["verify"], { cwd: root });
      expect(text.code, `${t.name}\n${text.stdout}${text.stderr}`).toBe(1);
      expectClean(text, t.name);
      expect(text.stdout, t.name).toMatch(new RegExp(`^${t.code} .*${escape(t.names())}`, "m"));
      expect(text.stdout, t.name).toMatch(/\d+ problems? found in /);
      const json = await runCli(["verify", "--json"], { cwd: root });
      expect(json.code, t.name).toBe(1);
      const report = JSON.parse(json.stdout) as { ok: boolean; problems: { code: string; subject: string; message: string }[] };
      expect(report.ok).toBe(false);
      expect(report.problems.some((p) => p.code === t.code && `${p.subject} ${p.message}`.includes(t.names())), `${t.name}: ${json.stdout}`).toBe(true);
      expect(fingerprint(path.join(root, REGISTRY)), `${t.name}: verify must not repair or write`).toBe(before);
    });
  }, 120_000);

  it("pull checks the record and each object as it reads it, and leaves no partial destination", async () => {
    const cases: { name: string; address: string; tamper: (root: string) => void; says: RegExp }[] = [
      { name: "flipped byte", address: "model:churn:1", tamper: (r) => tamper(objectFile(r, modelObject()), (b) => flipByte(b)), says: /corrupt: its bytes hash to sha256:[0-9a-f]{64}, not sha256:[0-9a-f]{64}.*\[registry-corrupt\]/ },
      { name: "last byte flipped", address: "model:churn:1", tamper: (r) => tamper(objectFile(r, modelObject()), (b) => flipByte(b, b.length - 1)), says: /\[registry-corrupt\]/ },
      { name: "truncated", address: "model:churn:1", tamper: (r) => (chmodSync(objectFile(r, modelObject()), 0o644), truncateSync(objectFile(r, modelObject()), 10)), says: /\[registry-corrupt\]/ },
      { name: "appended to", address: "model:churn:1", tamper: (r) => tamper(objectFile(r, modelObject()), (b) => Buffer.concat([b, Buffer.from("x")])), says: /\[registry-corrupt\]/ },
      { name: "missing", address: "model:churn:1", tamper: (r) => unlinkSync(objectFile(r, modelObject())), says: /\[registry-object-missing\]/ },
      {
        // Each object intact, but the record now names another one: the version's digest gives it away.
        name: "a record pointed at another object",
        address: "model:churn:1",
        tamper: (r) => {
          tamper(recordFile(r, "model", "churn", "1"), (b) => {
            const doc = JSON.parse(b.toString()) as { record: Stored };
            (doc.record.artifacts[0]?.files[0] as { digest: string }).digest = dataObject(0);
            return Buffer.from(`${JSON.stringify(doc)}\n`);
          });
          rmSync(path.join(r, REGISTRY, "index"), { recursive: true, force: true });
        },
        says: /The record of model:churn:1 was changed after it was written: the files of models\/model\.pkl do not make its digest\. Nothing was pulled\. \[registry-corrupt\]/,
      },
      { name: "a FIFO", address: "model:churn:1", tamper: (r) => swapForFifo(objectFile(r, modelObject())), says: /is a FIFO, not a regular file \[registry-corrupt\]/ },
      // The third file of a folder: two files are already written when the corruption shows.
      { name: "third file of a folder", address: "data:sales:1", tamper: (r) => tamper(objectFile(r, dataObject(2)), (b) => flipByte(b)), says: /\[registry-corrupt\]/ },
    ];
    await mapLimited(cases, 3, async (c) => {
      const root = copy();
      c.tamper(root);
      const out = path.join(root, "pulled");
      mkdirSync(out);
      const dest = path.join(out, "dest");
      const run = await runCli(["pull", c.address, dest], { cwd: root });
      expect(run.code, `${c.name}\n${run.stdout}${run.stderr}`).toBe(1);
      expect(run.stderr, c.name).toMatch(c.says);
      expectClean(run, c.name);
      expect(existsSync(dest), `${c.name}: a partial destination was left`).toBe(false);
      expect(readdirSync(out), `${c.name}: staging left behind`).toEqual([]);
    });

    // The same pull from an untouched registry writes every file, verified.
    const root = copy();
    const dest = path.join(root, "pulled-clean");
    const run = await runCli(["pull", "data:sales:1", dest], { cwd: root });
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(dest).sort()).toEqual(["a.csv", "b.csv", "c.csv"]);
    expect(readFileSync(path.join(dest, "c.csv"), "utf8")).toBe(FILES["data/files/c.csv"]);
  }, 120_000);

  const COMMANDS: string[][] = [
    ["plan"],
    ["apply", "--auto-approve"],
    ["list"],
    ["show", "model:churn:1"],
    ["history", "model:churn"],
    ["diff", "model:churn:1", "model:churn:2"],
    ["graph"],
    ["pull", "model:churn:1", "pulled"],
    ["verify"],
    ["force-unlock", "00000000-0000-0000-0000-000000000000"],
  ];

  const FORMATS: { name: string; damage: (registry: string) => void; says: RegExp }[] = [
    {
      name: "written by a newer assetctl",
      damage: (r) => tamper(path.join(r, "format.json"), () => Buffer.from('{"format":"assetctl-registry","version":2}\n')),
      says: /has format version 2; this assetctl \(\S+\) reads format version 1\. \[registry-format-newer\]\n\s+hint: upgrade assetctl/,
    },
    { name: "garbage format.json", damage: (r) => tamper(path.join(r, "format.json"), () => Buffer.from("\u0000\u00ff{{not json")), says: /format\.json is not valid JSON; the registry cannot be read\. \[registry-corrupt\]/ },
    { name: "empty format.json", damage: (r) => tamper(path.join(r, "format.json"), () => Buffer.alloc(0)), says: /\[registry-corrupt\]/ },
    { name: "format.json of another tool", damage: (r) => tamper(path.join(r, "format.json"), () => Buffer.from('{"format":"something-else","version":1}')), says: /is not an assetctl registry: its format\.json names another format\. \[registry-format-unknown\]/ },
    { name: "format version not a number", damage: (r) => tamper(path.join(r, "format.json"), () => Buffer.from('{"format":"assetctl-registry","version":"1"}')), says: /unknown registry format version \("1"\)\. \[registry-format-unknown\]/ },
    {
      name: "format.json a directory",
      damage: (r) => (unlinkSync(path.join(r, "format.json")), mkdirSync(path.join(r, "format.json"))),
      says: /format\.json is a directory, not a regular file\. \[registry-corrupt\]/,
    },
    { name: "format.json a FIFO", damage: (r) => swapForFifo(path.join(r, "format.json")), says: /format\.json is a FIFO, not a regular file\. \[registry-corrupt\]/ },
    { name: "format.json missing", damage: (r) => unlinkSync(path.join(r, "format.json")), says: /exists but is not an assetctl registry \(it has no format\.json\); it is left untouched\. \[registry-format-unknown\]/ },
  ];

  it(`every command refuses a registry it cannot read (${FORMATS.length} ways) and leaves it as it is`, async () => {
    const jobs = FORMATS.flatMap((f) => COMMANDS.map((args) => ({ f, args })));
    const roots = new Map(FORMATS.map((f) => [f.name, copy()]));
    for (const f of FORMATS) f.damage(path.join(roots.get(f.name) as string, REGISTRY));
    const before = new Map(FORMATS.map((f) => [f.name, fingerprint(path.join(roots.get(f.name) as string, REGISTRY))]));
    await mapLimited(jobs, 4, async ({ f, args }) => {
      const root = roots.get(f.name) as string;
      const run = await runCli(args, { cwd: root });
      const what = `${f.name}: ${args.join(" ")}\n${run.stdout}${run.stderr}`;
      expect(run.code, what).toBe(1);
      expect(run.stderr, what).toMatch(f.says);
      expectClean(run, what);
      expect(existsSync(path.join(root, "pulled")), what).toBe(false);
    });
    for (const f of FORMATS) expect(fingerprint(path.join(roots.get(f.name) as string, REGISTRY)), `${f.name}: the registry was changed`).toBe(before.get(f.name));
  }, 180_000);
});

function swapForFifo(file: string): void {
  unlinkSync(file);
  execFileSync("mkfifo", [file]);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
