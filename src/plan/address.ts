// Addresses name assets and versions on the command line: `KIND:NAME:VERSION`, `KIND:NAME@latest`, `KIND:NAME`.
import { UserError } from "../diagnostics.js";
import { ASSET_KINDS, type AssetKind } from "../manifest/types.js";

export interface Address {
  kind: AssetKind;
  name: string;
  /** A version, "latest", or undefined (= latest). */
  version: string | undefined;
}

export function parseAddress(text: string): Address {
  const match = /^([a-z_]+):([^:@\s]+)(?::([^:@\s]+)|@(latest))?$/.exec(text);
  const kind = match?.[1] === "components" ? "component" : match?.[1];
  if (!match || !ASSET_KINDS.includes(kind as AssetKind)) {
    throw new UserError("address-invalid", `"${text}" is not an asset address`, {
      hint: `write KIND:NAME:VERSION, KIND:NAME@latest or KIND:NAME, with KIND one of ${ASSET_KINDS.join(", ")}`,
    });
  }
  return { kind: kind as AssetKind, name: match[2] as string, version: match[3] ?? match[4] };
}

export function formatAddress(address: Address): string {
  return address.version === undefined ? `${address.kind}:${address.name}` : `${address.kind}:${address.name}:${address.version}`;
}
