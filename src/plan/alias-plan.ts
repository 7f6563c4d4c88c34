// The alias part of a plan: aliases.yaml's declared aliases × the registry's alias journal → one change per
// alias that moves, appears or goes, each judged against the policy (target exists and is live, order,
// soak, protection). Pure: the time ("now") and the versions this plan creates come in as arguments.
import type { DeclaredAliases } from "../manifest/aliases.js";
import type { AssetKind } from "../manifest/types.js";
import { aliasesAt, aliasKey } from "../registry/alias-state.js";
import { addressOf, type AliasRecord } from "../registry/types.js";
import type { Diagnostic } from "../diagnostics.js";
import type { AliasChange } from "./types.js";

/** What the registry will hold at an address once this plan's versions are applied. */
export type TargetState = "live" | "archived" | "missing";

export interface AliasPlanInput {
  declared: DeclaredAliases | undefined;
  history: readonly AliasRecord[];
  target(kind: AssetKind, name: string, version: string): TargetState;
  /** ISO time the soak is measured to. */
  now: string;
  allowProtected: boolean;
  /** The commit aliases.yaml was read from, its author and subject. */
  declaredIn: { commit: string | null; author: string | null; message: string | null };
}

export function planAliases(input: AliasPlanInput): { changes: AliasChange[]; errors: Diagnostic[] } {
  const { declared } = input;
  // Without aliases.yaml, aliases are not managed from git: nothing moves, nothing is removed.
  if (declared === undefined) return { changes: [], errors: [] };
  const current = aliasesAt(input.history, input.now);
  const changes: AliasChange[] = [];
  const errors: Diagnostic[] = [];
  const seen = new Set<string>();
  const refuse = (change: AliasChange, code: string, reason: string): void => {
    change.action = "refused";
    change.reason = reason;
    change.code = code;
    errors.push({ code, severity: "error", message: `${change.address}: ${reason}`, file: declared.file, line: change.manifest?.line ?? 1, column: change.manifest?.column ?? 1 });
  };
  for (const d of declared.aliases) {
    const address = aliasKey(d);
    seen.add(address);
    const from = current.get(address)?.version ?? null;
    const change: AliasChange = {
      address,
      kind: d.kind,
      name: d.name,
      alias: d.alias,
      action: from === null ? "new" : from === d.version ? "noop" : "move",
      from,
      to: d.version,
      protected: declared.policy.protected.includes(d.alias),
      manifest: { file: declared.file, line: d.at.line, column: d.at.column },
      reason: "",
      declared_in: input.declaredIn,
    };
    changes.push(change);
    if (change.action === "noop") continue;
    const state = input.target(d.kind, d.name, d.version);
    if (state !== "live") {
      refuse(
        change,
        state === "missing" ? "alias-target-missing" : "alias-target-archived",
        state === "missing"
          ? `version ${d.version} does not exist: the registry has no ${addressOf(d)} and no manifest creates it`
          : `version ${d.version} is archived; an alias points only at a live version`,
      );
      continue;
    }
    const order = declared.policy.order;
    const position = order.indexOf(d.alias);
    const before = position > 0 ? order[position - 1] : undefined;
    if (before !== undefined) {
      const periods = heldPeriods(input.history, `${d.kind}:${d.name}@${before}`, d.version, input.now);
      const last = periods.at(-1);
      if (last === undefined) {
        refuse(change, "alias-order", `${d.alias} only takes a version ${before} has held, and ${before} never held ${d.version}`);
        continue;
      }
      const longest = Math.max(...periods.map((p) => p.ms));
      change.held = { alias: before, since: last.since, ms: last.ms };
      const soak = declared.policy.soak[d.alias];
      if (soak !== undefined && longest < soak) {
        refuse(change, "alias-soak", `${before} has held ${d.version} for ${formatSpan(longest)}; ${d.alias} takes a version only after ${formatSpan(soak)} in ${before}`);
        continue;
      }
    }
    if (change.protected && !input.allowProtected) {
      refuse(change, "alias-protected", `${d.alias} is protected: it moves only with --allow-protected (as the apply-on-merge workflow passes it)`);
    }
  }
  for (const [address, state] of current) {
    if (seen.has(address)) continue;
    const asset = `${state.kind}:${state.name}`;
    const at = declared.assetAt[asset];
    const change: AliasChange = {
      address,
      kind: state.kind as AssetKind,
      name: state.name,
      alias: state.alias,
      action: "remove",
      from: state.version,
      to: null,
      protected: declared.policy.protected.includes(state.alias),
      manifest: { file: declared.file, line: at?.line ?? 1, column: at?.column ?? 1 },
      reason: `no longer in ${declared.file}`,
      declared_in: input.declaredIn,
    };
    changes.push(change);
    if (change.protected && !input.allowProtected) {
      refuse(change, "alias-protected", `${state.alias} is protected: removing it needs --allow-protected`);
    }
  }
  changes.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return { changes, errors };
}

/** The periods `key` pointed at `version`, oldest first, each with its start and length up to `now`. */
export function heldPeriods(history: readonly AliasRecord[], key: string, version: string, now: string): { since: string; ms: number }[] {
  const periods: { since: string; ms: number }[] = [];
  let start: string | undefined;
  for (const move of [...history].sort((a, b) => a.serial - b.serial)) {
    if (move.at > now) break;
    if (aliasKey(move) !== key) continue;
    if (start !== undefined && move.to !== version) {
      periods.push({ since: start, ms: Date.parse(move.at) - Date.parse(start) });
      start = undefined;
    } else if (start === undefined && move.to === version) {
      start = move.at;
    }
  }
  if (start !== undefined) periods.push({ since: start, ms: Date.parse(now) - Date.parse(start) });
  return periods;
}

/** `3d`, `5h`, `20m`: the largest whole unit. */
export function formatSpan(ms: number): string {
  if (ms >= 86_400_000) return `${Math.floor(ms / 86_400_000)}d`;
  if (ms >= 3_600_000) return `${Math.floor(ms / 3_600_000)}h`;
  return `${Math.max(0, Math.floor(ms / 60_000))}m`;
}
