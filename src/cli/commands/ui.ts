// `assetctl ui [--port N] [--host H] [--open]`: serves the read-only web UI until Ctrl-C. The server and
// its libraries load only here, so no other command pays for them.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { UserError } from "../../diagnostics.js";
import { resolveRoot } from "../context.js";
import { common, flag, str, type Command } from "./command.js";

const DEFAULT_PORT = 4848;

function browserCommand(): [string, string[]] {
  if (process.platform === "darwin") return ["open", []];
  if (process.platform === "win32") return ["cmd", ["/c", "start", ""]];
  return ["xdg-open", []];
}

export const uiCommand: Command = {
  usage: "[--port N] [--host H] [--open]",
  description:
    "Serves a read-only web UI: the live plan, the assets and their versions, comparisons, lineage and health. Listens on 127.0.0.1 unless --host is given; the printed address carries this run's token. Ctrl-C stops.",
  options: { ...common, port: { type: "string" }, host: { type: "string" }, open: { type: "boolean" } },
  async run(values, _positionals, io) {
    const portText = str(values, "port") ?? String(DEFAULT_PORT);
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) throw new UserError("port-invalid", `--port ${portText} is not a port number`, { hint: "use 1-65535, or 0 for any free port" });
    const host = str(values, "host") ?? "127.0.0.1";
    const root = await resolveRoot(str(values, "dir"), io.cwd);
    const { startUi } = await import("../../ui/server.js");
    const ui = await startUi({
      root,
      registry: str(values, "registry"),
      env: io.env,
      host,
      port,
      onError: (error) => io.err(`${io.errStyle.red("error")} assetctl ui: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
    }).catch((error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EADDRINUSE") throw new UserError("port-in-use", `Port ${port} on ${host} is in use.`, { hint: "pass --port with another number, or --port 0 for any free one" });
      if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") throw new UserError("host-invalid", `Cannot listen on ${host}.`, { hint: "use an address of this machine, e.g. 127.0.0.1" });
      throw error;
    });
    // `impact` and `dependents` are answered from memory while this runs (lineage-resident.ts).
    const { serveResidentQueries } = await import("./lineage-resident.js");
    const resident = await serveResidentQueries(root, io.env, { ownWatcher: true });
    io.out(`assetctl ui is serving ${root}`);
    (io.reveal ?? io.out)(`Open ${ui.url}`);
    if (host !== "127.0.0.1" && host !== "::1" && host !== "localhost") io.err(io.errStyle.yellow(`warning: listening on ${host}: anyone who can reach it and has the address above can read the registry.`));
    io.out(io.style.dim("Ctrl-C stops."));
    if (flag(values, "open")) {
      const [command, args] = browserCommand();
      const child = spawn(command, [...args, ui.url], { stdio: "ignore", detached: true });
      child.on("error", () => io.err(`Could not start a browser (${command}); open the address above.`));
      child.unref();
    }
    // Until Ctrl-C (or a TERM); the listener left over is removed by the abort.
    const stop = new AbortController();
    await Promise.race([once(process, "SIGINT", { signal: stop.signal }), once(process, "SIGTERM", { signal: stop.signal })]).finally(() => stop.abort());
    await ui.close();
    await resident.close();
    io.out("Stopped.");
    return 0;
  },
};
