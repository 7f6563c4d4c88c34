// Benchmark: the web UI's live plan, from outside: `assetctl ui` runs as its own process over a repository
// of 200 applied models; each edit saves one manifest, and the time is taken until the server-sent event
// announces the new plan, then until the plan fragment the page swaps in has arrived. Baseline: the same
// repository's `watch` machinery alone is measured by the watch-latency section.
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { formatMs, median, percentile, printTable } from "./measure.mjs";

export async function benchUiLive(projectRoot, count = 200, edits = 40) {
  const { makeRepo } = await import("./core-loop.mjs");
  const cli = path.join(projectRoot, "dist/cli/bin.js");
  const repo = makeRepo(count);
  execFileSync(process.execPath, [cli, "apply", "--auto-approve"], { cwd: repo, stdio: "ignore", env: { ...process.env, NO_COLOR: "1" } });
  const child = spawn(process.execPath, [cli, "ui", "--port", "0"], { cwd: repo, stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, NO_COLOR: "1" } });
  let printed = "";
  child.stdout.on("data", (chunk) => (printed += chunk.toString()));
  const events = new AbortController();
  try {
    while (!/Open (\S+)/.test(printed)) {
      if (child.exitCode !== null) throw new Error(`assetctl ui stopped: ${printed}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const address = new URL(/Open (\S+)/.exec(printed)[1]);
    const entry = await fetch(address, { redirect: "manual" });
    const cookie = entry.headers.get("set-cookie").split(";")[0];
    const get = (p, init = {}) => fetch(new URL(p, address.origin), { ...init, headers: { cookie } });

    // One event stream, as the page keeps open; each "plan" event resolves whoever waits for it.
    const stream = await get("/plan/events", { signal: events.signal });
    const reader = stream.body.getReader();
    let waiting;
    void (async () => {
      let text = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += Buffer.from(value).toString();
        let end;
        while ((end = text.indexOf("\n\n")) >= 0) {
          const message = text.slice(0, end);
          text = text.slice(end + 2);
          if (message.includes("event: plan") && waiting) {
            const w = waiting;
            waiting = undefined;
            w(performance.now());
          }
        }
      }
    })().catch(() => {});
    const nextEvent = () => new Promise((resolve) => (waiting = resolve));
    await new Promise((r) => setTimeout(r, 500));

    const toEvent = [];
    const toFragment = [];
    for (let i = 0; i < edits + 2; i++) {
      const file = path.join(repo, "models", `m${String(i % count).padStart(4, "0")}`, "model.yml");
      const text = readFileSync(file, "utf8").replace(/description: .*/, `description: Model number ${i % count}, edit ${i}.`);
      const pending = nextEvent();
      const start = performance.now();
      writeFileSync(file, text);
      const evented = await pending;
      const fragment = await (await get("/plan/fragment")).text();
      const done = performance.now();
      if (!fragment.includes(`edit ${i}`)) throw new Error(`edit ${i} is not in the live plan`);
      // The first two saves warm the pipeline (module loads, caches), as in an editor session.
      if (i >= 2) {
        toEvent.push(evented - start);
        toFragment.push(done - start);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
    const p95 = percentile(toFragment, 95);
    printTable(`Web UI live plan from outside: save to event and to the new plan on the page (${edits} edits, ${count} assets)`, [
      { measure: "save → plan fragment received, p95", value: formatMs(p95), target: "≤ 200 ms", met: p95 <= 200 },
      { measure: "save → plan fragment received, median", value: formatMs(median(toFragment)) },
      { measure: "save → server-sent event, p95", value: formatMs(percentile(toEvent, 95)) },
      { measure: "save → server-sent event, median", value: formatMs(median(toEvent)) },
    ]);
  } finally {
    events.abort();
    child.kill("SIGINT");
    await new Promise((r) => child.on("close", r));
    rmSync(repo, { recursive: true, force: true });
  }
}
