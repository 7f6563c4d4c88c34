// aliases.yaml at the repository root: which version each alias of an asset names (`model:churn:
// {staging: 4, production: 3}`), and the policy their moves obey. Parsed into located data; the planner
// judges the moves against the registry's alias journal (plan/alias-plan.ts).
import { hasErrors, sortDiagnostics, type Diagnostic } from "../diagnostics.js";
import { TreeReadError, type SourceTree } from "../source/tree.js";
import { decodeText } from "./decode.js";
import { diagnostic } from "./diagnostic.js";
import { annotateIssue, issuesToDiagnostics } from "./issues.js";
import { didYouMean } from "./suggest.js";
import type { AliasPolicy, DeclaredAlias, DeclaredAliases } from "../source/types.js";
import type { AssetKind, SourcePosition } from "./types.js";

export type { AliasPolicy, DeclaredAlias, DeclaredAliases };
import { MAX_FILE_BYTES, parseYaml } from "./yaml.js";

export const ALIASES_FILE = "aliases.yaml";

/** Names an alias may never take: they already mean something in an address. */
export function reservedAlias(name: string): boolean {
  return name === "latest" || name === "default" || /^v\d+$/.test(name);
}

export interface LoadedAliases {
  /** Undefined when the repository has no aliases.yaml (aliases are then not managed) or it is invalid. */
  declared: DeclaredAliases | undefined;
  diagnostics: Diagnostic[];
}

/** Reads aliases.yaml from the tree; a missing file leaves aliases unmanaged. */
export async function loadAliases(tree: SourceTree): Promise<LoadedAliases> {
  let bytes: Buffer;
  try {
    bytes = await tree.readFile(ALIASES_FILE, MAX_FILE_BYTES);
  } catch (error) {
    if (error instanceof TreeReadError && error.reason === "missing") return { declared: undefined, diagnostics: [] };
    const message = error instanceof Error ? error.message : String(error);
    return { declared: undefined, diagnostics: [diagnostic({ code: "aliases-unreadable", message, file: ALIASES_FILE })] };
  }
  const decoded = decodeText(bytes, ALIASES_FILE);
  if ("diagnostic" in decoded) return { declared: undefined, diagnostics: [decoded.diagnostic] };
  return parseAliases(decoded.text);
}

/** Parses and checks the text of aliases.yaml: every problem located, in one pass. */
export async function parseAliases(text: string, file = ALIASES_FILE): Promise<LoadedAliases> {
  const yaml = parseYaml(text, file);
  const diagnostics = yaml.diagnostics.filter((d) => d.code !== "template-placeholder");
  if (hasErrors(diagnostics)) return { declared: undefined, diagnostics };
  const value = yaml.value ?? {};
  const { aliasesSchema, soakMs, ASSET_KEY, DURATION } = await import("./aliases-schema.js");
  const parsed = aliasesSchema.safeParse(value, { error: annotateIssue });
  if (!parsed.success) {
    diagnostics.push(...issuesToDiagnostics(parsed.error.issues, { file, value, locate: yaml.locate, locateKey: yaml.locateKey }));
    return { declared: undefined, diagnostics: sortDiagnostics(diagnostics) };
  }
  const { aliases, policy } = parsed.data;
  const problem = (code: string, message: string, path: (string | number)[], hint?: string, key = true): void => {
    diagnostics.push(diagnostic({ code, message, file, at: (key ? yaml.locateKey : yaml.locate)(path), path, ...(hint === undefined ? {} : { hint }) }));
  };
  const allowed = policy.names;
  const checkName = (alias: string, path: (string | number)[]): void => {
    if (reservedAlias(alias)) {
      problem("alias-reserved", `"${alias}" is reserved: latest, default and v<N> already mean something in an address`, path, "choose another name, e.g. staging or production");
    } else if (allowed !== undefined && !allowed.includes(alias)) {
      problem("alias-name-not-allowed", `"${alias}" is not one of the alias names policy.names allows (${allowed.join(", ")})`, path, didYouMean(alias, allowed) ?? "add it to policy.names");
    }
  };
  (allowed ?? []).forEach((n, i) => checkName(n, ["policy", "names", i]));
  const seen = new Set<string>();
  policy.order.forEach((n, i) => {
    checkName(n, ["policy", "order", i]);
    if (seen.has(n)) problem("alias-order-repeated", `"${n}" appears twice in policy.order`, ["policy", "order", i]);
    seen.add(n);
  });
  for (const [n, text] of Object.entries(policy.soak)) {
    checkName(n, ["policy", "soak", n]);
    if (!DURATION.test(text)) problem("alias-soak-invalid", `"${text}" is not a soak time`, ["policy", "soak", n], "write a number and a unit: 30m, 12h, 3d or 1w", false);
    if (policy.order.indexOf(n) < 1) {
      problem("alias-soak-unordered", `policy.soak.${n} needs an alias before "${n}" in policy.order: soak is how long that alias held a version`, ["policy", "soak", n], `add ${n} after the alias it is promoted from in policy.order`);
    }
  }
  policy.protected.forEach((n, i) => checkName(n, ["policy", "protected", i]));

  const declared: DeclaredAlias[] = [];
  const assetAt: Record<string, SourcePosition> = {};
  for (const [asset, entries] of Object.entries(aliases)) {
    if (!ASSET_KEY.test(asset)) {
      problem("alias-asset-invalid", `"${asset}" is not an asset`, ["aliases", asset], "write KIND:NAME, with KIND one of model, data, environment, component, datastore");
      continue;
    }
    const colon = asset.indexOf(":");
    const kind = asset.slice(0, colon) as AssetKind;
    const name = asset.slice(colon + 1);
    assetAt[asset] = yaml.locateKey(["aliases", asset]);
    for (const [alias, version] of Object.entries(entries)) {
      checkName(alias, ["aliases", asset, alias]);
      declared.push({ kind, name, alias, version: String(version), at: yaml.locate(["aliases", asset, alias]) });
    }
  }
  const soak: Record<string, number> = {};
  for (const [n, text] of Object.entries(policy.soak)) soak[n] = soakMs(text);
  return {
    declared: hasErrors(diagnostics) ? undefined : { file, aliases: declared, policy: { names: allowed, order: policy.order, soak, protected: policy.protected }, assetAt },
    diagnostics: sortDiagnostics(diagnostics),
  };
}
