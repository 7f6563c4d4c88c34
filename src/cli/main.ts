// The CLI entry: argv → command → exit code. The one place that catches: user errors print a message
// and exit 1, anything else is reported as a bug with its stack.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { UserError } from "../diagnostics.js";
import { RegistryError } from "../registry/driver.js";
import { closest } from "../manifest/suggest.js";
import { TOOL_VERSION } from "../version.js";
import { commands, type Command } from "./commands/index.js";
import { redactingIo, type Io } from "./io.js";
import { printable } from "./render/printable.js";
import { withTerminalProgress } from "./render/progress.js";

const HELP = `assetctl ${TOOL_VERSION} — machine-learning assets as code

Usage: assetctl <command> [options]

Commands:
  init [dir]                 write assetctl.yaml and .gitignore entries (--github: CI workflows)
  validate [paths…]          check manifests: schema, files, references, expressions
  plan                       show what apply would change in the registry
  apply [PLANFILE]           create the new versions (asks first on a terminal)
  watch                      plan again on every save (--apply to apply each change)
  list [KIND]                the registry's assets and their latest versions
  show ADDR                  one version: spec, artifacts, provenance
  history ADDR               an asset's versions and updates
  diff ADDR ADDR             what differs between two versions
  graph [ADDR]               dependencies (--format dot|mermaid|json)
  pull ADDR [DEST]           write a version's files out of the registry, verified
  archive ADDR…              archive versions (reversible; journaled)
  unarchive ADDR…            restore archived versions
  gc                         delete what no retention rule keeps (dry run; --apply, --restore)
  verify                     re-hash every object and record
  lock status                who holds the registry's lock, and its ID
  force-unlock ID            free a lock whose owner is known to be gone (asks first; --force)
  schemas [--out DIR]        write the JSON Schemas for editors
  ui [--port N] [--open]     a read-only web UI: live plan, assets, versions, lineage, health
  completion bash|zsh|fish   a shell completion script
  help COMMAND               a command's usage and every flag

Common options: --dir DIR (repository root), --registry PATH|URL, --json, --no-color, --quiet (-q), --help.
Quiet: only the result (plan: its change lines and summary) and errors; warnings in one line; no
headers, details, progress or what to run next.
Colour: on for a terminal; NO_COLOR or --no-color turns it off, FORCE_COLOR turns it on in pipes.
Addresses: KIND:NAME:VERSION, KIND:NAME@latest, KIND:NAME (latest).
Exit codes: 0 success, 1 error or conflict, 2 changes present (plan, gc --detailed-exitcode).`;

export async function main(argv: string[], unredacted: Io): Promise<number> {
  // `--quiet` may come before the command too (`assetctl -q plan`), as it is global.
  let leading = 0;
  while (argv[leading] === "-q" || argv[leading] === "--quiet") leading++;
  if (leading > 0) return main(leading < argv.length ? [...argv.slice(leading), "--quiet"] : [], unredacted);
  const io = redactingIo(unredacted);
  const [name, ...rest] = argv;
  if (name === "help" && rest[0] !== undefined) return main([rest[0], "--help"], unredacted);
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    io.out(HELP);
    return name === undefined ? 1 : 0;
  }
  if (name === "--version" || name === "version") {
    io.out(TOOL_VERSION);
    return 0;
  }
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) {
    const near = closest(name, Object.keys(commands));
    io.err(`${io.errStyle.red("error")} unknown command "${printable(name)}" ${io.errStyle.dim("[usage]")}`);
    io.err(`  ${io.errStyle.cyan("hint:")} ${near ? `did you mean \`assetctl ${near}\`? ` : ""}run \`assetctl --help\` for the list`);
    return 1;
  }
  try {
    const [command, flags] = await Promise.all([load(), import("./commands/flags.js")]);
    // `--format json` is `--json` wherever a command has no formats of its own.
    const ownFormat = Object.hasOwn(command.options, "format");
    const jsonFormat = !ownFormat && Object.hasOwn(command.options, "json");
    const config: ParseArgsConfig = {
      args: rest,
      options: { ...command.options, ...(jsonFormat ? { format: { type: "string" } } : {}), ...flags.GLOBAL_OPTIONS },
      allowPositionals: true,
      strict: true,
    };
    const parsed = parseFlags(name, command, config);
    if (parsed.values["help"]) {
      io.out(flags.commandHelp(name, command));
      return 0;
    }
    const values = parsed.values as Record<string, unknown>;
    if (jsonFormat && values["format"] !== undefined) {
      if (values["format"] !== "json" && values["format"] !== "text") {
        throw new UserError("format-invalid", `--format ${String(values["format"])} is not supported here`, { hint: "use one of: text, json" });
      }
      if (values["format"] === "json") values["json"] = true;
      delete values["format"];
    }
    flags.checkFlagValues(name, values);
    const quiet = values["quiet"] === true;
    delete values["quiet"];
    const told: Io = quiet ? { ...io, quiet } : io;
    return await withTerminalProgress(told, values, (shown) => command.run(values, parsed.positionals, shown));
  } catch (error) {
    return reportError(error, io);
  }
}

/** parseArgs, with its refusals of an unknown flag or a missing value reworded for people, with a did-you-mean. */
function parseFlags(name: string, command: Command, config: ParseArgsConfig): ReturnType<typeof parseArgs> {
  try {
    return parseArgs(config);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const flagName = /'(-{1,2}[^'\s]+)'/.exec((error as Error).message)?.[1];
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && flagName !== undefined) {
      const known = Object.keys({ ...command.options, ...config.options }).map((o) => `--${o}`);
      const near = closest(flagName.split("=")[0] ?? flagName, known);
      throw new UserError("flag-unknown", `${name} has no option ${flagName}.`, {
        hint: `${near ? `did you mean ${near}? ` : ""}run \`assetctl ${name} --help\` for its options`,
      });
    }
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && flagName !== undefined) {
      throw new UserError("flag-invalid", `${name}: ${(error as Error).message.split(".")[0] ?? flagName}.`, { hint: `run \`assetctl ${name} --help\` for its options` });
    }
    throw error;
  }
}

function reportError(error: unknown, io: Io): number {
  const style = io.errStyle;
  if (error instanceof UserError) {
    io.err(`${style.red("error")} ${printable(error.message)} ${style.dim(`[${error.code}]`)}`);
    if (error.hint) io.err(`  ${style.cyan("hint:")} ${printable(error.hint)}`);
    return 1;
  }
  if (error instanceof RegistryError) {
    io.err(`${style.red("error")} ${printable(error.message)} ${style.dim(`[registry-${error.code}]`)}`);
    if (error.hint) io.err(`  ${style.cyan("hint:")} ${printable(error.hint)}`);
    return 1;
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && code.startsWith("ERR_PARSE_ARGS")) {
    io.err(`${style.red("error")} ${(error as Error).message} ${style.dim("[usage]")}`);
    io.err(`  ${style.cyan("hint:")} run \`assetctl <command> --help\``);
    return 1;
  }
  io.err(`${style.red("internal error")} — this is a bug in assetctl ${TOOL_VERSION}; please report it with the output below.`);
  io.err(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return 1;
}
