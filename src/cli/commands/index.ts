// The command table: name → command.
import { applyCommand } from "./apply.js";
import type { Command } from "./command.js";
import { graphCommand } from "./graph.js";
import { initCommand } from "./init.js";
import { planCommand } from "./plan.js";
import { pullCommand } from "./pull.js";
import { diffCommand, historyCommand, listCommand, showCommand } from "./read.js";
import { forceUnlockCommand, verifyCommand } from "./registry-admin.js";
import { schemasCommand } from "./schemas.js";
import { validateCommand } from "./validate.js";
import { watchCommand } from "./watch.js";

export type { Command };

export const commands: Record<string, Command> = {
  init: initCommand,
  validate: validateCommand,
  plan: planCommand,
  apply: applyCommand,
  list: listCommand,
  show: showCommand,
  history: historyCommand,
  diff: diffCommand,
  graph: graphCommand,
  pull: pullCommand,
  verify: verifyCommand,
  "force-unlock": forceUnlockCommand,
  schemas: schemasCommand,
  watch: watchCommand,
};
