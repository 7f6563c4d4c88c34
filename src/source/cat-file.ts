// Blob contents of a git repository through ONE long-lived `git cat-file --batch` process: requests are
// pipelined on its stdin and the answers, which come back in request order, are streamed to each caller.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";

/** Receives one blob: its size first, then its bytes in order (possibly many chunks). */
export interface BlobSink {
  size(bytes: number): void;
  data(chunk: Buffer): void;
}

export class BlobReadError extends Error {
  constructor(
    readonly oid: string,
    message: string,
  ) {
    super(message);
    this.name = "BlobReadError";
  }
}

interface Request {
  oid: string;
  sink: BlobSink;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Minimal view of a stream's handle; the child's pipes are sockets that can stop holding the event loop. */
interface Refable {
  ref?: () => void;
  unref?: () => void;
}

export class BlobReader {
  private child: ChildProcessWithoutNullStreams | undefined;
  private readonly queue: Request[] = [];
  /** Bytes of an incomplete header line. */
  private header: Buffer[] = [];
  /** Content bytes (plus the trailing LF) still owed to the head request; -1 while reading a header. */
  private remaining = -1;
  private failed: Error | undefined;

  constructor(private readonly cwd: string) {}

  /** Streams the blob `oid` into `sink`; resolves once the last byte was delivered. */
  read(oid: string, sink: BlobSink): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    const child = this.process();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ oid, sink, resolve, reject });
      if (this.queue.length === 1) this.hold(true);
      child.stdin.write(`${oid}\n`);
    });
  }

  /** Whole content of a blob, refusing more than `maxBytes`. */
  async readAll(oid: string): Promise<Buffer> {
    let out: Buffer | undefined;
    let at = 0;
    await this.read(oid, {
      size: (bytes) => {
        out = Buffer.allocUnsafe(bytes);
      },
      data: (chunk) => {
        chunk.copy(out as Buffer, at);
        at += chunk.length;
      },
    });
    return out ?? Buffer.alloc(0);
  }

  /** Ends the process; later reads start a new one. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
    child.stdin.end();
    this.hold(true);
    await exited;
  }

  private process(): ChildProcessWithoutNullStreams {
    if (this.child) return this.child;
    const child = spawn("git", ["cat-file", "--batch"], {
      cwd: this.cwd,
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, GIT_OPTIONAL_LOCKS: "0" },
    });
    this.child = child;
    this.header = [];
    this.remaining = -1;
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text: string) => {
      stderr = (stderr + text).slice(-2000);
    });
    child.stdout.on("data", (chunk: Buffer) => this.consume(chunk));
    child.on("error", (error) => this.fail(new Error(`git cat-file could not start: ${error.message}`)));
    child.on("close", (code) => {
      if (this.child === child) this.child = undefined;
      if (this.queue.length > 0) {
        this.fail(new Error(`git cat-file exited (${code ?? "signal"}) with reads pending: ${stderr.trim()}`));
      }
    });
    // Idle, the process must not keep the CLI alive; `hold` refs it again while answers are owed.
    child.unref();
    this.hold(false);
    return child;
  }

  private hold(active: boolean): void {
    const child = this.child;
    if (!child) return;
    for (const stream of [child.stdout, child.stdin, child.stderr] as unknown as Refable[]) {
      if (active) stream.ref?.();
      else stream.unref?.();
    }
  }

  private fail(error: Error): void {
    this.failed = error;
    for (const request of this.queue.splice(0)) request.reject(error);
    this.hold(false);
  }

  private consume(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      const head = this.queue[0];
      if (!head) {
        this.fail(new Error("git cat-file answered a request nobody made"));
        return;
      }
      if (this.remaining < 0) {
        const lf = chunk.indexOf(10, at);
        if (lf < 0) {
          this.header.push(chunk.subarray(at));
          return;
        }
        this.header.push(chunk.subarray(at, lf));
        const line = Buffer.concat(this.header).toString("utf8");
        this.header = [];
        at = lf + 1;
        const [oid, type, sizeText] = line.split(" ");
        if (type === "missing" || type === "ambiguous" || sizeText === undefined) {
          this.queue.shift();
          head.reject(new BlobReadError(head.oid, `git object ${oid ?? head.oid} is ${type ?? "unreadable"}`));
          this.settled();
          continue;
        }
        const size = Number(sizeText);
        if (type !== "blob") {
          // The body still arrives and must be skipped; the caller learns it asked for a non-blob.
          head.sink = { size: () => undefined, data: () => undefined };
          head.reject(new BlobReadError(head.oid, `git object ${head.oid} is a ${type}, not a blob`));
          head.reject = () => undefined;
          head.resolve = () => undefined;
        } else {
          this.deliver(head, () => head.sink.size(size));
        }
        this.remaining = size + 1;
        continue;
      }
      const take = Math.min(this.remaining, chunk.length - at);
      const contentBytes = Math.min(take, this.remaining - 1);
      if (contentBytes > 0) this.deliver(head, () => head.sink.data(chunk.subarray(at, at + contentBytes)));
      this.remaining -= take;
      at += take;
      if (this.remaining === 0) {
        this.remaining = -1;
        this.queue.shift();
        head.resolve();
        this.settled();
      }
    }
  }

  /** A sink that throws fails its own read only; the rest of its bytes are skipped to stay in step. */
  private deliver(request: Request, call: () => void): void {
    try {
      call();
    } catch (error) {
      request.sink = { size: () => undefined, data: () => undefined };
      request.reject(error instanceof Error ? error : new Error(String(error)));
      request.reject = () => undefined;
      request.resolve = () => undefined;
    }
  }

  private settled(): void {
    if (this.queue.length === 0) this.hold(false);
  }
}
