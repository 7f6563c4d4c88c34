// The optional `assetctl.yaml` at the repository root: which files are never manifests (`exclude`), which
// files without `$schema` are (`kinds`), and where the registry is (`registry`). Its schema (zod) and the
// glob matcher load only when there is a file to check or a glob to match.
import { createRequire } from "node:module";
import path from "node:path";
import type picomatchType from "picomatch";
import { UserError, hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics.js";
import { TreeReadError, WorkTree, type SourceTree } from "../source/tree.js";
import { cachedByStats } from "../stats-memo.js";
import { diagnostic } from "./diagnostic.js";
import { annotateIssue, issuesToDiagnostics } from "./issues.js";
import type { DatastoreType } from "./schema/datastore.js";
import type { AssetKind, ManifestKind } from "./types.js";
import type { RetentionBlock } from "./config-schema.js";
import { decodeText } from "./decode.js";
import { MAX_FILE_BYTES, parseYaml } from "./yaml.js";

export const CONFIG_FILE = "assetctl.yaml";

/** A registry address, or a team registry split into a records store and an objects store. */
export type RegistrySetting = string | { records: string; objects: string };

export interface KindMapping {
  glob: string;
  kind: ManifestKind;
  datastoreType?: DatastoreType;
}

/** Where the azureml-assets layout applies: everywhere, nowhere, or to the asset.yaml files these globs match. */
export type LayoutScope = boolean | string[];

/** How many versions, and how recent, a retention rule keeps of each asset. */
export interface KeepRule {
  keepLast: number;
  /** In ms. */
  keepWithinMs: number;
}

/** What `assetctl gc` keeps (the `retention` block); durations in ms. */
export interface RetentionPolicy extends KeepRule {
  /** Rules for some kinds in place of the defaults. */
  kinds: Partial<Record<AssetKind, KeepRule>>;
  aliasHistoryMs: number;
  /** Objects stored more recently than this are never swept. */
  graceMs: number;
  trashDays: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Conservative: with no retention block, gc keeps ten versions of each asset and everything of the last month. */
export const DEFAULT_RETENTION: RetentionPolicy = { keepLast: 10, keepWithinMs: 30 * DAY_MS, kinds: {}, aliasHistoryMs: 90 * DAY_MS, graceMs: DAY_MS, trashDays: 7 };

/** `90m`, `12h`, `30d`, `2w` in ms (the schema has checked the text). */
export function retentionDurationMs(text: string): number {
  const unit = text.slice(-1);
  return Number(text.slice(0, -1)) * { m: 60_000, h: 3_600_000, d: DAY_MS, w: 7 * DAY_MS }[unit as "m" | "h" | "d" | "w"];
}

export interface AssetctlConfig {
  exclude: string[];
  kinds: KindMapping[];
  /** The azureml-assets layout (asset.yaml → spec). */
  azuremlAssets: LayoutScope;
  registry: RegistrySetting | undefined;
  /** Undefined when assetctl.yaml has no `retention` block (gc then keeps DEFAULT_RETENTION). */
  retention?: RetentionPolicy;
}

export const DEFAULT_CONFIG: AssetctlConfig = { exclude: [], kinds: [], azuremlAssets: true, registry: undefined };

let picomatchLibrary: typeof picomatchType | undefined;

function picomatch(glob: string, options?: picomatchType.PicomatchOptions): picomatchType.Matcher {
  picomatchLibrary ??= createRequire(import.meta.url)("picomatch") as typeof picomatchType;
  return picomatchLibrary(glob, options);
}

export interface LoadedConfig {
  config: AssetctlConfig;
  diagnostics: Diagnostic[];
}

/**
 * Reads and checks assetctl.yaml; a missing file is the default configuration, a broken one diagnostics.
 * With `cacheDir` (the working tree only), the checked result is kept there while the file is unchanged.
 */
export async function loadConfig(tree: SourceTree, options: { cacheDir?: string } = {}): Promise<LoadedConfig> {
  if (options.cacheDir !== undefined && tree instanceof WorkTree) {
    return cachedByStats(path.join(tree.root, CONFIG_FILE), options.cacheDir, () => readConfig(tree));
  }
  return readConfig(tree);
}

async function readConfig(tree: SourceTree): Promise<LoadedConfig> {
  let bytes: Buffer;
  try {
    bytes = await tree.readFile(CONFIG_FILE, MAX_FILE_BYTES);
  } catch (error) {
    if (error instanceof TreeReadError && error.reason === "missing") return { config: DEFAULT_CONFIG, diagnostics: [] };
    const message = error instanceof Error ? error.message : String(error);
    return { config: DEFAULT_CONFIG, diagnostics: [diagnostic({ code: "config-unreadable", message, file: CONFIG_FILE })] };
  }
  const decoded = decodeText(bytes, CONFIG_FILE);
  if ("diagnostic" in decoded) return { config: DEFAULT_CONFIG, diagnostics: [decoded.diagnostic] };
  const yaml = parseYaml(decoded.text, CONFIG_FILE);
  const diagnostics = yaml.diagnostics.filter((d) => d.code !== "template-placeholder");
  if (hasErrors(diagnostics)) return { config: DEFAULT_CONFIG, diagnostics };

  const value = yaml.value ?? {};
  const { configSchema, kindFromName } = await import("./config-schema.js");
  const parsed = configSchema.safeParse(value, { error: annotateIssue });
  if (!parsed.success) {
    diagnostics.push(...issuesToDiagnostics(parsed.error.issues, { file: CONFIG_FILE, value, locate: yaml.locate, locateKey: yaml.locateKey }));
    return { config: DEFAULT_CONFIG, diagnostics: sortDiagnostics(diagnostics) };
  }

  const config: AssetctlConfig = { exclude: [], kinds: [], azuremlAssets: true, registry: parsed.data.registry };
  const retention = parsed.data.retention;
  if (retention !== undefined) config.retention = retentionPolicy(retention);
  const layout = parsed.data.layouts["azureml-assets"];
  if (typeof layout === "boolean") config.azuremlAssets = layout;
  else config.azuremlAssets = layout.filter((glob, i) => checkGlob(glob, ["layouts", "azureml-assets", i], yaml.locate, diagnostics));
  parsed.data.exclude.forEach((glob, i) => {
    if (checkGlob(glob, ["exclude", i], yaml.locate, diagnostics)) config.exclude.push(glob);
  });
  for (const [glob, name] of Object.entries(parsed.data.kinds)) {
    const kind = kindFromName(name);
    if (kind && checkGlob(glob, ["kinds", glob], yaml.locateKey, diagnostics)) config.kinds.push({ glob, ...kind });
  }
  return { config, diagnostics: sortDiagnostics(diagnostics) };
}

function retentionPolicy(block: RetentionBlock): RetentionPolicy {
  const d = DEFAULT_RETENTION;
  const keepLast = block.keep_last ?? d.keepLast;
  const keepWithinMs = block.keep_within === undefined ? d.keepWithinMs : retentionDurationMs(block.keep_within);
  const kinds: RetentionPolicy["kinds"] = {};
  for (const [kind, rule] of Object.entries(block.kinds) as [AssetKind, { keep_last?: number | undefined; keep_within?: string | undefined } | undefined][]) {
    if (rule === undefined) continue;
    kinds[kind] = { keepLast: rule.keep_last ?? keepLast, keepWithinMs: rule.keep_within === undefined ? keepWithinMs : retentionDurationMs(rule.keep_within) };
  }
  return {
    keepLast,
    keepWithinMs,
    kinds,
    aliasHistoryMs: block.alias_history === undefined ? d.aliasHistoryMs : retentionDurationMs(block.alias_history),
    graceMs: block.grace === undefined ? d.graceMs : retentionDurationMs(block.grace),
    trashDays: block.trash_days ?? d.trashDays,
  };
}

/** The retention policy for gc: the `retention` block, else the defaults. A broken file is a user error. */
export async function readRetention(tree: SourceTree, options: { cacheDir?: string } = {}): Promise<RetentionPolicy> {
  const { config, diagnostics } = await loadConfig(tree, options);
  throwIfInvalid(diagnostics);
  return config.retention ?? DEFAULT_RETENTION;
}

function checkGlob(glob: string, path: (string | number)[], locate: (p: (string | number)[]) => { line: number; column: number }, out: Diagnostic[]): boolean {
  try {
    picomatch(glob);
    return true;
  } catch (error) {
    out.push(
      diagnostic({
        code: "config-glob-invalid",
        message: `"${glob}" is not a valid glob: ${error instanceof Error ? error.message : String(error)}`,
        file: CONFIG_FILE,
        at: locate(path),
        path,
      }),
    );
    return false;
  }
}

/** Matchers compiled once per load. A glob ending in `/` names a folder and everything below it. */
export function compileConfig(config: AssetctlConfig): {
  isExcluded: (file: string) => boolean;
  mappedKind: (file: string) => KindMapping | undefined;
  /** Whether the azureml-assets layout reads this asset.yaml. */
  inLayout: (file: string) => boolean;
} {
  const compile = (glob: string) => picomatch(glob.endsWith("/") ? `${glob}**` : glob, { dot: true });
  const excluded = anyOf(config.exclude.map((glob) => (glob.endsWith("/") ? `${glob}**` : glob)));
  const kinds = config.kinds.map((k) => ({ mapping: k, match: compile(k.glob) }));
  const layout = config.azuremlAssets;
  const layoutGlobs = typeof layout === "boolean" ? undefined : layout.map(compile);
  return {
    inLayout: (file) => (layoutGlobs ? layoutGlobs.some((m) => m(file)) : layout === true),
    isExcluded: excluded,
    mappedKind: (file) => kinds.find((k) => k.match(file))?.mapping,
  };
}

/**
 * One test for a list of globs: their expressions joined into one, so that a long exclude list costs one
 * match per file, not one per glob (the tree walk asks for every file).
 */
function anyOf(globs: readonly string[]): (file: string) => boolean {
  if (globs.length === 0) return () => false;
  picomatchLibrary ??= createRequire(import.meta.url)("picomatch") as typeof picomatchType;
  const expressions = globs.map((glob) => picomatchLibrary!.makeRe(glob, { dot: true }));
  if (expressions.some((re) => re.flags !== "")) {
    const matchers = globs.map((glob) => picomatch(glob, { dot: true }));
    return (file) => matchers.some((m) => m(file));
  }
  const joined = new RegExp(expressions.map((re) => `(?:${re.source})`).join("|"));
  // As picomatch's own matcher: a glob also matches the one path spelled exactly like it.
  const literal = new Set(globs);
  return (file) => literal.has(file) || joined.test(file);
}

/** The `registry:` setting for the CLI, or undefined when assetctl.yaml has none. */
export async function readRegistrySetting(tree: SourceTree, options: { cacheDir?: string } = {}): Promise<RegistrySetting | undefined> {
  const { config, diagnostics } = await loadConfig(tree, options);
  throwIfInvalid(diagnostics);
  return config.registry;
}

function throwIfInvalid(diagnostics: Diagnostic[]): void {
  if (!hasErrors(diagnostics)) return;
  const first = diagnostics.find((d) => d.severity === "error");
  // Located like every other diagnostic, since commands that need the registry stop here.
  const where = first && first.line > 0 ? `${CONFIG_FILE}:${first.line}:${first.column}: ` : "";
  throw new UserError("config-invalid", `${where}${CONFIG_FILE} is invalid${first ? `: ${first.message}` : ""}`, { diagnostics });
}
