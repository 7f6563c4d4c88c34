// Addresses name assets and versions on the command line: `KIND:NAME:VERSION`, `KIND:NAME@latest`, `KIND:NAME`,
// and `KIND:NAME@ALIAS` (an alias of aliases.yaml, resolved against the registry's alias journal).
import { UserError } from "../diagnostics.js";
import { ASSET_KINDS, type AssetKind } from "../manifest/types.js";
import { addressOf } from "../registry/types.js";

export interface Address {
  kind: AssetKind;
  name: string;
  /** A version, "latest", or undefined (= latest, unless `alias` is set). */
  version: string | undefined;
  /** `@production`: the version is the one the alias names (see findVersion). */
  alias?: string;
}

export function parseAddress(text: string): Address {
  const match = /^([a-z_]+):([^:@\s]+)(?::([^:@\s]+)|@([a-z][a-z0-9_-]*))?$/.exec(text);
  const kind = match?.[1] === "components" ? "component" : match?.[1];
  if (!match || !ASSET_KINDS.includes(kind as AssetKind)) {
    throw new UserError("address-invalid", `"${text}" is not an asset address`, {
      hint: `write KIND:NAME:VERSION, KIND:NAME@latest, KIND:NAME@ALIAS or KIND:NAME, with KIND one of ${ASSET_KINDS.join(", ")}`,
    });
  }
  const at = match[4];
  if (at !== undefined && at !== "latest") return { kind: kind as AssetKind, name: match[2] as string, version: undefined, alias: at };
  return { kind: kind as AssetKind, name: match[2] as string, version: match[3] ?? at };
}

export function formatAddress(address: Address): string {
  if (address.alias !== undefined) return `${address.kind}:${address.name}@${address.alias}`;
  return address.version === undefined ? `${address.kind}:${address.name}` : addressOf({ ...address, version: address.version });
}
