// No command prints a credential: for generated registry addresses with a secret in every position a
// credential can take (URL password, `password=`, `sslpassword=`, tokens, SAS `sig=`, an objects address,
// a fragment, a ~/.pgpass line, libpq keywords), and several at once, nothing any command writes —
// stdout, stderr, the saved plan file — contains the secret, whether the command succeeds or fails.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordingIo } from "../src/cli/io.test-helper.js";
import { main } from "../src/cli/main.js";
import { postgresUrl } from "../src/registry/drivers/team-servers.test-helper.js";
import { TempRepo } from "./e2e/harness.js";

// A real PostgreSQL (trust authentication: the password is ignored, so commands succeed and print the
// address) when the test servers run; otherwise a port nothing listens on, so they fail and print errors.
const server = postgresUrl ? new URL(postgresUrl) : undefined;
const host = server ? server.host : "127.0.0.1:1";
const user = server ? decodeURIComponent(server.username) || "postgres" : "writer";
const db = server ? server.pathname.slice(1) || "postgres" : "assets";

type Position = (secret: string) => string;
const POSITIONS: Record<string, Position> = {
  "URL password": (s) => `postgres://${user}:${s}@${host}/${db}`,
  "password=": (s) => `postgres://${user}@${host}/${db}?password=${s}`,
  "sslpassword=": (s) => `postgres://${user}@${host}/${db}?sslmode=disable&sslpassword=${s}`,
  "token=": (s) => `postgres://${user}@${host}/${db}?application_name=x&token=${s}`,
  "SAS sig= of the objects address": (s) => `postgres://${user}@${host}/${db}?objects=https://acct.blob.core.windows.net/c?sv=2022-11-02&sig=${s}`,
  "objects address user info": (s) => `postgres://${user}@${host}/${db}?objects=oci://bot:${s}@reg.example.com/ns`,
  "fragment token": (s) => `postgres://${user}@${host}/${db}#access_token=${s}`,
  "~/.pgpass line": (s) => `db.example:5432:assets:writer:${s}`,
  "libpq keywords": (s) => `host=127.0.0.1 port=1 password=${s}`,
};

const COMMANDS: string[][] = [["plan"], ["plan", "--json"], ["plan", "--format", "markdown"], ["list"], ["apply", "--auto-approve"], ["verify"]];

describe("no command prints a secret", () => {
  let repo: TempRepo;
  let out: string;
  beforeAll(() => {
    repo = new TempRepo({
      "assetctl.yaml": "exclude: []\n",
      "models/credit.yml": "$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\nname: credit\npath: ./credit.pkl\ntype: custom_model\n",
      "models/credit.pkl": "weights\n",
    });
    repo.commit("manifests");
    out = mkdtempSync(path.join(os.tmpdir(), "assetctl-redaction-"));
  });
  afterAll(() => {
    repo.remove();
    rmSync(out, { recursive: true, force: true });
  });

  /** Everything the commands print for `address`, given as --registry and as ASSETCTL_REGISTRY, and the plan files they save. */
  async function everythingShown(address: string): Promise<string> {
    const shown: string[] = [];
    for (const [i, args] of COMMANDS.entries()) {
      const planFile = path.join(out, `plan-${i}.json`);
      const save = args[0] === "plan" ? ["--out", planFile] : [];
      for (const how of ["flag", "env"] as const) {
        const io = recordingIo({ cwd: repo.root, env: how === "env" ? { ASSETCTL_REGISTRY: address } : {} });
        await main([...args, ...save, "--dir", repo.root, ...(how === "flag" ? ["--registry", address] : [])], io);
        shown.push(...io.lines);
        shown.push(readFileSync(planFile, { encoding: "utf8", flag: "a+" }));
        rmSync(planFile, { force: true });
      }
    }
    return shown.join("\n");
  }

  // Long enough that it cannot turn up by chance; the URL-safe punctuation is written as it is.
  const secret = fc.stringMatching(/^[A-Za-z0-9]{12}[A-Za-z0-9!*~._-]{0,6}$/).map((s) => `Zq${s}`);
  const forms = (s: string) => [s, encodeURIComponent(s)];

  it.each(Object.entries(POSITIONS))("with the secret as the %s", async (_what, position) => {
    await fc.assert(
      fc.asyncProperty(secret, async (s) => {
        const shown = await everythingShown(position(s));
        expect(shown.length).toBeGreaterThan(0);
        for (const form of forms(s)) expect(shown).not.toContain(form);
      }),
      { numRuns: 3 },
    );
  });

  it("with several secrets in one address, in every position at once", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(secret, { minLength: 4, maxLength: 4 }), async ([a = "", b = "", c = "", d = ""]) => {
        const address = `postgres://${user}:${a}@${host}/${db}?sslpassword=${b}&password=${c}&objects=https://acct.blob.core.windows.net/c?sv=1&sig=${d}`;
        const shown = await everythingShown(address);
        for (const s of [a, b, c, d]) for (const form of forms(s)) expect(shown).not.toContain(form);
      }),
      { numRuns: 3 },
    );
  });

  it("the check itself sees the address: a printed registry is there, masked", async () => {
    const shown = await everythingShown(POSITIONS["password="]?.("ZqVisibleCheck123") ?? "");
    expect(shown).toContain("password=***");
  });
});
