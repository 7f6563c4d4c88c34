// Rule: every reference a manifest writes is well formed for its field (an environment field takes an
// environment, a model input a model, …), and a `azureml:<name>:<version>` naming an asset this repository
// defines names a version the repository defines. Names the repository does not define are left to the
// registry, where they may well exist.
import { didYouMean } from "../suggest.js";
import type { Diagnostic } from "../../diagnostics.js";
import { assetKindOf, type AssetKind } from "../types.js";
import { displayReference, type ParsedReference, type RegistryAssetType } from "../../source/reference.js";
import { sitesOf, type Site, type SiteRole } from "../../source/spec-sites.js";
import { diagnose, keyPathText, type Finding, type RuleContext } from "./rule.js";

type Form = ParsedReference["form"];

interface RoleRules {
  /** The reference forms the field takes (a bare word is handled separately). */
  forms: ReadonlySet<Form>;
  /** What the field names, for messages: "a model". */
  what: string;
  /** How to write it, for hints. */
  write: string;
  /** The asset kind an `azureml:` reference in this field names, when it is one the repository can define. */
  kind?: AssetKind;
  /** The registry/ARM type segments that fit the field. */
  registryTypes?: ReadonlySet<string>;
}

const ROLES: Record<SiteRole, RoleRules> = {
  model: {
    forms: new Set<Form>(["asset", "arm", "registry", "datastore-path", "job-output", "mlflow-run", "storage", "local", "expression"]),
    what: "a model",
    write: "a local path, azureml:<name>:<version>, azureml://registries/<registry>/models/<name>/versions/<version>, azureml://jobs/<job>/outputs/<output>/paths/<path>, runs:/<run-id>/<path> or a storage URI",
    kind: "model",
    // A model folder and a data folder are both folders to the job that mounts them.
    registryTypes: new Set(["models", "data"]),
  },
  data: {
    forms: new Set<Form>(["asset", "arm", "registry", "datastore-path", "job-output", "storage", "local", "expression"]),
    what: "data",
    write: "a local path, azureml:<name>:<version>, azureml:<name>@latest, azureml://datastores/<datastore>/paths/<path> or a storage URI",
    kind: "data",
    registryTypes: new Set(["models", "data"]),
  },
  environment: {
    forms: new Set<Form>(["asset", "arm", "registry", "local"]),
    what: "an environment",
    write: "azureml:<name>:<version>, azureml:<name>@latest, azureml://registries/<registry>/environments/<name>/versions/<version>, file:<environment YAML> or an inline mapping with image/build",
    kind: "environment",
    registryTypes: new Set(["environments"]),
  },
  component: {
    forms: new Set<Form>(["asset", "arm", "registry", "local"]),
    what: "a component",
    write: "a local component YAML file, azureml:<name>:<version>, azureml:<name>@latest or azureml://registries/<registry>/components/<name>/versions/<version>",
    kind: "component",
    registryTypes: new Set(["components"]),
  },
  code: {
    forms: new Set<Form>(["asset", "arm", "registry", "local", "git", "storage", "datastore-path"]),
    what: "code",
    write: "a local file or folder, git+https://…, an https:// URL or azureml:<code asset>:<version>",
    registryTypes: new Set(["codes"]),
  },
  "build-context": {
    forms: new Set<Form>(["local", "storage", "git", "datastore-path"]),
    what: "a Docker build context",
    write: "a local folder with a Dockerfile, or a URL to one",
  },
  "conda-file": { forms: new Set<Form>(["local"]), what: "a conda file", write: "a path to a conda YAML file, or an inline mapping" },
  include: { forms: new Set<Form>(["local"]), what: "an additional include", write: "a local file or folder" },
  datastore: { forms: new Set<Form>(["asset", "arm"]), what: "a datastore", write: "a datastore name, as azureml:<name> or <name>", kind: "datastore" },
  output: {
    forms: new Set<Form>(["datastore-path", "storage", "expression"]),
    what: "an output location",
    write: "azureml://datastores/<datastore>/paths/<path> (with ${{name}} and ${{output_name}} if the path should vary per run) or a storage URI",
  },
};

