// Azurite and the Azure ML control-plane stand-in on free loopback ports, for trying assetctl's Azure ML
// driver without a subscription:
//
//   node scripts/azure-local.mjs start DIR   starts both in the background and writes DIR/env
//   . DIR/env && assetctl plan               ASSETCTL_REGISTRY=azureml://… and how to reach them
//   node scripts/azure-local.mjs stop DIR    stops both
//
// `start` runs this script again as a detached server process (`serve DIR`) whose pid goes to DIR/pid.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { startAzurite } from "./test-servers.mjs";

const here = fileURLToPath(import.meta.url);

async function serve(dir) {
  const { startStandIn } = await import("../test/azure/standin.mjs");
  const azurite = await startAzurite();
  const standIn = await startStandIn({ azurite: azurite.url });
  const token = standIn.mintToken(7 * 24 * 3600 * 1000).token;
  const lines = [
    `export ASSETCTL_REGISTRY=azureml://subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/workspaces/local`,
    "# an Azure ML registry instead: ASSETCTL_REGISTRY=azureml://subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/local/registries/local",
    `export ASSETCTL_AZUREML_ENDPOINT=${standIn.endpoint}`,
    `export ASSETCTL_AZUREML_STORAGE_ENDPOINT=${azurite.url.replace(/\/[^/]+$/, "/{account}")}`,
    `export ASSETCTL_AZUREML_ACCESS_TOKEN=${token}`,
    "",
  ];
  writeFileSync(path.join(dir, "env"), lines.join("\n"), { mode: 0o600 });
  const stop = async () => {
    await standIn.stop();
    await azurite.stop();
    process.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => void stop());
}

async function start(dir) {
  mkdirSync(dir, { recursive: true });
  rmSync(path.join(dir, "env"), { force: true });
  const child = spawn(process.execPath, [here, "serve", dir], { detached: true, stdio: "ignore" });
  child.unref();
  writeFileSync(path.join(dir, "pid"), String(child.pid));
  const deadline = Date.now() + 60_000;
  while (!existsSync(path.join(dir, "env"))) {
    if (Date.now() > deadline) throw new Error("Azurite and the stand-in did not start within 60 s");
    await sleep(100);
  }
  console.log(`started; run: . ${path.join(dir, "env")}`);
}

async function stop(dir) {
  const file = path.join(dir, "pid");
  if (!existsSync(file)) return console.log("nothing to stop");
  const pid = Number(readFileSync(file, "utf8"));
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    // Already gone.
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(pid, 0);
      await sleep(100);
    } catch {
      break;
    }
  }
  rmSync(file, { force: true });
  rmSync(path.join(dir, "env"), { force: true });
  console.log("stopped");
}

const [command, dir] = process.argv.slice(2);
if (!dir || !["start", "stop", "serve"].includes(command ?? "")) {
  console.error("usage: node scripts/azure-local.mjs start|stop DIR");
  process.exit(2);
}
await { start, stop, serve }[command](path.resolve(dir));
