// What the aliases are at a time, from the journal of their moves: shared by plan, the read commands,
// gc and the web UI so that they agree on "which version was production then". Pure.
import { addressOf, type AliasRecord, type JournalRecord } from "./types.js";

export interface AliasState {
  kind: string;
  name: string;
  alias: string;
  version: string;
  /** When the alias last moved to this version. */
  since: string;
  serial: number;
}

/** `kind:name@alias`, the key an alias is known by. */
export function aliasKey(a: { kind: string; name: string; alias: string }): string {
  return `${a.kind}:${a.name}@${a.alias}`;
}

/** The aliases in force at `at` (ISO time; default: now), by `kind:name@alias`. */
export function aliasesAt(history: readonly AliasRecord[], at?: string): Map<string, AliasState> {
  const current = new Map<string, AliasState>();
  for (const move of [...history].sort((a, b) => a.serial - b.serial)) {
    if (at !== undefined && move.at > at) break;
    const key = aliasKey(move);
    if (move.to === null) current.delete(key);
    else current.set(key, { kind: move.kind, name: move.name, alias: move.alias, version: move.to, since: move.at, serial: move.serial });
  }
  return current;
}

/** Every version (`kind:name:version`) an alias pointed at, at any time on or after `since`. */
export function versionsAliasedSince(history: readonly AliasRecord[], since: string): Set<string> {
  const held = new Set<string>();
  for (const state of aliasesAt(history, since).values()) held.add(addressOf(state));
  for (const move of history) if (move.at >= since && move.to !== null) held.add(addressOf({ kind: move.kind, name: move.name, version: move.to }));
  return held;
}

/** The alias moves of a journal, oldest first: how every driver that journals moves answers aliasHistory(). */
export function aliasRecordsOf(journal: readonly JournalRecord[]): AliasRecord[] {
  return journal.flatMap((j) => (j.entry.op === "alias" ? [{ ...structuredClone(j.entry.move), serial: j.serial }] : []));
}

/**
 * The version an alias named before its current one: the `from` of the move that made it point where it
 * does now. Undefined when the alias was never set, or its current version is the first it held.
 */
export function previousVersion(history: readonly AliasRecord[], key: string, at?: string): string | undefined {
  const state = aliasesAt(history, at).get(key);
  if (state === undefined) return undefined;
  const move = history.find((m) => m.serial === state.serial);
  return move?.from ?? undefined;
}
