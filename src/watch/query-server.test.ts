import { spawn } from "node:child_process";
import { once } from "node:events";
import { lstat, mkdir, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { askResident, querySocketPath, serveQueries, type QueryServer } from "./query-server.js";

describe("the resident query socket", () => {
  let root: string | undefined;
  const servers: QueryServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  async function serve(code: string, answer: (q: unknown) => Promise<unknown>): Promise<QueryServer> {
    const server = await serveQueries(root as string, code, answer);
    servers.push(server);
    return server;
  }

  it("answers one JSON query, owner-only, and declines a build other than its own", async () => {
    root = await mkdtemp(path.join(tmpdir(), "assetctl-query-"));
    const server = await serve("build-a", async (q) => ({ echo: q }));
    expect(server.path).toBe(querySocketPath(root));
    expect((await stat(server.path as string)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(server.path as string))).mode & 0o777).toBe(0o700);
    expect(await askResident(root, "build-a", { kind: "x", n: 1 })).toEqual({ echo: { kind: "x", n: 1 } });
    expect(await askResident(root, "build-b", { kind: "x" })).toBeUndefined();
  });

  it("leaves the answer to the asker when the server declines, throws or is too slow", async () => {
    root = await mkdtemp(path.join(tmpdir(), "assetctl-query-"));
    await serve("c", async (q) => {
      if (q === "decline") return undefined;
      if (q === "slow") return new Promise((resolve) => setTimeout(() => resolve("late"), 500));
      throw new Error("boom");
    });
    expect(await askResident(root, "c", "decline")).toBeUndefined();
    expect(await askResident(root, "c", "throw")).toBeUndefined();
    expect(await askResident(root, "c", "slow", { answerMs: 50 })).toBeUndefined();
  });

  it("takes over a socket nobody listens on, and leaves one a live server holds", async () => {
    root = await mkdtemp(path.join(tmpdir(), "assetctl-query-"));
    const file = querySocketPath(root) as string;
    await mkdir(path.dirname(file), { recursive: true });
    // A crashed server's socket: the socket file stays, nobody listens.
    const child = spawn(process.execPath, ["-e", `require("node:net").createServer().listen(${JSON.stringify(file)}, () => console.log("up"))`]);
    await once(child.stdout, "data");
    child.kill("SIGKILL");
    await once(child, "exit");
    expect((await lstat(file)).isSocket()).toBe(true);
    expect(await askResident(root, "c", "q")).toBeUndefined();
    const first = await serve("c", async () => "first");
    expect(first.path).toBe(file);
    const second = await serve("c", async () => "second");
    expect(second.path).toBeUndefined();
    expect(await askResident(root, "c", "q")).toBe("first");
    await first.close();
    expect(await askResident(root, "c", "q")).toBeUndefined();
  });

  it("has no socket for a root too deep for a socket path", () => {
    expect(querySocketPath(`/${"d".repeat(120)}`)).toBeUndefined();
  });
});