const FORM_NAMES: Record<Form, string> = {
  asset: "a workspace asset reference",
  arm: "a long-form asset id",
  registry: "a registry asset id",
  "datastore-path": "a datastore URI",
  "job-output": "a job output URI",
  "mlflow-run": "an MLflow run URI",
  storage: "a storage URI",
  git: "a git URL",
  local: "a local path",
  expression: "an expression",
  malformed: "a malformed reference",
};

const TYPE_WORDS: Record<RegistryAssetType, string> = {
  models: "a model",
  data: "data",
  environments: "an environment",
  components: "a component",
  codes: "code",
};

/** The versions the repository declares for one kind and name. */
interface Declared {
  versions: Set<string>;
  /** Some manifest omits `version`: the registry picks one, so any version may come to exist. */
  autoVersioned: boolean;
  files: string[];
}

export function checkReferences(ctx: RuleContext): Diagnostic[] {
  const declared = new Map<string, Declared>();
  for (const m of ctx.manifests) {
    const kind = assetKindOf(m.kind);
    // Anonymous components are registered by digest, never by name: no reference can reach them.
    if (kind === undefined || m.name === undefined || m.anonymous) continue;
    const key = `${kind}:${m.name}`;
    const entry = declared.get(key) ?? { versions: new Set<string>(), autoVersioned: false, files: [] };
    if (m.version === undefined) entry.autoVersioned = true;
    else entry.versions.add(m.version);
    entry.files.push(m.file);
    declared.set(key, entry);
  }
  return ctx.manifests.flatMap((manifest) =>
    sitesOf(manifest).flatMap((site) => {
      const finding = checkSite(site, declared);
      return finding ? [diagnose(manifest, site.path, finding)] : [];
    }),
  );
}

function checkSite(site: Site, declared: Map<string, Declared>): Finding | undefined {
  const rules = ROLES[site.role];
  const label = keyPathText(site.path);
  const ref = site.reference;
  if (ref === undefined) return bareWord(site, label, rules);
  const shown = displayReference(ref.raw);
  switch (ref.form) {
    case "malformed":
      return {
        code: "reference-invalid",
        severity: "error",
        message: `${label}: ${shown} is not a valid reference: ${ref.problem}`,
        hint: `Write ${ref.expected}.`,
      };
    case "storage":
      if (!rules.forms.has("storage")) break;
      if (ref.irregular !== undefined) {
        return {
          code: "reference-invalid",
          severity: "warning",
          message: `${label}: ${shown} ${ref.irregular}`,
          hint: "Azure ML may read the account name as the container; write the documented form to be sure.",
        };
      }
      return undefined;
    case "registry":
    case "arm": {
      if (!rules.forms.has(ref.form)) break;
      const type = ref.type;
      if (rules.registryTypes !== undefined && !rules.registryTypes.has(type) && type in TYPE_WORDS) {
        return {
          code: "reference-kind-mismatch",
          severity: "error",
          message: `${label}: ${shown} names ${TYPE_WORDS[type as RegistryAssetType]}, where ${rules.what} is expected`,
          hint: `Write ${rules.write}.`,
        };
      }
      return undefined;
    }
    case "asset":
      if (!rules.forms.has("asset")) break;
      return checkAsset(site, ref, label, rules, declared);
    default:
      if (!rules.forms.has(ref.form)) break;
      return undefined;
  }
  return {
    code: "reference-kind-mismatch",
    severity: "error",
    message: `${label}: ${shown} is ${FORM_NAMES[ref.form]}, which cannot name ${rules.what}`,
    hint: `Write ${rules.write}.`,
  };
}

