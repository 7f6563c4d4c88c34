// The manifest cache, like the digest cache (source/stat-cache.ts) but for the loader: a YAML file whose
// (device, inode, size, mtime, ctime) are unchanged since it was read keeps what reading it found — its
// classification, the facts pipelines need, its checked Manifest and diagnostics, the positions asked of
// it — without being read, parsed or checked again. Persisted in `.assetctl/cache/manifests.json`.
//
// Stats say "unchanged" without reading; when they cannot (the file was written too recently for its
// timestamps to tell a later change, or it was touched), the file is read and its text's digest decides:
// the same text gives the same results, so a file just written is cached too, by content.
//
// A cached result stands only for the inputs it was made from: the file (its stats), the loader's code
// (a fingerprint of its modules), assetctl.yaml's `exclude` and `kinds` (all entries), and, for the
// checked result, how the file was read — its declared kind and whether a pipeline makes it anonymous.
//
// The code fingerprint (code-fingerprint.ts), the one-file memo (stats-memo.ts) and the atomic writer
// (atomic-write.ts) it uses are modules of their own; they are re-exported here for older importers.
import type { BigIntStats } from "node:fs";
import { lstatSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createHash, hash } from "node:crypto";
import { writeFileAtomically } from "../atomic-write.js";
import { codeFingerprint } from "../code-fingerprint.js";
import type { Diagnostic } from "../diagnostics.js";
import { isRacy, statKey } from "../source/stat-cache.js";
import type { Classification } from "./discover.js";
import type { Locate, Manifest, ManifestKind, SourcePosition } from "./types.js";

const FORMAT = 1;
const MANIFESTS_FILE = "manifests.json";

/** Facts about a parsed document that deciding anonymity needs: its `type` and the component files it names. */
export interface DocumentShape {
  /** Whether the document is a mapping. */
  mapping: boolean;
  /** Whether it has a `type` key at all. */
  typed: boolean;
  /** `type`, when it is text. */
  type?: string;
  /** Repository paths of the component files it names by local path; null for one leaving the repository. */
  components: (string | null)[];
}

/** The checked manifest as stored: everything but `file` (the entry's name) and `locate` (lazy). */
interface StoredManifest {
  kind: ManifestKind;
  name?: string;
  version?: string;
  spec: Record<string, unknown>;
  anonymous: boolean;
}

/** What checking a file found, for one way of reading it (`key`). */
export interface CheckedFile {
  key: string;
  diagnostics: Diagnostic[];
  manifest?: StoredManifest;
}

interface EntryData {
  /** The stats that vouch for the text without reading it; null while they cannot (see isRacy). */
  key: string | null;
  /** SHA-256 (hex) of the text all of this was found in. */
  digest: string;
  cls: Classification;
  note?: Diagnostic;
  shape?: DocumentShape;
  check?: CheckedFile;
  /** pathKey → [line, column], as `locate` answered. */
  at?: Record<string, [number, number]>;
}

interface ManifestsFile {
  format: number;
  code: string;
  config: string;
  files: Record<string, EntryData>;
  /** What the manifest rules reported, for the manifests `key` names (see manifestsKey). */
  rules?: { key: string; diagnostics: Diagnostic[] };
}

/** One YAML file's cached facts; changes made through it are saved with the cache. */
export class CachedFile {
  constructor(
    private readonly cache: ManifestCache,
    readonly file: string,
    readonly data: EntryData,
  ) {}

  get cls(): Classification {
    return this.data.cls;
  }

  get note(): Diagnostic | undefined {
    return this.data.note;
  }

  get shape(): DocumentShape | undefined {
    return this.data.shape;
  }

  set shape(shape: DocumentShape) {
    this.data.shape = shape;
    this.cache.touch();
  }

  /** The checked result when it was made the same way (`key`). */
  checked(key: string): CheckedFile | undefined {
    return this.data.check?.key === key ? this.data.check : undefined;
  }

  /**
   * Keeps a checked result. The manifest is kept as JSON would give it back, and only when JSON can:
   * a spec holding what JSON cannot say (an infinite number, -0) is checked again every time.
   */
  keepChecked(key: string, diagnostics: readonly Diagnostic[], manifest: Manifest | undefined): void {
    let stored: StoredManifest | undefined;
    if (manifest) {
      if (!isJsonExact(manifest.spec)) {
        // Nothing kept, and nothing older either: an entry never describes a check other than the last.
        delete this.data.check;
        this.cache.touch();
        return;
      }
      const { kind, name, version, spec, anonymous } = manifest;
      stored = JSON.parse(JSON.stringify({ kind, name, version, spec, anonymous })) as StoredManifest;
      // Where the manifest starts is what lists of manifests show (impact, graph): known now, at no cost.
      this.remember([], manifest.locate([]));
    }
    this.data.check = { key, diagnostics: JSON.parse(JSON.stringify(diagnostics)) as Diagnostic[], ...(stored ? { manifest: stored } : {}) };
    this.cache.touch();
  }

