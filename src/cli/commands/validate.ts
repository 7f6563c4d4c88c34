// `assetctl validate [paths…]`: schema, file, reference and expression checks; no registry needed.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { hasErrors } from "../../diagnostics.js";
import { validateWorkTree } from "../../validate-memo.js";
import { diagnosticJson, renderDiagnosticsGithub, renderDiagnosticsText } from "../render/diagnostics.js";
import { resolveRoot } from "../context.js";
import { lineSource } from "../lines.js";
import { common, json, outputFormat, str, type Command } from "./command.js";

export const validateCommand: Command = {
  usage: "[paths…] [--dir DIR] [--json | --format text|json|github]",
  description: "Checks the manifests (all of them, or the files given) and prints every problem with its file, line and column.",
  options: { ...common, format: { type: "string" } },
  async run(values, positionals, io) {
    const format = outputFormat(values, ["text", "json", "github"]);
    const root = await resolveRoot(str(values, "dir"), io.cwd);
    const paths = positionals.map((p) => path.relative(root, path.resolve(io.cwd, p)).split(path.sep).join("/"));
    const { tree, manifests, diagnostics, lines } = await validateWorkTree(root, paths.length ? paths : undefined);
    const valid = !hasErrors(diagnostics);
    if (format === "json") {
      json(io, {
        valid,
        manifests: manifests.map((m) => ({ file: m.file, kind: m.kind, name: m.name ?? null, version: m.version ?? null })),
        errors: diagnostics.map(diagnosticJson),
      });
    } else if (format === "github") {
      if (diagnostics.length > 0) io.out(renderDiagnosticsGithub(diagnostics, await gitPrefix(root)));
    } else {
      if (diagnostics.length > 0) io.out(`${renderDiagnosticsText(diagnostics, await lineSource(tree, diagnostics, lines), io.style, { quiet: io.quiet === true })}${io.quiet ? "" : "\n"}`);
      const errors = diagnostics.filter((d) => d.severity === "error").length;
      const warnings = diagnostics.length - errors;
      io.out(
        valid
          ? `${manifests.length} manifest${manifests.length === 1 ? "" : "s"} valid${warnings ? ` (${warnings} warning${warnings === 1 ? "" : "s"})` : ""}.`
          : `${errors} error${errors === 1 ? "" : "s"}${warnings ? `, ${warnings} warning${warnings === 1 ? "" : "s"}` : ""} in ${manifests.length} manifest${manifests.length === 1 ? "" : "s"}.`,
      );
    }
    return valid ? 0 : 1;
  },
};

/** Where `root` sits below the git top level (`assets/`), or "" outside git: annotation paths start there. */
async function gitPrefix(root: string): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)("git", ["rev-parse", "--show-prefix"], { cwd: root });
    return stdout.trim();
  } catch {
    return "";
  }
}
