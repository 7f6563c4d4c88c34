// The command table: name → a loader of its module, so that a command pays only for what it uses
// (`--version` loads nothing, `validate` no registry, only `watch` the file watcher).
import type { Command } from "./command.js";

export type { Command };

export const commands: Record<string, () => Promise<Command>> = {
  init: async () => (await import("./init.js")).initCommand,
  validate: async () => (await import("./validate.js")).validateCommand,
  plan: async () => (await import("./plan.js")).planCommand,
  apply: async () => (await import("./apply.js")).applyCommand,
  list: async () => (await import("./read.js")).listCommand,
  show: async () => (await import("./read.js")).showCommand,
  history: async () => (await import("./read.js")).historyCommand,
  diff: async () => (await import("./read.js")).diffCommand,
  graph: async () => (await import("./graph.js")).graphCommand,
  dependents: async () => (await import("./lineage.js")).dependentsCommand,
  why: async () => (await import("./lineage.js")).whyCommand,
  impact: async () => (await import("./impact.js")).impactCommand,
  pull: async () => (await import("./pull.js")).pullCommand,
  verify: async () => (await import("./registry-admin.js")).verifyCommand,
  "force-unlock": async () => (await import("./registry-admin.js")).forceUnlockCommand,
  lock: async () => (await import("./registry-admin.js")).lockCommand,
  archive: async () => (await import("./archive.js")).archiveVersionsCommand,
  gc: async () => (await import("./gc.js")).gcCommand,
  unarchive: async () => (await import("./archive.js")).unarchiveVersionsCommand,
  schemas: async () => (await import("./schemas.js")).schemasCommand,
  watch: async () => (await import("./watch.js")).watchCommand,
  ui: async () => (await import("./ui.js")).uiCommand,
  alias: async () => (await import("./alias.js")).aliasCommand,
  // Given the table rather than importing it: the scripts are made from every command's flags.
  completion: async () => (await import("./completion.js")).completionCommand(commands),
};
