// Checks one parsed manifest against its kind: the zod schema, then what zod cannot say well — naming
// rules, version text, ignored inline names (secrets are the rules' concern) — and builds the Manifest when it is valid.
import type { z } from "zod";
import type { Diagnostic } from "../diagnostics.js";
import { MAX_VERSION_LENGTH } from "../registry/validate.js";
import { diagnostic } from "./diagnostic.js";
import { annotateIssue, issuesToDiagnostics } from "./issues.js";
import { VERSION_PATTERN } from "./schema/common.js";
import { COMPONENT_NAME_PATTERN, IGNORED_COMPONENT_KEYS } from "./schema/component.js";
import { DATA_NAME_PATTERN } from "./schema/data.js";
import { DATASTORE_NAME_PATTERN, DATASTORE_TYPES, normalizeDatastoreType, type DatastoreType } from "./schema/datastore.js";
import { ENVIRONMENT_NAME_PATTERN } from "./schema/environment.js";
import { schemaOf } from "./schema/index.js";
import { MODEL_NAME_PATTERN } from "./schema/model.js";
import { JOB_NAME_PATTERN } from "./schema/pipeline-job.js";
import { didYouMean } from "./suggest.js";
import { assetKindOf, type Manifest, type ManifestKind } from "./types.js";
import { pythonNumberText } from "./version-text.js";
import { pathKey, type YamlFile } from "./yaml.js";

type Doc = Record<string, unknown>;