  /** The cached manifest, positions answered from what was asked before or, lazily, from the file. */
  manifest(check: CheckedFile): Manifest | undefined {
    const stored = check.manifest;
    if (!stored) return undefined;
    return {
      file: this.file,
      kind: stored.kind,
      name: stored.name,
      version: stored.version,
      spec: stored.spec,
      anonymous: stored.anonymous,
      locate: (keyPath) => this.position(keyPath) ?? this.cache.locateLazily(this, keyPath),
    };
  }

  /** Wraps a fresh locate so that what it answers is remembered for the next runs. */
  recording(locate: Locate): Locate {
    return (keyPath) => {
      const at = locate(keyPath);
      this.remember(keyPath, at);
      return at;
    };
  }

  position(keyPath: readonly (string | number)[]): SourcePosition | undefined {
    const at = this.data.at?.[JSON.stringify(keyPath)];
    return at ? { line: at[0], column: at[1] } : undefined;
  }

  remember(keyPath: readonly (string | number)[], at: SourcePosition): void {
    const key = JSON.stringify(keyPath);
    const known = this.data.at?.[key];
    if (known && known[0] === at.line && known[1] === at.column) return;
    (this.data.at ??= {})[key] = [at.line, at.column];
    this.cache.touch();
  }
}

/** Locates a key path by parsing the file's current text; the loader provides it (it owns the parser). */
export type LazyLocator = (text: string, file: string, keyPath: readonly (string | number)[]) => SourcePosition;

export class ManifestCache {
  private entries: Map<string, EntryData>;
  private readonly live = new Map<string, CachedFile>();
  /** Stats taken before a file was read, for the entry made from what was read. */
  private readonly pending = new Map<string, BigIntStats>();
  private config = "";
  private rules: ManifestsFile["rules"];
  private changed = false;
  /** Whether a whole-tree load used it: only then does it know every file, and may be saved. */
  private used = false;
  private locator: LazyLocator | undefined;
  hits = 0;
  misses = 0;

  /** Wall clock in ns since the epoch; replaceable so that tests can read files "later". */
  readonly now: () => bigint;
  /** The filesystem's clock before the run read any file, when known (see StatCache.clockNs). */
  readonly clockNs: bigint | undefined;
  /** The folder of the cache files, where assetctl.yaml's checked form is kept too. */
  readonly dir: string | undefined;

  constructor(
    /** Repository root: cached paths are relative to it. */
    readonly root: string,
    /** Where save() writes; undefined for a cache that lives in memory only. */
    readonly file: string | undefined,
    options: { now?: () => bigint; clockNs?: bigint; data?: ManifestsFile } = {},
  ) {
    this.now = options.now ?? (() => BigInt(Date.now()) * 1_000_000n);
    this.clockNs = options.clockNs;
    this.dir = file === undefined ? undefined : path.dirname(file);
    const data = options.data;
    const current = data !== undefined && data.format === FORMAT && data.code === codeFingerprint();
    this.entries = current ? new Map(Object.entries(data.files)) : new Map();
    this.config = data?.config ?? "";
    this.rules = current ? data.rules : undefined;
  }

  /** Loads `<dir>/manifests.json`; a missing or unreadable file is an empty cache (it is only a cache). */
  static async load(root: string, dir: string, options: { now?: () => bigint; clockNs?: bigint } = {}): Promise<ManifestCache> {
    const file = path.join(dir, MANIFESTS_FILE);
    let data: ManifestsFile | undefined;
    try {
      const parsed = JSON.parse(await readFile(file, "utf8")) as ManifestsFile;
      if (typeof parsed === "object" && parsed !== null && typeof parsed.files === "object" && parsed.files !== null) data = parsed;
    } catch {
      // absent on the first run; corrupt after a crash mid-write (rename makes that unlikely): start over
    }
    return new ManifestCache(root, file, { ...options, ...(data ? { data } : {}) });
  }

  get size(): number {
    return this.entries.size;
  }

  /** Results made under other `exclude`/`kinds` settings (in canonical JSON) are forgotten. */
  useConfig(config: string): void {
    this.used = true;
    if (config === this.config) return;
    this.config = config;
    this.entries.clear();
    this.rules = undefined;
    this.changed = true;
  }

  /**
   * The identity of a set of manifests, for what is found across them: each one's file, text and the way
   * it was checked. Undefined when one of them is not described by this cache.
   */
  manifestsKey(manifests: readonly Manifest[]): string | undefined {
    const hash = createHash("sha256");
    for (const manifest of manifests) {
      const data = this.live.get(manifest.file)?.data;
      if (data?.check === undefined) return undefined;
      hash.update(`${manifest.file}\0${data.digest}\0${data.check.key}\n`);
    }
    return hash.digest("hex");
  }

  /** What the manifest rules reported for the manifests `key` names, if that is what was kept. */
  ruleFindings(key: string): Diagnostic[] | undefined {
    return this.rules?.key === key ? (JSON.parse(JSON.stringify(this.rules.diagnostics)) as Diagnostic[]) : undefined;
  }

