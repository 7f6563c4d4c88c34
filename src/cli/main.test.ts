import { describe, expect, it } from "vitest";
import { recordingIo } from "./io.test-helper.js";
import { main } from "./main.js";

describe("the command line's own mistakes", () => {
  it("an unknown command gets a did-you-mean", async () => {
    const io = recordingIo();
    expect(await main(["plna"], io)).toBe(1);
    expect(io.lines).toEqual(['error unknown command "plna" [usage]', "  hint: did you mean `assetctl plan`? run `assetctl --help` for the list"]);
  });

  it("an unknown flag gets a did-you-mean and none of the parser's own wording", async () => {
    const io = recordingIo();
    expect(await main(["apply", "--lock-timout", "5s"], io)).toBe(1);
    expect(io.lines).toEqual(["error apply has no option --lock-timout. [flag-unknown]", "  hint: did you mean --lock-timeout? run `assetctl apply --help` for its options"]);
    const far = recordingIo();
    expect(await main(["plan", "--frobnicate"], far)).toBe(1);
    expect(far.lines.join("\n")).not.toContain("positional argument");
    expect(far.lines).toContain("  hint: run `assetctl plan --help` for its options");
  });

  it("the global flags are known to every command's did-you-mean; a lone -q is no command", async () => {
    const io = recordingIo();
    expect(await main(["schemas", "--quite"], io)).toBe(1);
    expect(io.lines[1]).toContain("did you mean --quiet?");
    const lone = recordingIo();
    expect(await main(["-q"], lone)).toBe(1);
    expect(lone.lines[0]).toMatch(/^assetctl .* — machine-learning assets as code/);
  });
});