function isObject(value: unknown): value is Doc {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The one table of name rules, per kind. Models, environments and data may contain `.` (azure-ai-ml
 * `_schema/assets/{model,environment,data}.py` check no pattern; the `azureml` registry serves dotted names);
 * components keep azure-ai-ml's `^[a-z][a-z0-9_]*$` (`_schema/component/component.py`, ComponentNameStr).
 */
export const NAME_RULES: Record<ManifestKind, { pattern: string; rule: string }> = {
  model: { pattern: MODEL_NAME_PATTERN, rule: "letters, digits, '-', '_' and '.', starting with a letter or digit, at most 255 characters" },
  environment: { pattern: ENVIRONMENT_NAME_PATTERN, rule: "letters, digits, '-', '_' and '.', starting with a letter or digit, at most 255 characters" },
  data: { pattern: DATA_NAME_PATTERN, rule: "letters, digits, '-', '_' and '.', starting with a letter or digit, at most 255 characters" },
  data_import: { pattern: DATA_NAME_PATTERN, rule: "letters, digits, '-', '_' and '.', starting with a letter or digit, at most 255 characters" },
  command_component: { pattern: COMPONENT_NAME_PATTERN, rule: "lower-case letters, digits and '_', starting with a letter, at most 255 characters" },
  pipeline_component: { pattern: COMPONENT_NAME_PATTERN, rule: "lower-case letters, digits and '_', starting with a letter, at most 255 characters" },
  spark_component: { pattern: COMPONENT_NAME_PATTERN, rule: "lower-case letters, digits and '_', starting with a letter, at most 255 characters" },
  parallel_component: { pattern: COMPONENT_NAME_PATTERN, rule: "lower-case letters, digits and '_', starting with a letter, at most 255 characters" },
  automl_component: { pattern: COMPONENT_NAME_PATTERN, rule: "lower-case letters, digits and '_', starting with a letter, at most 255 characters" },
  datastore: { pattern: DATASTORE_NAME_PATTERN, rule: "letters, digits and '_', starting with a letter or digit, at most 255 characters" },
  pipeline_job: { pattern: JOB_NAME_PATTERN, rule: "letters, digits, '-' and '_', starting with a letter or digit, at most 255 characters" },
};

const KIND_WORDS: Record<ManifestKind, string> = {
  model: "model",
  data: "data asset",
  environment: "environment",
  command_component: "component",
  pipeline_component: "component",
  spark_component: "component",
  parallel_component: "component",
  automl_component: "component",
  datastore: "datastore",
  pipeline_job: "pipeline job",
  data_import: "data import",
};

/** The default name Azure ML gives inline environments: not worth a warning when written out. */
const ANONYMOUS_ENVIRONMENT_NAME = "CliV2AnonymousEnvironment";

export interface CheckInput {
  file: string;
  kind: ManifestKind;
  yaml: YamlFile;
  anonymous: boolean;
  /** The datastore type the `$schema` names, to warn when `type:` says otherwise. */
  declaredDatastoreType?: DatastoreType | undefined;
}

export interface CheckResult {
  manifest: Manifest | undefined;
  /** A mapping that failed its checks, as written: the semantic rules still run on it so every error shows at once. */
  unchecked?: Manifest;
  diagnostics: Diagnostic[];
}

export function checkManifest(input: CheckInput): CheckResult {
  const { file, kind, yaml, anonymous } = input;
  const value = yaml.value;
  const diagnostics: Diagnostic[] = [];
  const at = (path: readonly (string | number)[]) => yaml.locate(path);
  if (!isObject(value)) {
    diagnostics.push(
      diagnostic({ code: "schema-type", message: `a ${KIND_WORDS[kind]} manifest must be a mapping of keys, not ${value === null || value === undefined ? "empty" : Array.isArray(value) ? "a list" : "a single value"}`, file, at: at([]) }),
    );
    return { manifest: undefined, diagnostics };
  }

  let datastoreType: DatastoreType = "azure_blob";
  if (kind === "datastore") {
    const chosen = chooseDatastoreType(input, value, diagnostics);
    if (chosen === undefined) return { manifest: undefined, diagnostics };
    datastoreType = chosen;
  }
  // Conda files given where an environment belongs get Azure ML's own advice instead of "unknown key".
  const condaKeys = kind === "environment" ? ["channels", "dependencies"].filter((k) => k in value) : [];
  for (const key of condaKeys) {
    diagnostics.push(
      diagnostic({
        code: "schema-unknown-key",
        message: `"${key}" belongs in a conda file, not in an environment manifest`,
        file,
        at: yaml.locateKey([key]),
        hint: "move the packages to conda.yml and write conda_file: conda.yml",
        path: [key],
      }),
    );
  }

  const schema = kind === "datastore" ? schemaOf("datastore", anonymous, datastoreType) : schemaOf(kind, anonymous);
  const result = safeParse(schema, value);
  if (result === undefined) {
    diagnostics.push(
      diagnostic({
        code: "internal-error",
        message: `assetctl failed while checking this ${KIND_WORDS[kind]}: this is a bug in assetctl, not in the file`,
        file,
        hint: "please report it with the file attached",
      }),
    );
    return { manifest: undefined, diagnostics };
  }
  if (!result.success) {
    const converted = issuesToDiagnostics(result.error.issues, {
      file,
      value,
      locate: yaml.locate,
      locateKey: yaml.locateKey,
      placeholders: yaml.placeholders,
    });
    diagnostics.push(...converted.filter((d) => !(d.code === "schema-unknown-key" && d.path?.length === 1 && condaKeys.includes(String(d.path[0])))));
  }

  const placeholder = (path: (string | number)[]) => yaml.placeholders.has(pathKey(path));
  const name = typeof value["name"] === "string" ? value["name"] : undefined;
  if (name !== undefined && !anonymous && !placeholder(["name"]) && name !== "") {
    const rule = NAME_RULES[kind];
    if (!new RegExp(rule.pattern).test(name)) {
      diagnostics.push(
        diagnostic({
          code: "name-invalid",
          message: `"${name}" is not a valid ${KIND_WORDS[kind]} name: use ${rule.rule}`,
          file,
          at: at(["name"]),
          hint: suggestName(name, kind),
          path: ["name"],
        }),
      );
    }
  }
  const version = value["version"];
  if (typeof version === "string" && !anonymous && !placeholder(["version"])) {
    if (!new RegExp(VERSION_PATTERN).test(version) || version === "." || version === "..") {
      diagnostics.push(
        diagnostic({
          code: "version-invalid",
          message: `"${version}" is not a valid version: use letters, digits, '.', '_' and '-'`,
          file,
          at: at(["version"]),
          hint: "versions become parts of identifiers and file names, e.g. 1, 2024.05.01 or 1.2.0-rc1",
          path: ["version"],
        }),
      );
    } else if (version.length > MAX_VERSION_LENGTH) {
      diagnostics.push(
        diagnostic({
          code: "version-invalid",
          message: `version "${version.slice(0, 20)}…" is ${version.length} characters long; a version has at most ${MAX_VERSION_LENGTH}`,
          file,
          at: at(["version"]),
          hint: "versions become parts of identifiers and file names, e.g. 1, 2024.05.01 or 1.2.0-rc1",
          path: ["version"],
        }),
      );
    }
  }
  for (const number of yaml.numbersAsText) {
    if (number.path[number.path.length - 1] !== "version" || (anonymous && number.path.length === 1)) continue;
    if (isInlineEnvironmentPath(number.path)) continue;
    const python = pythonNumberText(number.text, number.value);
    if (python === number.text) continue;
    diagnostics.push(
      diagnostic({
        code: "version-float",
        severity: "warning",
        message: `version ${number.text} is written as a number: assetctl reads "${number.text}", Azure ML would register "${python}"`,
        file,
        at: at(number.path),
        hint: `quote it: version: "${number.text}"`,
        path: number.path,
      }),
    );
  }
  diagnostics.push(...inlineNameWarnings(file, kind, value, yaml), ...registryKeyWarnings(file, kind, value, yaml), ...ignoredKeyWarnings(file, kind, value, yaml), ...tagValueWarnings(file, value, yaml));

  if (!result.success || diagnostics.some((d) => d.severity === "error")) {
    // Not a manifest to plan from, but the file's other rules (paths, references) still run on it as written.
    const unchecked: Manifest = { file, kind, name, version: anonymous || typeof version !== "string" ? undefined : version, spec: value as Doc, anonymous, locate: yaml.locate };
    return { manifest: undefined, unchecked, diagnostics };
  }
  const spec = result.data as Doc;
  const manifest: Manifest = {
    file,
    kind,
    name: name ?? (typeof spec["name"] === "string" ? spec["name"] : undefined),
    version: anonymous || typeof spec["version"] !== "string" ? undefined : spec["version"],
    spec,
    anonymous,
    locate: yaml.locate,
  };
  return { manifest, diagnostics };
}

/** The schema's verdict; undefined when checking threw, which is assetctl's bug and must not end the run. */
function safeParse(schema: z.ZodType, value: unknown): z.ZodSafeParseResult<unknown> | undefined {
  try {
    return schema.safeParse(value, { error: annotateIssue });
  } catch {
    return undefined;
  }
}

function chooseDatastoreType(input: CheckInput, value: Doc, out: Diagnostic[]): DatastoreType | undefined {
  const { file, yaml } = input;
  const raw = value["type"];
  if (raw === undefined) {
    out.push(
      diagnostic({
        code: "schema-required",
        message: `missing required key "type"`,
        file,
        at: yaml.locate([]),
        hint: `a datastore's type is one of ${DATASTORE_TYPES.join(", ")}`,
      }),
    );
    return undefined;
  }
  const type = typeof raw === "string" ? normalizeDatastoreType(raw) : "";
  if (!(DATASTORE_TYPES as readonly string[]).includes(type)) {
    out.push(
      diagnostic({
        code: "schema-enum",
        message: `"type" must be one of ${DATASTORE_TYPES.join(", ")}, not ${JSON.stringify(raw)}`,
        file,
        at: yaml.locate(["type"]),
        hint: typeof raw === "string" ? didYouMean(type, DATASTORE_TYPES) : undefined,
        path: ["type"],
      }),
    );
    return undefined;
  }
  const declared = input.declaredDatastoreType;
  if (declared !== undefined && declared !== type) {
    out.push(
      diagnostic({
        code: "schema-kind-mismatch",
        severity: "warning",
        message: `$schema names the ${declared} datastore schema, but type is ${type}: read as ${type}`,
        file,
        at: yaml.locate(["type"]),
        path: ["type"],
      }),
    );
  }
  return type as DatastoreType;
}

/** Lower-cased, other characters replaced: the nearest valid component name, offered as a hint. */
function suggestName(name: string, kind: ManifestKind): string | undefined {
  if (assetKindOf(kind) !== "component") return undefined;
  const candidate = name.toLowerCase().replace(/[^a-z0-9_]/g, "_").replace(/^[^a-z]+/, "");
  return candidate && new RegExp(COMPONENT_NAME_PATTERN).test(candidate) ? `e.g. ${candidate}` : undefined;
}

function isInlineEnvironmentPath(path: readonly (string | number)[]): boolean {
  return path.includes("environment");
}

/** `name`/`version` inside an inline environment: Azure ML ignores them (with a warning), so does assetctl. */
function inlineNameWarnings(file: string, kind: ManifestKind, value: Doc, yaml: YamlFile): Diagnostic[] {
  const sites: (string | number)[][] = [];
  if (kind === "command_component" || kind === "spark_component") sites.push(["environment"]);
  if (kind === "pipeline_job" || kind === "pipeline_component") {
    const jobs = value["jobs"];
    if (isObject(jobs)) for (const name of Object.keys(jobs)) sites.push(["jobs", name, "environment"]);
  }
  const out: Diagnostic[] = [];
  for (const site of sites) {
    let env: unknown = value;
    for (const key of site) env = isObject(env) ? env[key] : undefined;
    if (!isObject(env)) continue;
    for (const key of ["name", "version"]) {
      if (env[key] === undefined || (key === "name" && env[key] === ANONYMOUS_ENVIRONMENT_NAME)) continue;
      out.push(
        diagnostic({
          code: "inline-name-ignored",
          severity: "warning",
          message: `the ${key} of an inline environment is ignored: inline environments are anonymous`,
          file,
          at: yaml.locateKey([...site, key]),
          hint: "to share a named environment, define it in its own manifest and write environment: azureml:<name>:<version>",
          path: [...site, key],
        }),
      );
    }
  }
  return out;
}

/** Registry-only camelCase keys of models that the azureml-assets publisher passes through to the registry. */
const REGISTRY_ONLY_MODEL_KEYS = ["isArchived", "variantInfo"] as const;

function registryKeyWarnings(file: string, kind: ManifestKind, value: Doc, yaml: YamlFile): Diagnostic[] {
  if (kind !== "model") return [];
  return REGISTRY_ONLY_MODEL_KEYS.filter((key) => key in value).map((key) =>
    diagnostic({
      code: "registry-only-key",
      severity: "warning",
      message: `"${key}" is a registry key azure-ai-ml's model schema does not read; it is kept in the spec, as the azureml-assets publisher passes it on${key === "isArchived" && value[key] === true ? ", and isArchived: true plans an archive of this version" : ""}`,
      file,
      at: yaml.locateKey([key]),
      path: [key],
    }),
  );
}

/** Keys Azure ML loads on a component and drops (IGNORED_COMPONENT_KEYS): a warning each, never an error. */
function ignoredKeyWarnings(file: string, kind: ManifestKind, value: Doc, yaml: YamlFile): Diagnostic[] {
  const ignored = IGNORED_COMPONENT_KEYS[kind] ?? {};
  return Object.entries(ignored)
    .filter(([key]) => key in value)
    .map(([key, hint]) =>
      diagnostic({
        code: "ignored-key",
        severity: "warning",
        message: `"${key}" is ignored on a ${kind.replace("_", " ")}: Azure ML loads it and does not register it, so it is not part of this version`,
        file,
        at: yaml.locateKey([key]),
        hint,
        path: [key],
      }),
    );
}

/** One warning per manifest whose tags hold mappings, lists, numbers or booleans: Azure ML stores text. */
function tagValueWarnings(file: string, value: Doc, yaml: YamlFile): Diagnostic[] {
  const tags = value["tags"];
  if (!isObject(tags)) return [];
  const numbers = new Set(yaml.numbersAsText.map((n) => pathKey(n.path)));
  const odd = Object.keys(tags).filter((k) => {
    const v = tags[k];
    return v !== null && typeof v !== "string" && !numbers.has(pathKey(["tags", k]));
  });
  const first = odd[0];
  if (first === undefined) return [];
  return [
    diagnostic({
      code: "tag-value-not-text",
      severity: "warning",
      message: `${odd.length} tag value${odd.length === 1 ? " is" : "s are"} not text (${odd.slice(0, 3).join(", ")}${odd.length > 3 ? ", …" : ""}): Azure ML stores tags as text, so they are stored as the publisher writes them (mappings and lists as JSON)`,
      file,
      at: yaml.locate(["tags", first]),
      path: ["tags", first],
      hint: "quote the value to say what text you mean",
    }),
  ];
}
