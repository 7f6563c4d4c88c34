// `assetctl completion bash|zsh|fish`: a completion script for the shell, made from the command table, so
// that every command and flag completes and the script never falls behind the CLI.
import { UserError } from "../../diagnostics.js";
import { flagHelp, GLOBAL_OPTIONS } from "./flags.js";
import type { Command } from "./command.js";

const SHELLS = ["bash", "zsh", "fish"] as const;
type Shell = (typeof SHELLS)[number];

export const completionCommand = (commands: Record<string, () => Promise<Command>>): Command => ({
  usage: "bash|zsh|fish",
  description:
    "Prints a completion script for the shell. bash: `source <(assetctl completion bash)`; zsh: `source <(assetctl completion zsh)`; fish: `assetctl completion fish | source`.",
  options: {},
  async run(_values, positionals, io) {
    const shell = positionals[0];
    if (!SHELLS.includes(shell as Shell)) {
      throw new UserError("flag-invalid", `completion: "${shell ?? ""}" is not a shell assetctl completes`, { hint: `use one of: ${SHELLS.join(", ")}` });
    }
    const table: [string, string[]][] = [];
    for (const [name, load] of Object.entries(commands)) table.push([name, [...Object.keys((await load()).options), ...Object.keys(GLOBAL_OPTIONS)]]);
    io.out(script(shell as Shell, table));
    return 0;
  },
});

function script(shell: Shell, table: readonly [string, string[]][]): string {
  const names = table.map(([name]) => name).join(" ");
  if (shell === "bash" || shell === "zsh") {
    const cases = table.map(([name, flags]) => `    ${name}) flags="${flags.map((f) => `--${f}`).join(" ")}" ;;`).join("\n");
    const body = [
      "_assetctl() {",
      '  local cur="${COMP_WORDS[COMP_CWORD]}" flags=""',
      "  if [ \"$COMP_CWORD\" -eq 1 ]; then",
      `    COMPREPLY=( $(compgen -W "${names} help" -- "$cur") )`,
      "    return",
      "  fi",
      '  case "${COMP_WORDS[1]}" in',
      cases,
      "  esac",
      '  if [[ "$cur" == -* ]]; then COMPREPLY=( $(compgen -W "$flags" -- "$cur") ); else COMPREPLY=( $(compgen -f -- "$cur") ); fi',
      "}",
      "complete -F _assetctl assetctl",
    ].join("\n");
    return shell === "zsh" ? `# assetctl completion for zsh\nautoload -U +X bashcompinit && bashcompinit\n${body}` : `# assetctl completion for bash\n${body}`;
  }
  const lines = ["# assetctl completion for fish", "complete -c assetctl -f"];
  for (const [name] of table) lines.push(`complete -c assetctl -n "__fish_use_subcommand" -a ${name}`);
  for (const [name, flags] of table) {
    for (const flag of flags) {
      const help = flagHelp(name, flag)?.help.replace(/'/g, "\\'") ?? "";
      lines.push(`complete -c assetctl -n "__fish_seen_subcommand_from ${name}" -l ${flag} -d '${help}'`);
    }
  }
  return lines.join("\n");
}
