// The resident query socket: while `assetctl watch` or `assetctl ui` runs, it keeps what `impact` and
// `dependents` read in memory and answers them over `.assetctl/run/query.sock` (a unix socket, owner-only),
// one JSON request and one JSON response per connection. A one-shot command asks it first and, on any
// doubt (no socket, another user's, a different build, a slow or refused answer), answers on its own.
// What a query means is the caller's: this module only carries JSON and keeps the socket safe.
import { chmod, lstat, mkdir, unlink } from "node:fs/promises";
import net from "node:net";
import path from "node:path";

/** Raised when the request or response shape changes. */
export const QUERY_PROTOCOL = 1;

/** Unix socket paths are limited (108 bytes on Linux, 104 on macOS): a deeper root has no socket. */
const MAX_SOCKET_PATH = 100;

const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export interface QueryRequest {
  protocol: number;
  /** The asking build (codeFingerprint()): a server of another build declines. */
  code: string;
  query: unknown;
}

export type QueryResponse = { ok: true; answer: unknown } | { ok: false; reason: string };

/** Where the socket of the repository at `root` is, or undefined when the path would be too long. */
export function querySocketPath(root: string): string | undefined {
  const file = path.join(root, ".assetctl", "run", "query.sock");
  return Buffer.byteLength(file) <= MAX_SOCKET_PATH && process.platform !== "win32" ? file : undefined;
}

export interface QueryServer {
  /** Undefined when no socket is served (another process serves this root, or the path is too long). */
  path: string | undefined;
  close(): Promise<void>;
}

/**
 * Serves `answer` on the root's socket. `answer` returns undefined to decline (the asker then answers
 * itself). A socket another live server listens on is left to it; one nobody listens on (a server that
 * crashed) is removed and taken over.
 */
export async function serveQueries(root: string, code: string, answer: (query: unknown) => Promise<unknown>): Promise<QueryServer> {
  const file = querySocketPath(root);
  if (file === undefined) return { path: undefined, close: async () => undefined };
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  if (await answersAt(file)) return { path: undefined, close: async () => undefined };
  await unlink(file).catch(() => undefined);

  const server = net.createServer((socket) => {
    readMessage(socket)
      .then(async (text): Promise<QueryResponse> => {
        const request = JSON.parse(text) as Partial<QueryRequest>;
        if (request.protocol !== QUERY_PROTOCOL || request.code !== code) return { ok: false, reason: "another build of assetctl" };
        const value = await answer(request.query);
        return value === undefined ? { ok: false, reason: "declined" } : { ok: true, answer: value };
      })
      .catch((error: unknown): QueryResponse => ({ ok: false, reason: error instanceof Error ? error.message : String(error) }))
      .then((response) => socket.end(`${JSON.stringify(response)}\n`))
      .catch(() => socket.destroy());
  });
  // Owner-only from the first instant: the socket is made under a umask that leaves others out.
  const umask = process.umask(0o077);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(file, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } finally {
    process.umask(umask);
  }
  await chmod(file, 0o600);
  return {
    path: file,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // The listener removes its socket on close; a crash leaves it, and the next server takes it over.
      await unlink(file).catch(() => undefined);
    },
  };
}

/** Whether a live server answers at `file` (a connection is accepted). */
async function answersAt(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(file);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function readMessage(socket: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    socket.on("data", (chunk: Buffer) => {
      const newline = chunk.indexOf(0x0a);
      chunks.push(newline < 0 ? chunk : chunk.subarray(0, newline));
      size += chunk.length;
      if (newline >= 0) resolve(Buffer.concat(chunks).toString("utf8"));
      else if (size > MAX_MESSAGE_BYTES) reject(new Error("message too large"));
    });
    socket.once("end", () => reject(new Error("no message")));
    socket.once("error", reject);
  });
}

export interface AskOptions {
  /** How long to wait for the connection (a live server accepts at once). */
  connectMs?: number;
  /** How long to wait for the answer once connected. */
  answerMs?: number;
}

/**
 * The resident answer to `query` for the repository at `root`, or undefined: no socket, not a socket of
 * this user, nobody listening, another build, declined, or too slow. Never throws.
 */
export async function askResident(root: string, code: string, query: unknown, options: AskOptions = {}): Promise<unknown> {
  const file = querySocketPath(root);
  if (file === undefined) return undefined;
  const st = await lstat(file).catch(() => undefined);
  if (!st?.isSocket() || (process.getuid !== undefined && st.uid !== process.getuid())) return undefined;
  return new Promise((resolve) => {
    const socket = net.connect(file);
    let settled = false;
    const done = (value: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    let timer = setTimeout(() => done(undefined), options.connectMs ?? 100);
    socket.once("connect", () => {
      clearTimeout(timer);
      timer = setTimeout(() => done(undefined), options.answerMs ?? 2000);
      const request: QueryRequest = { protocol: QUERY_PROTOCOL, code, query };
      socket.write(`${JSON.stringify(request)}\n`);
      readMessage(socket).then(
        (text) => {
          try {
            const response = JSON.parse(text) as QueryResponse;
            done(response.ok ? response.answer : undefined);
          } catch {
            done(undefined);
          }
        },
        () => done(undefined),
      );
    });
    socket.once("error", () => done(undefined));
  });
}
