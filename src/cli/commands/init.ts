// `assetctl init [dir]`: sets a repository up for assetctl without ever overwriting a user's file.
import { appendFile, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { UserError } from "../../diagnostics.js";
import { flag, type Command } from "./command.js";

const CONFIG = `# assetctl configuration — see https://github.com/assetctl/assetctl#configuration
# Files (globs, relative to this folder) that are never read as manifests.
exclude:
  - "**/node_modules/**"
# Where the registry lives: a directory (the default below, ignored by git), or for a team
# registry: { records: postgres://…, objects: oci://host/namespace }.
# registry: .assetctl/registry
`;

const EXAMPLE_MODEL = `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json
name: example-model
description: An example model; replace it with your own.
path: ./model.pkl
type: custom_model
tags:
  owner: you
`;

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined)) !== undefined;
}

export const initCommand: Command = {
  usage: "[dir] [--force] [--example]",
  description:
    "Writes assetctl.yaml and adds .assetctl/ to .gitignore; --example also writes an example model manifest. Never overwrites an existing file unless --force.",
  options: { force: { type: "boolean" }, example: { type: "boolean" } },
  async run(values, positionals, io) {
    const dir = path.resolve(io.cwd, positionals[0] ?? ".");
    await mkdir(dir, { recursive: true });
    const force = flag(values, "force");
    const wrote: string[] = [];
    const write = async (rel: string, content: string): Promise<void> => {
      const file = path.join(dir, rel);
      if ((await exists(file)) && !force) {
        io.out(`kept     ${rel} (exists; --force replaces it)`);
        return;
      }
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
      wrote.push(rel);
      io.out(`wrote    ${rel}`);
    };
    await write("assetctl.yaml", CONFIG);
    if (flag(values, "example")) {
      await write("assets/example/model.yml", EXAMPLE_MODEL);
      await write("assets/example/model.pkl", "example model bytes\n");
    }
    const gitignore = path.join(dir, ".gitignore");
    const current = (await readFile(gitignore, "utf8").catch(() => "")) as string;
    if (!current.split(/\r?\n/).some((l) => l.trim() === ".assetctl/" || l.trim() === ".assetctl")) {
      await appendFile(gitignore, `${current && !current.endsWith("\n") ? "\n" : ""}# assetctl: the embedded registry and caches\n.assetctl/\n`);
      io.out("updated  .gitignore (.assetctl/)");
    }
    if (wrote.length === 0 && !force && (await exists(path.join(dir, "assetctl.yaml"))) === false) {
      throw new UserError("init-failed", `could not write into ${dir}`);
    }
    io.out(`\nNext: \`assetctl validate\`, then \`assetctl plan\`.`);
    return 0;
  },
};
