// What the UI reads: the registry (opened once, its snapshot kept while its state token stays the same),
// the asset rows of the list page, and who wrote a commit (asked of git, one process per page).
import { spawn } from "node:child_process";
import { UserError } from "../diagnostics.js";
import type { AssetKind } from "../manifest/types.js";
import { registrySpec } from "../cli/context.js";
import { RegistryError, type RegistryDriver } from "../registry/driver.js";
import { MemoryDriver } from "../registry/drivers/memory.js";
import { openRegistry, redact, registryDriver } from "../registry/open.js";
import { latestOf, versionsByAsset } from "../registry/query.js";
import { aliasesAt, type AliasState } from "../registry/alias-state.js";
import type { AliasRecord, LockInfo, RegistrySnapshot, StoredVersion } from "../registry/types.js";

export type RegistryStatus =
  | { state: "ready"; url: string; driver: RegistryDriver }
  | { state: "missing"; url: string }
  | { state: "unreadable"; url: string; code: string; message: string; hint: string | undefined };

/** Opens the registry when first asked, and again after it was missing or unreadable (apply may create it). */
export class RegistryAccess {
  private driver: RegistryDriver | undefined;
  private kept: { token: string; snapshot: RegistrySnapshot } | undefined;
  private keptAliases: { token: string; history: AliasRecord[] } | undefined;

  constructor(
    private readonly root: string,
    private readonly flag: string | undefined,
    private readonly env: NodeJS.ProcessEnv,
    /** For tests and benchmarks: a driver already open. */
    driver?: RegistryDriver,
  ) {
    this.driver = driver;
  }

  async status(): Promise<RegistryStatus> {
    if (this.driver) return { state: "ready", url: this.driver.url, driver: this.driver };
    let url = "(unknown)";
    try {
      const spec = await registrySpec(this.root, this.flag, this.env);
      url = redact(spec);
      this.driver = await openRegistry(spec, { repoRoot: this.root, create: false });
      return { state: "ready", url: this.driver.url, driver: this.driver };
    } catch (error) {
      if (error instanceof RegistryError && error.code === "not-found") return { state: "missing", url };
      if (error instanceof RegistryError || error instanceof UserError) {
        return { state: "unreadable", url, code: error instanceof RegistryError ? error.code : error.code, message: error.message, hint: error.hint };
      }
      throw error;
    }
  }

  /** The registry a plan is made against: the real one, or an empty one named like it while there is none. */
  async forPlan(): Promise<RegistryDriver | undefined> {
    const status = await this.status();
    if (status.state === "ready") return status.driver;
    if (status.state === "unreadable") return undefined;
    const spec = await registrySpec(this.root, this.flag, this.env);
    const empty = new MemoryDriver({ url: (await registryDriver(spec, this.root)).url });
    await empty.open({ create: true });
    return empty;
  }

  /** The snapshot, reused while the driver's state token says nothing changed. */
  async snapshot(driver: RegistryDriver): Promise<RegistrySnapshot> {
    const token = await driver.stateToken?.();
    if (token !== undefined && this.kept?.token === token) return this.kept.snapshot;
    const snapshot = await driver.snapshot();
    this.kept = token === undefined ? undefined : { token, snapshot };
    return snapshot;
  }

  /** The journal of alias moves (empty for a driver without aliases), reused like the snapshot. */
  async aliasHistory(driver: RegistryDriver): Promise<AliasRecord[]> {
    if (driver.aliasHistory === undefined) return [];
    const token = await driver.stateToken?.();
    if (token !== undefined && this.keptAliases?.token === token) return this.keptAliases.history;
    const history = await driver.aliasHistory();
    this.keptAliases = token === undefined ? undefined : { token, history };
    return history;
  }

  async lock(driver: RegistryDriver): Promise<LockInfo | undefined> {
    return driver.currentLock();
  }

  async close(): Promise<void> {
    await this.driver?.close();
    this.driver = undefined;
  }
}

export interface AssetRow {
  kind: AssetKind;
  name: string;
  latest: StoredVersion;
  versions: number;
  archived: boolean;
}

const rowsBySnapshot = new WeakMap<RegistrySnapshot, AssetRow[]>();

/** One row per named asset: its latest live version (or latest, when all are archived) and its count. */
export function assetRows(snapshot: RegistrySnapshot): AssetRow[] {
  const kept = rowsBySnapshot.get(snapshot);
  if (kept) return kept;
  const rows: AssetRow[] = [];
  for (const list of versionsByAsset(snapshot.versions).values()) {
    const { version: shown, live } = latestOf(list) as { version: StoredVersion; live: boolean };
    rows.push({ kind: shown.record.kind, name: shown.record.name, latest: shown, versions: list.length, archived: !live });
  }
  rowsBySnapshot.set(snapshot, rows);
  return rows;
}