/** A plain word where a reference is expected: a datastore name is fine, an environment name is not. */
function bareWord(site: Site, label: string, rules: RoleRules): Finding | undefined {
  switch (site.role) {
    case "environment":
      return {
        code: "reference-invalid",
        severity: "error",
        message: `${label}: ${site.value} is neither a reference nor a file: Azure ML reads environment names only after azureml:`,
        hint: `Write azureml:${site.value}@latest, azureml:${site.value}:<version>, or file:${site.value} for an environment YAML file.`,
      };
    case "output":
      return {
        code: "reference-kind-mismatch",
        severity: "error",
        message: `${label}: ${site.value} is a local path, but a job writes its outputs to storage, not into the repository`,
        hint: `Write ${rules.write}, or leave path out to use the default datastore.`,
      };
    default:
      return undefined;
  }
}

function checkAsset(
  site: Site,
  ref: Extract<ParsedReference, { form: "asset" }>,
  label: string,
  rules: RoleRules,
  declared: Map<string, Declared>,
): Finding | undefined {
  const shown = displayReference(ref.raw);
  // A job input without a type can take a data asset or a model: look the name up as either.
  const kinds: AssetKind[] = site.role === "data" && site.assetType === undefined ? ["data", "model"] : rules.kind ? [rules.kind] : [];
  const kind = kinds.find((k) => declared.has(`${k}:${ref.name}`));
  const entry = kind === undefined ? undefined : declared.get(`${kind}:${ref.name}`);
  const known = entry === undefined ? "" : ` The repository defines it in ${entry.files.join(", ")}${entry.versions.size > 0 ? ` (version ${[...entry.versions].sort().join(", ")})` : ""}.`;
  if (site.role === "datastore") {
    if (ref.version === undefined && ref.label === undefined) return undefined;
    return {
      code: "reference-invalid",
      severity: "error",
      message: `${label}: ${shown} gives a version, but datastores are not versioned`,
      hint: `Write azureml:${ref.name}.`,
    };
  }
  if (ref.version === undefined && ref.label === undefined) {
    // Azure ML takes a bare name only for environments and components (their default version).
    if (site.role === "environment" || site.role === "component" || site.role === "code") return undefined;
    return {
      code: "reference-invalid",
      severity: "error",
      message: `${label}: ${shown} gives neither a version nor a label, which Azure ML requires for ${rules.what}`,
      hint: `Write azureml:${ref.name}:<version> or azureml:${ref.name}@latest.${known}`,
    };
  }
  if (entry === undefined && ref.label === "latest" && kinds.length > 0) {
    // The latest of a name nobody defines: only the registry could have it, and a typo is likelier.
    const names = [...declared.keys()].filter((key) => kinds.some((k) => key.startsWith(`${k}:`))).map((key) => key.slice(key.indexOf(":") + 1));
    const near = didYouMean(ref.name, names);
    const kindWord = kinds.join(" or ");
    return {
      code: "reference-undefined",
      severity: "warning",
      message: `${label}: ${shown} refers to ${kindWord} ${ref.name}, which no manifest defines; plan will look for it in the registry`,
      hint: near ?? `Define ${kindWord} ${ref.name} in a manifest, or check the name: \`assetctl list\` shows the registry's assets.`,
    };
  }
  if (entry === undefined || ref.version === undefined) return undefined;
  if (entry.versions.has(ref.version) || entry.autoVersioned) return undefined;
  const kindWord = kind ?? "asset";
  const versions = [...entry.versions].sort();
  return {
    code: "reference-unresolved",
    // An older version may well live in the registry only: plan looks there and errs if it is missing.
    severity: ref.version === "latest" ? "error" : "warning",
    message: `${label}: ${shown} names version ${ref.version}, but the repository defines ${kindWord} ${ref.name} only at version ${versions.join(", ")} (${entry.files.join(", ")})${ref.version === "latest" ? "" : "; plan will look for it in the registry"}`,
    hint:
      ref.version === "latest"
        ? `Write azureml:${ref.name}@latest: after a colon, latest is read as a version number.`
        : `Reference one of those versions or azureml:${ref.name}@latest, or define version ${ref.version}.`,
  };
}
