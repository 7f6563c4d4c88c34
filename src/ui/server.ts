// `assetctl ui`'s server: the app behind @hono/node-server, on 127.0.0.1 unless told otherwise, with a
// fresh random token per run. Loaded only by the `ui` command, so no other command pays for it.
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { createUiApp } from "./app.js";
import { LivePlan } from "./live.js";
import { CommitLog, RegistryAccess } from "./model.js";
import { allowedHosts } from "./security.js";

export interface ServeOptions {
  root: string;
  /** `--registry`, when given. */
  registry: string | undefined;
  env: NodeJS.ProcessEnv;
  host: string;
  /** 0 picks a free port. */
  port: number;
  onError?: (error: unknown) => void;
}

export interface RunningUi {
  /** The address to open, with this run's token. */
  url: string;
  close(): Promise<void>;
}

export async function startUi(options: ServeOptions): Promise<RunningUi> {
  const registry = new RegistryAccess(options.root, options.registry, options.env);
  const live = new LivePlan(options.root, registry);
  const token = randomBytes(24).toString("base64url");
  let hosts: string[] = [];
  let cookie = "assetctl_ui";
  const guard = {
    get hosts() {
      return hosts;
    },
    token,
    get cookie() {
      return cookie;
    },
  };
  const app = createUiApp({
    root: options.root,
    registry,
    live,
    commits: new CommitLog(options.root),
    editor: options.env["ASSETCTL_EDITOR_URL"],
    guard,
    ...(options.onError ? { onError: options.onError } : {}),
  });
  // The first plan is made before the address is printed, so the first page shows it at once.
  const started = live.start().catch((error: unknown) => options.onError?.(error));
  const server: ServerType = await new Promise((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, () => resolve(s));
    s.once("error", reject);
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(options.host, port);
  cookie = `assetctl_ui_${port}`;
  await started;
  const shown = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${shown}:${port}/?token=${token}`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Open event streams would keep close() waiting for ever.
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await live.close();
      await registry.close();
    },
  };
}