  keepRuleFindings(key: string, diagnostics: readonly Diagnostic[]): void {
    this.rules = { key, diagnostics: JSON.parse(JSON.stringify(diagnostics)) as Diagnostic[] };
    this.changed = true;
  }

  /** Parses on behalf of lazy `locate`: given by the loader, so the cache itself never loads a parser. */
  useLocator(locator: LazyLocator): void {
    this.locator = locator;
  }

  /**
   * The cached facts of a file whose stats are unchanged, or undefined. Either way the file is stat'ed
   * now, before it is read, so that what is read next can be vouched for by these stats.
   */
  lookup(file: string): CachedFile | undefined {
    const st = lstatSync(this.abs(file), { bigint: true, throwIfNoEntry: false });
    if (!st?.isFile()) return undefined;
    const data = this.entries.get(file);
    if (data && data.key !== null && data.key === statKey(st)) {
      this.hits++;
      return this.use(file, data);
    }
    this.pending.set(file, st);
    return undefined;
  }

  /** The cached facts of a file whose stats could not vouch for it, when its text is the same. */
  lookupText(file: string, text: string): CachedFile | undefined {
    const data = this.entries.get(file);
    if (!data || data.digest !== textDigest(text)) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    const key = this.trustedKey(file);
    if (key !== data.key) {
      data.key = key;
      this.changed = true;
    }
    return this.use(file, data);
  }

  /** An entry for a file just read and found to be new, keyed by its stats when they can vouch for it. */
  fill(file: string, text: string, cls: Classification, note: Diagnostic | undefined): CachedFile {
    const data: EntryData = {
      key: this.trustedKey(file),
      digest: textDigest(text),
      cls: JSON.parse(JSON.stringify(cls)) as Classification,
      ...(note ? { note } : {}),
    };
    this.changed = true;
    return this.use(file, data);
  }

  /**
   * The stats taken before the file was read, when a later change is sure to change them: not for a file
   * written so recently that a write now could keep its timestamps (the same-timestamp race).
   */
  private trustedKey(file: string): string | null {
    const st = this.pending.get(file);
    this.pending.delete(file);
    return st === undefined || isRacy(st, this.now(), this.clockNs) ? null : statKey(st);
  }

  private use(file: string, data: EntryData): CachedFile {
    const entry = new CachedFile(this, file, data);
    this.live.set(file, entry);
    return entry;
  }

  /** The entry a file has this run (from lookup or fill). */
  entry(file: string): CachedFile | undefined {
    return this.live.get(file);
  }

  /** Whether a text is the one a file's entry was made from. */
  describes(file: string, text: string): boolean {
    return this.live.get(file)?.data.digest === textDigest(text);
  }

  /** Drops what is cached of a file whose text this run could not trust (it changed while being read). */
  forget(file: string): void {
    if (this.live.delete(file)) this.changed = true;
  }

  touch(): void {
    this.changed = true;
  }

  /**
   * The position of a key path in a cached manifest that was never asked before: the file is read and
   * parsed now, if it still is what was cached; otherwise (edited meanwhile) the start of the file.
   */
  locateLazily(entry: CachedFile, keyPath: readonly (string | number)[]): SourcePosition {
    const start: SourcePosition = { line: 1, column: 1 };
    try {
      if (!this.locator) return start;
      const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(readFileSync(this.abs(entry.file)));
      if (textDigest(text) !== entry.data.digest) return start;
      const at = this.locator(text, entry.file, keyPath);
      entry.remember(keyPath, at);
      return at;
    } catch {
      return start;
    }
  }

  /**
   * Writes the cache atomically (temporary file + rename) when anything changed: entries of the files
   * seen this run, so deleted files drop out. Never fails the command; returns whether it wrote.
   */
  async save(): Promise<boolean> {
    if (!this.file || !this.used) return false;
    if (!this.changed && this.live.size === this.entries.size) return false;
    const files: Record<string, EntryData> = {};
    for (const [file, entry] of [...this.live].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) files[file] = entry.data;
    const body: ManifestsFile = { format: FORMAT, code: codeFingerprint(), config: this.config, files, ...(this.rules ? { rules: this.rules } : {}) };
    const written = await writeFileAtomically(this.file, JSON.stringify(body));
    if (written) {
      this.entries = new Map(Object.entries(files));
      this.changed = false;
    }
    return written;
  }

  private abs(file: string): string {
    // Plain concatenation on POSIX, as the working tree does: path.join is measurable at 10,000 files.
    return path.sep === "/" ? `${this.root}/${file}` : path.join(this.root, ...file.split("/"));
  }
}

function textDigest(text: string): string {
  return hash("sha256", text, "hex");
}

/** Whether JSON gives the value back exactly: plain data, finite numbers, no -0, no undefined inside. */
export function isJsonExact(value: unknown): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object": {
      if (value === null) return true;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!(i in value) || !isJsonExact(value[i])) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) return false;
      for (const key in value) if (!isJsonExact((value as Record<string, unknown>)[key])) return false;
      return true;
    }
    default:
      return false;
  }
}

export { cachedByStats } from "../stats-memo.js";
export { codeFingerprint };
