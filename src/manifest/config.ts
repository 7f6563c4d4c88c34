// The optional `assetctl.yaml` at the repository root: which files are never manifests (`exclude`), which
// files without `$schema` are (`kinds`), and where the registry is (`registry`).
import picomatch from "picomatch";
import { z } from "zod";
import { UserError, hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics.js";
import { TreeReadError, type SourceTree } from "../source/tree.js";
import { diagnostic } from "./diagnostic.js";
import { annotateIssue, issuesToDiagnostics } from "./issues.js";
import { classifySchemaName, MANAGED_SCHEMA_NAMES } from "./schema-url.js";
import type { DatastoreType } from "./schema/datastore.js";
import { didYouMean } from "./suggest.js";
import type { ManifestKind } from "./types.js";
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

export interface AssetctlConfig {
  exclude: string[];
  kinds: KindMapping[];
  registry: RegistrySetting | undefined;
}

export const DEFAULT_CONFIG: AssetctlConfig = { exclude: [], kinds: [], registry: undefined };

const MANIFEST_KINDS: readonly ManifestKind[] = [
  "model",
  "data",
  "environment",
  "command_component",
  "pipeline_component",
  "spark_component",
  "datastore",
  "pipeline_job",
  "data_import",
];

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  exclude: z.array(z.string().min(1)).default([]).meta({ description: "Globs of files that are never manifests." }),
  kinds: z
    .record(
      z.string().min(1),
      z.string().superRefine((name, ctx) => {
        if (kindFromName(name)) return;
        ctx.addIssue({
          code: "custom",
          message: `"${name}" is not a manifest kind`,
          params: { code: "schema-enum", hint: didYouMean(name, [...MANIFEST_KINDS, ...MANAGED_SCHEMA_NAMES]) ?? `one of ${MANIFEST_KINDS.join(", ")}` },
        });
      }),
    )
    .default({})
    .meta({ description: "Glob → kind, for manifests without $schema (e.g. command_component or commandComponent)." }),
  registry: z
    .union([z.string().min(1), z.strictObject({ records: z.string().min(1), objects: z.string().min(1) })])
    .optional()
    .meta({ description: "A registry directory or URL, or {records, objects} for a team registry." }),
});

/** `command_component`, or the Azure ML schema name `commandComponent` / `azureBlob`. */
function kindFromName(name: string): { kind: ManifestKind; datastoreType?: DatastoreType } | undefined {
  if ((MANIFEST_KINDS as readonly string[]).includes(name)) return { kind: name as ManifestKind };
  const cls = classifySchemaName(name);
  if (cls.class !== "managed") return undefined;
  return cls.datastoreType ? { kind: cls.kind, datastoreType: cls.datastoreType } : { kind: cls.kind };
}

/** Reads and checks assetctl.yaml; a missing file is the default configuration, a broken one diagnostics. */
export async function loadConfig(tree: SourceTree): Promise<{ config: AssetctlConfig; diagnostics: Diagnostic[] }> {
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
  const parsed = configSchema.safeParse(value, { error: annotateIssue });
  if (!parsed.success) {
    diagnostics.push(...issuesToDiagnostics(parsed.error.issues, { file: CONFIG_FILE, value, locate: yaml.locate, locateKey: yaml.locateKey }));
    return { config: DEFAULT_CONFIG, diagnostics: sortDiagnostics(diagnostics) };
  }

  const config: AssetctlConfig = { exclude: [], kinds: [], registry: parsed.data.registry };
  parsed.data.exclude.forEach((glob, i) => {
    if (checkGlob(glob, ["exclude", i], yaml.locate, diagnostics)) config.exclude.push(glob);
  });
  for (const [glob, name] of Object.entries(parsed.data.kinds)) {
    const kind = kindFromName(name);
    if (kind && checkGlob(glob, ["kinds", glob], yaml.locateKey, diagnostics)) config.kinds.push({ glob, ...kind });
  }
  return { config, diagnostics: sortDiagnostics(diagnostics) };
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
} {
  const compile = (glob: string) => picomatch(glob.endsWith("/") ? `${glob}**` : glob, { dot: true });
  const excluded = config.exclude.map(compile);
  const kinds = config.kinds.map((k) => ({ mapping: k, match: compile(k.glob) }));
  return {
    isExcluded: (file) => excluded.some((m) => m(file)),
    mappedKind: (file) => kinds.find((k) => k.match(file))?.mapping,
  };
}

/**
 * The `registry:` setting for the CLI, or undefined when assetctl.yaml has none. A team registry
 * (`{records, objects}`) is returned as its records address until the drivers take both.
 */
export async function readRegistrySetting(tree: SourceTree): Promise<string | undefined> {
  const { config, diagnostics } = await loadConfig(tree);
  if (hasErrors(diagnostics)) {
    const first = diagnostics.find((d) => d.severity === "error");
    throw new UserError("config-invalid", `${CONFIG_FILE} is invalid${first ? `: ${first.message}` : ""}`, { diagnostics });
  }
  const registry = config.registry;
  return typeof registry === "object" ? registry.records : registry;
}
