// Which files are manifests: every .yml/.yaml of the tree, minus `exclude`, whose `$schema` names a managed
// Azure ML schema or whose path `kinds` maps. Only the `$schema` line is looked at here, by a pattern.
import type { Diagnostic, Severity } from "../diagnostics.js";
import { TreeReadError, type SourceTree } from "../source/tree.js";
import { CONFIG_FILE, type KindMapping } from "./config.js";
import { diagnostic } from "./diagnostic.js";
import { classifySchemaUrl, MANAGED_SCHEMA_NAMES, type SchemaClass } from "./schema-url.js";
import type { DatastoreType } from "./schema/datastore.js";
import { didYouMean } from "./suggest.js";
import type { ManifestKind, SourcePosition } from "./types.js";
import { decodeText, utf16Encoding } from "./decode.js";
import { MAX_FILE_BYTES } from "./yaml.js";

export function isYamlFile(file: string): boolean {
  return /\.ya?ml$/i.test(file) && file !== CONFIG_FILE;
}

/** How much of a file's start is read to find its `$schema` when the whole file cannot be read. */
const SCHEMA_HEAD_BYTES = 4096;

/** A top-level `$schema:` key (at column 1), plain or quoted. */
const SCHEMA_KEY = /^(?:\$schema|"\$schema"|'\$schema')[ \t]*:[ \t]*(?:"([^"\n]*)"|'([^'\n]*)'|([^\s#]+))/m;
/** The editor modeline `# yaml-language-server: $schema=…`, which also says what a file is. */
const MODELINE = /^#[ \t]*yaml-language-server:[ \t]*\$schema=(\S+)/m;
/** A document written as JSON (`{"$schema": …}`), which YAML also reads. */
const JSON_SCHEMA_KEY = /^\s*\{\s*"\$schema"\s*:\s*"([^"]*)"/;

export interface SchemaDeclaration {
  url: string;
  offset: number;
}

export function declaredSchema(text: string): SchemaDeclaration | undefined {
  const key = SCHEMA_KEY.exec(text);
  if (key) return { url: key[1] ?? key[2] ?? key[3] ?? "", offset: key.index };
  const json = JSON_SCHEMA_KEY.exec(text);
  if (json) return { url: json[1] ?? "", offset: json.index };
  const modeline = MODELINE.exec(text);
  if (modeline) return { url: modeline[1] ?? "", offset: modeline.index };
  return undefined;
}

export function positionAt(text: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** What one YAML file is, as far as its `$schema` line and assetctl.yaml tell. */
export type Classification =
  | { manifest: true; kind: ManifestKind; source: "schema" | "mapping"; datastoreType?: DatastoreType }
  | { manifest: false; reason: string; schema?: SchemaClass; declaration?: SchemaDeclaration };

export function classify(text: string, mapping: KindMapping | undefined): Classification {
  const declaration = declaredSchema(text);
  const cls = declaration ? classifySchemaUrl(declaration.url) : undefined;
  if (cls?.class === "managed") {
    return cls.datastoreType
      ? { manifest: true, kind: cls.kind, source: "schema", datastoreType: cls.datastoreType }
      : { manifest: true, kind: cls.kind, source: "schema" };
  }
  if (mapping && (cls === undefined || declaration === undefined)) {
    return mapping.datastoreType
      ? { manifest: true, kind: mapping.kind, source: "mapping", datastoreType: mapping.datastoreType }
      : { manifest: true, kind: mapping.kind, source: "mapping" };
  }
  if (cls?.class === "unmanaged") {
    return { manifest: false, reason: `its $schema is the Azure ML ${cls.name} schema, which assetctl does not manage`, schema: cls, ...(declaration ? { declaration } : {}) };
  }
  if (cls?.class === "unknown") {
    return { manifest: false, reason: `its $schema names no Azure ML schema assetctl knows`, schema: cls, ...(declaration ? { declaration } : {}) };
  }
  return {
    manifest: false,
    reason: declaration ? "its $schema is not an Azure ML schema" : "it has no $schema and no kind in assetctl.yaml",
    ...(declaration ? { declaration } : {}),
  };
}

/** The warning for a `$schema` that looks like Azure ML's but names a schema assetctl does not know. */
export function unknownSchemaWarning(file: string, text: string, declaration: SchemaDeclaration, name: string): Diagnostic {
  return diagnostic({
    code: "schema-unknown",
    severity: "warning",
    message: `$schema ${declaration.url} names no Azure ML schema assetctl knows, so the file is not read as a manifest`,
    file,
    at: positionAt(text, declaration.offset),
    hint: didYouMean(name, MANAGED_SCHEMA_NAMES) ?? `assetctl manages ${MANAGED_SCHEMA_NAMES.join(", ")}`,
  });
}

/** A YAML file's text, or why it cannot be had; `severity` is how much it matters for this file. */
export async function readText(
  tree: SourceTree,
  file: string,
  severity: Severity,
): Promise<{ text: string } | { diagnostic: Diagnostic | undefined }> {
  let bytes: Buffer;
  try {
    bytes = await tree.readFile(file, MAX_FILE_BYTES);
  } catch (error) {
    // A tree that fails otherwise (a git object gone missing) makes this file unreadable, not the run fail.
    if (!(error instanceof TreeReadError)) {
      const message = `${file} cannot be read: ${error instanceof Error ? error.message : String(error)}`;
      return { diagnostic: diagnostic({ code: "file-unreadable", severity, message, file }) };
    }
    switch (error.reason) {
      case "too-large": {
        // Too large to read, yet a manifest all the same when its head says so: never skipped quietly.
        const managed = await declaresManagedSchema(tree, file);
        const level = managed ? "error" : severity;
        return {
          diagnostic: diagnostic({
            code: "file-too-large",
            severity: level,
            message: `${file} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB, the limit for a manifest${level === "warning" ? ", so it was not read" : ""}`,
            file,
            hint: managed ? "keep data out of manifests: name it by a path or a URI" : "exclude it in assetctl.yaml if it is not a manifest",
          }),
        };
      }
      case "not-a-file":
        // Symbolic links are not followed into manifests: the file they point to is read where it is.
        return {
          diagnostic:
            severity === "error"
              ? diagnostic({ code: "not-a-manifest", severity: "warning", message: `${file} is not a regular file (a symbolic link?), so it is not read as a manifest`, file })
              : undefined,
        };
      case "missing":
        return { diagnostic: severity === "error" ? diagnostic({ code: "path-not-found", message: `${file} does not exist`, file }) : undefined };
      default:
        return { diagnostic: diagnostic({ code: "file-unreadable", severity, message: error.message, file }) };
    }
  }
  const decoded = decodeText(bytes, file);
  if ("text" in decoded) return decoded;
  // A file that declares a managed schema is a manifest, broken or not.
  const declaration = declaredSchema(new TextDecoder(utf16Encoding(bytes) ?? "utf-8").decode(bytes.subarray(0, SCHEMA_HEAD_BYTES)));
  const managed = declaration !== undefined && classifySchemaUrl(declaration.url)?.class === "managed";
  return { diagnostic: { ...decoded.diagnostic, severity: managed ? "error" : severity } };
}

/** Whether the head of a file too large to read names a managed schema (false when it cannot be read). */
async function declaresManagedSchema(tree: SourceTree, file: string): Promise<boolean> {
  const head = await tree.readHead?.(file, SCHEMA_HEAD_BYTES).catch(() => undefined);
  if (head === undefined) return false;
  const declaration = declaredSchema(new TextDecoder("utf-8").decode(head));
  return declaration !== undefined && classifySchemaUrl(declaration.url)?.class === "managed";
}

