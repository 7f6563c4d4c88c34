// What a plan would do, asked without loading the planner (a reused plan is only printed).
import type { Plan } from "./types.js";

export function planHasChanges(p: Plan): boolean {
  const aliases = p.summary.aliases;
  const moves = aliases === undefined ? 0 : aliases.new + aliases.move + aliases.remove;
  return p.summary.create + p.summary.update + p.summary.archive + (p.summary.unarchive ?? 0) + (p.summary.adopt ?? 0) + moves > 0;
}