/** The aliases in force now, by asset (`kind:name`), each asset's sorted by alias name. */
export function aliasesByAsset(history: readonly AliasRecord[]): Map<string, AliasState[]> {
  const out = new Map<string, AliasState[]>();
  for (const state of aliasesAt(history).values()) {
    const key = `${state.kind}:${state.name}`;
    const list = out.get(key);
    if (list) list.push(state);
    else out.set(key, [state]);
  }
  for (const list of out.values()) list.sort((a, b) => (a.alias < b.alias ? -1 : 1));
  return out;
}

export type SortKey = "name" | "kind" | "versions" | "created";

export interface AssetQuery {
  q: string;
  kind: string;
  sort: SortKey;
  desc: boolean;
  page: number;
  perPage: number;
}

export function queryAssets(rows: readonly AssetRow[], query: AssetQuery): { total: number; rows: AssetRow[] } {
  const q = query.q.trim().toLowerCase();
  const matching = rows.filter(
    (r) =>
      (query.kind === "" || r.kind === query.kind) &&
      (q === "" || r.name.toLowerCase().includes(q) || (r.latest.record.provenance.commit ?? "").startsWith(q) || r.latest.record.provenance.manifest.toLowerCase().includes(q)),
  );
  const compare: Record<SortKey, (a: AssetRow, b: AssetRow) => number> = {
    name: (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.kind < b.kind ? -1 : 1),
    kind: (a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : compare.name(a, b)),
    versions: (a, b) => a.versions - b.versions || compare.name(a, b),
    created: (a, b) => a.latest.record.created_at.localeCompare(b.latest.record.created_at) || compare.name(a, b),
  };
  const sorted = matching.sort(compare[query.sort]);
  if (query.desc) sorted.reverse();
  const start = (query.page - 1) * query.perPage;
  return { total: matching.length, rows: sorted.slice(start, start + query.perPage) };
}

export interface CommitInfo {
  author: string;
  subject: string;
}

/** Authors and subjects of commits, asked of git once each (`git cat-file --batch`: unknown commits are skipped). */
export class CommitLog {
  private readonly known = new Map<string, CommitInfo | null>();

  constructor(private readonly root: string) {}

  async lookup(commits: readonly (string | null)[]): Promise<Map<string, CommitInfo>> {
    const wanted = [...new Set(commits.filter((c): c is string => c !== null && /^[0-9a-f]{7,64}$/.test(c) && !this.known.has(c)))];
    if (wanted.length > 0) {
      const found = await catCommits(this.root, wanted).catch(() => new Map<string, CommitInfo>());
      for (const c of wanted) this.known.set(c, found.get(c) ?? null);
    }
    const out = new Map<string, CommitInfo>();
    for (const c of commits) {
      const info = c === null ? undefined : this.known.get(c);
      if (c !== null && info) out.set(c, info);
    }
    return out;
  }
}

function catCommits(root: string, commits: readonly string[]): Promise<Map<string, CommitInfo>> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["cat-file", "--batch"], { cwd: root, stdio: ["pipe", "pipe", "ignore"] });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.on("error", reject);
    child.on("close", () => resolve(parseBatch(Buffer.concat(chunks))));
    child.stdin.end(commits.join("\n") + "\n");
  });
}

/** `<sha> commit <size>\n<body>\n` per found object, `<name> missing\n` otherwise. */
function parseBatch(out: Buffer): Map<string, CommitInfo> {
  const found = new Map<string, CommitInfo>();
  let at = 0;
  while (at < out.length) {
    const eol = out.indexOf(10, at);
    if (eol < 0) break;
    const header = out.subarray(at, eol).toString("utf8").split(" ");
    at = eol + 1;
    if (header.length !== 3) continue;
    const size = Number(header[2]);
    const body = out.subarray(at, at + size).toString("utf8");
    at += size + 1;
    if (header[1] !== "commit") continue;
    const [head = "", ...message] = body.split("\n\n");
    const author = /^author (.*) <[^>]*> \d+ [+-]\d{4}$/m.exec(head)?.[1] ?? "";
    found.set(header[0] as string, { author, subject: message.join("\n\n").split("\n")[0] ?? "" });
  }
  return found;
}
