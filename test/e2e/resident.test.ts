// The resident query server end to end: while `assetctl watch` (or `ui`) runs, `impact` and `dependents`
// are answered over .assetctl/run/query.sock, byte for byte as the one-shot commands answer them; a
// socket nobody answers, or a server that declines, leaves the command to answer on its own.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { once } from "node:events";
import { existsSync, lstatSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliPath, TempRepo } from "./harness.js";

const QUERIES = [
  ["impact", "environments/sklearn/conda.yml"],
  ["impact", "environments/sklearn/conda.yml", "--json"],
  ["impact", "components"],
  ["impact", "environment:sklearn-env", "--json"],
  ["impact", "README.md"],
  ["dependents", "environment:train-image:1"],
  ["dependents", "environment:train-image", "--depth", "1", "--json"],
  ["dependents", "environment:sklearn-env", "--latest"],
  ["dependents", "environment:sklearn-env:99"],
];

async function waitFor(test: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (test()) return;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("impact and dependents answered by a running watch", () => {
  let repo: TempRepo;
  let socket: string;
  let oneShot: { code: number; stdout: string; stderr: string }[];

  beforeAll(async () => {
    repo = await TempRepo.appliedExample();
    socket = path.join(repo.root, ".assetctl", "run", "query.sock");
    oneShot = await Promise.all(QUERIES.map((q) => repo.run(q)));
  });
  afterAll(() => repo.remove());

  it("prints the same bytes and exit codes with the resident server as without it", async () => {
    expect(existsSync(socket)).toBe(false);
    const watch: ChildProcessWithoutNullStreams = spawn(process.execPath, [cliPath, "watch", "--json"], { cwd: repo.root, env: { ...process.env, NO_COLOR: "1" } });
    try {
      await waitFor(() => existsSync(socket), "the query socket");
      expect(lstatSync(socket).mode & 0o777).toBe(0o600);
      for (const [i, q] of QUERIES.entries()) {
        const resident = await repo.run(q);
        expect({ q, ...resident }).toEqual({ q, ...oneShot[i] });
      }
      // A change the watcher saw is in the next answer.
      writeFileSync(path.join(repo.root, "components", "extra.yml"), "$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json\nname: extra_step\ncode: ./train/src\nenvironment: azureml:sklearn-env@latest\ncommand: python x.py\n");
      await sleep(300);
      const after = JSON.parse((await repo.run(["impact", "environment:sklearn-env", "--json"])).stdout) as { affected: { id: string }[] };
      expect(after.affected.map((a) => a.id)).toContain("component:extra_step");
    } finally {
      rmSync(path.join(repo.root, "components", "extra.yml"), { force: true });
      watch.kill("SIGINT");
      await once(watch, "close");
    }
    expect(existsSync(socket)).toBe(false);
  });

  it("is served by a running ui too, and gone when it stops", async () => {
    const ui: ChildProcessWithoutNullStreams = spawn(process.execPath, [cliPath, "ui", "--port", "0"], { cwd: repo.root, env: { ...process.env, NO_COLOR: "1" } });
    try {
      await waitFor(() => existsSync(socket), "the query socket");
      for (const i of [1, 6]) expect(await repo.run(QUERIES[i] as string[])).toEqual(oneShot[i]);
    } finally {
      ui.kill("SIGINT");
      await once(ui, "close");
    }
    expect(existsSync(socket)).toBe(false);
  });

  it("answers from whatever listens on the socket, and on its own when that declines or is a stale socket", async () => {
    mkdirSync(path.dirname(socket), { recursive: true });
    let answer: unknown = { ok: true, answer: { errorFiles: 0, hits: [] } };
    const seen: unknown[] = [];
    const fake = net.createServer((s) => {
      s.once("data", (d) => {
        seen.push(JSON.parse(d.toString()));
        s.end(`${JSON.stringify(answer)}\n`);
      });
    });
    await new Promise<void>((resolve) => fake.listen(socket, resolve));
    try {
      const served = await repo.run(["impact", "environments/sklearn/conda.yml"]);
      expect(served.stdout).toBe("No manifest names environments/sklearn/conda.yml: a change to it re-versions nothing.\n");
      expect(seen[0]).toMatchObject({ protocol: 1, query: { kind: "impact", target: { path: "environments/sklearn/conda.yml" } } });
      answer = { ok: false, reason: "declined" };
      expect(await repo.run(["impact", "environments/sklearn/conda.yml"])).toEqual(oneShot[0]);
    } finally {
      await new Promise((resolve) => fake.close(resolve));
    }
    // A server that crashed leaves its socket: nobody answers, and the command does not wait for it.
    const child = spawn(process.execPath, ["-e", `require("node:net").createServer().listen(${JSON.stringify(socket)}, () => console.log("up"))`]);
    await once(child.stdout, "data");
    child.kill("SIGKILL");
    await once(child, "exit");
    expect(lstatSync(socket).isSocket()).toBe(true);
    expect(await repo.run(["dependents", "environment:train-image:1"])).toEqual(oneShot[5]);
  });
});
