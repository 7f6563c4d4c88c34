// What each flag does, for `help COMMAND`, `COMMAND --help` and the shell completions: one line per flag,
// with the name of its value. A flag that means something else for one command is keyed `command.flag`.
import { UserError } from "../../diagnostics.js";
import type { Command, Options, Values } from "./command.js";

export interface FlagHelp {
  /** The value's name in help (`--target ADDR`); absent for a boolean flag. */
  value?: string;
  help: string;
  /** How the value is checked before the command does any work. */
  check?: "count" | "duration";
}

export const FLAG_HELP: Record<string, FlagHelp> = {
  dir: { value: "DIR", help: "the repository root (default: the nearest assetctl.yaml, else the git top level)" },
  registry: { value: "PATH|URL", help: "the registry (default: assetctl.yaml's, else .assetctl/registry in the root)" },
  json: { help: "print data as JSON (the same as --format json)" },
  format: { value: "FORMAT", help: "output format: text or json" },
  "plan.format": { value: "FORMAT", help: "output format: text, json or markdown (a pull-request comment)" },
  "validate.format": { value: "FORMAT", help: "output format: text, json or github (workflow annotations)" },
  "graph.format": { value: "FORMAT", help: "output format: dot, mermaid or json" },
  ref: { value: "REF", help: "plan from a git ref (branch, tag, commit) without checking it out" },
  target: { value: "ADDR", help: "only this asset and what it depends on (repeatable)" },
  prune: { help: "archive versions no manifest declares any more (reversible)" },
  out: { value: "FILE", help: "save the plan to FILE, to apply exactly it later" },
  "schemas.out": { value: "DIR", help: "write the JSON Schemas into DIR" },
  "detailed-exitcode": { help: "exit 2 when there are changes, 0 when there are none, 1 on errors" },
  "auto-approve": { help: "apply without asking" },
  "allow-dirty": { help: "apply from a working tree with uncommitted changes (recorded as dirty)" },
  "lock-timeout": { value: "DUR", help: "wait up to DUR (e.g. 30s, 5m) for the registry's lock", check: "duration" },
  all: { help: "include archived versions and anonymous assets" },
  "exit-code": { help: "exit 1 when the two versions differ, 0 when they do not" },
  depth: { value: "N", help: "follow at most N levels of dependencies", check: "count" },
  "all-edges": { help: "draw every edge, not only those of the latest versions" },
  up: { help: "only what the address depends on" },
  down: { help: "only what depends on the address" },
  latest: { help: "only the latest version of each dependent" },
  example: { help: "also write an example set of manifests" },
  github: { help: "also write GitHub workflows: plan as a pull-request comment, apply on merge" },
  force: { help: "overwrite files that exist" },
  "force-unlock.force": { help: "release the lock even when its owner is a live process on this host" },
  apply: { help: "apply each change as it is planned" },
  "allow-shared": { help: "allow --apply against a registry others use too" },
  debounce: { value: "MS", help: "wait this many milliseconds after the last change before planning", check: "count" },
  host: { value: "HOST", help: "the address to listen on (default: 127.0.0.1)" },
  port: { value: "N", help: "the port to listen on (default: a free one)", check: "count" },
  open: { help: "open the UI in a browser" },
  "allow-protected": { help: "also move protected aliases of aliases.yaml (the apply-on-merge workflow passes it)" },
  "no-git": { help: "apply outside a git repository: the versions record no commit" },
  repair: { help: "first put back damaged objects from working-tree files that still hash to their digest" },
  at: { value: "TIME", help: "with KIND:NAME@ALIAS: the version the alias named at TIME (an ISO date or time)" },
  "gc.apply": { help: "delete and sweep what the dry run lists (under the registry's lock)" },
  "gc.restore": { help: "bring back the trash's objects and the deleted versions whose objects are all there" },
  "gc.ref": { value: "REF", help: "the branch whose manifests are kept (default: origin/HEAD, else main, else master)" },
  "gc.format": { value: "FORMAT", help: "output format: text, json or markdown" },
  restore: { help: "bring back what was removed" },
  previous: { help: "point the alias at the version it named before" },
  to: { value: "N", help: "point the alias at version N" },
  help: { help: "show this help" },
  quiet: { help: "print only the result and errors: no headers, details, progress, hints or warnings' source lines" },
};

/** The flags main gives every command besides its own: in each command's help and completion. */
export const GLOBAL_OPTIONS = { quiet: { type: "boolean", short: "q" }, help: { type: "boolean", short: "h" } } as const satisfies Options;

export function flagHelp(command: string, flag: string): FlagHelp | undefined {
  return FLAG_HELP[`${command}.${flag}`] ?? FLAG_HELP[flag];
}

/** `Usage: …`, the description and one line per flag. */
export function commandHelp(name: string, command: Command): string {
  const rows = [...Object.entries(command.options), ...Object.entries(GLOBAL_OPTIONS)].map(([flag, option]) => {
    const help = flagHelp(name, flag);
    const value = option.type === "string" ? ` ${help?.value ?? "VALUE"}` : "";
    const short = "short" in option && option.short ? `-${option.short}, ` : "";
    return [`${short}--${flag}${value}`, help?.help ?? ""] as const;
  });
  const width = Math.max(...rows.map(([left]) => left.length));
  return [`Usage: assetctl ${name} ${command.usage}`, "", command.description, "", "Options:", ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`.trimEnd())].join("\n");
}

/** Refuses a malformed flag value (`--debounce soon`, `--lock-timeout 5 minutes`) before any work is done. */
export function checkFlagValues(command: string, values: Values): void {
  for (const [flag, value] of Object.entries(values)) {
    const help = flagHelp(command, flag);
    if (help?.check === undefined || typeof value !== "string") continue;
    if (help.check === "count" && !/^\d+$/.test(value)) {
      throw new UserError("flag-invalid", `--${flag} ${value} is not a whole number`, { hint: `write e.g. --${flag} ${flag === "port" ? "8080" : "1"}` });
    }
    if (help.check === "duration" && !/^\d+(?:\.\d+)?(ms|s|m|h)?$/.test(value.trim())) {
      throw new UserError("flag-invalid", `--${flag} ${value} is not a duration`, { hint: "write e.g. 30s, 5m, 500ms or 1h" });
    }
  }
}
