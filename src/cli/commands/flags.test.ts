// Every flag of every command is described in its help: a flag added without a line fails here.
import { describe, expect, it } from "vitest";
import { commandHelp, flagHelp } from "./flags.js";
import { commands } from "./index.js";

describe("flag help", () => {
  it("describes every flag of every command, with a value name for each flag that takes one", async () => {
    const missing: string[] = [];
    for (const [name, load] of Object.entries(commands)) {
      const command = await load();
      for (const [flag, option] of Object.entries(command.options)) {
        const help = flagHelp(name, flag);
        if (help === undefined || help.help === "" || (option.type === "string" && help.value === undefined)) missing.push(`${name} --${flag}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("lists the flags under the usage and description", async () => {
    const diff = await commands["diff"]!();
    expect(commandHelp("diff", diff)).toContain("  --exit-code          exit 1 when the two versions differ, 0 when they do not");
    expect(commandHelp("diff", diff)).toContain("  -h, --help           show this help");
    expect(commandHelp("diff", diff)).toMatch(/\n {2}-q, --quiet {10}print only the result and errors/);
  });
});
