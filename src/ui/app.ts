// The web UI's routes: read-only pages over the same library functions the CLI uses (the snapshot, the
// query functions, the planner through the watch machinery). Routes are testable with `app.request()`.
import { Hono, type Context } from "hono";
import { html } from "hono/html";
import { streamSSE } from "hono/streaming";
import { UserError } from "../diagnostics.js";
import { ASSET_KINDS, type AssetKind } from "../manifest/types.js";
import { parseAddress } from "../plan/address.js";
import { around, lineageGraph } from "../lineage/graph.js";
import { findVersion, versionsOf } from "../registry/query.js";
import { addressOf, type RegistrySnapshot, type StoredVersion, type VersionUpdate } from "../registry/types.js";
import type { RegistryDriver } from "../registry/driver.js";
import { loadVerifyRecord } from "../registry/verify-record.js";
import { drawLineage } from "./lineage-svg.js";
import type { LivePlan } from "./live.js";
import { aliasesByAsset, assetRows, queryAssets, type CommitLog, type RegistryAccess, type SortKey } from "./model.js";
import { assetsPage, assetsTable } from "./pages/assets.js";
import { healthPage, lockNotice } from "./pages/health.js";
import { addressHref, page, problem, versionHref, type Html, type Section } from "./pages/layout.js";
import { planFragment, planPage, type PlanView } from "./pages/plan.js";
import { assetPage, comparePage, versionPage } from "./pages/versions.js";
import { versionView } from "../cli/views/read.js";
import { guard, securityHeaders, type Guard } from "./security.js";
import { htmxSource, SCRIPT, STYLESHEET } from "./static.js";

export interface UiOptions {
  root: string;
  registry: RegistryAccess;
  live: LivePlan;
  commits: CommitLog;
  /** An editor URL template (`vscode://file/{path}:{line}:{column}`) for error links. */
  editor?: string | undefined;
  /** Host and token checks; only tests of the pages themselves leave them out. */
  guard?: Guard;
  /** Told of errors that are bugs of this server (the page says so, without details). */
  onError?: (error: unknown) => void;
}

const PER_PAGE = 50;
const MAX_HOPS = 6;

export function createUiApp(options: UiOptions): Hono {
  const app = new Hono();
  let registryLabel = "";

  const send = (c: Context, title: string, section: Section, body: Html, status: 200 | 400 | 404 | 500 | 503 = 200): Response | Promise<Response> =>
    c.html(page({ title, section, registry: registryLabel, body }), status);

  app.use("*", securityHeaders());
  if (options.guard) {
    app.use(
      "*",
      guard(options.guard, (status, title, text) =>
        new Response(String(html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`), {
          status,
          headers: { "Content-Type": "text/html; charset=utf-8" },
        }),
      ),
    );
  }

  /** Runs a page that needs the registry; a missing or unreadable registry gets its own clear page. */
  const withRegistry = async (
    c: Context,
    section: Section,
    use: (driver: RegistryDriver, snapshot: RegistrySnapshot) => Promise<{ title: string; body: Html } | Response>,
  ): Promise<Response> => {
    const status = await options.registry.status();
    registryLabel = status.url;
    if (status.state === "missing") {
      return send(c, "No registry yet", section, problem("No registry yet", `Nothing has been applied to ${status.url} yet.`, "Run `assetctl apply` to create it; the Live plan shows what it would write."));
    }
    if (status.state === "unreadable") {
      return send(c, "Registry unreadable", section, problem("The registry cannot be read", status.message, status.hint), 503);
    }
    const [snapshot, lock] = await Promise.all([options.registry.snapshot(status.driver), options.registry.lock(status.driver)]);
    const result = await use(status.driver, snapshot);
    if (result instanceof Response) return result;
    return send(c, result.title, section, html`${lockNotice(lock)}${result.body}`);
  };

  const notFound = (c: Context, message: string, hint?: string): Response | Promise<Response> => send(c, "Not found", "none", problem("Not found", message, hint), 404);

  const kindOf = (text: string): AssetKind | undefined => (ASSET_KINDS.includes(text as AssetKind) ? (text as AssetKind) : undefined);

  const historyOf = async (driver: RegistryDriver, versions: readonly StoredVersion[]): Promise<Map<string, VersionUpdate[]>> =>
    new Map(await Promise.all(versions.map(async (v) => [addressOf(v.record), await driver.history(v.record.kind, v.record.name, v.record.version)] as const)));

  app.get("/static/app.css", (c) => c.body(STYLESHEET, 200, { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "private, max-age=300" }));
  app.get("/static/app.js", (c) => c.body(SCRIPT, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "private, max-age=300" }));
  app.get("/static/htmx.min.js", async (c) => c.body(await htmxSource(), 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "private, max-age=3600" }));
  app.get("/favicon.ico", (c) => c.body(null, 204));

  app.get("/", (c) => c.redirect("/assets", 302));

  const planView = (c: Context): PlanView => ({
    state: options.live.state,
    filter: { action: c.req.query("action") ?? "", q: c.req.query("q") ?? "" },
    root: options.root,
    editor: options.editor,
  });

  app.get("/plan", async (c) => {
    await options.live.start();
    registryLabel = (await options.registry.status()).url;
    return send(c, "Live plan", "plan", planPage(planView(c)));
  });
  app.get("/plan/fragment", async (c) => {
    await options.live.start();
    return c.html(planFragment(planView(c)));
  });
  app.get("/plan/events", async (c) => {
    await options.live.start();
    return streamSSE(c, async (stream) => {
      let wake: (() => void) | undefined;
      let sent = -1;
      const unsubscribe = options.live.subscribe(() => wake?.());
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      while (!stream.aborted) {
        if (options.live.serial !== sent) {
          sent = options.live.serial;
          await stream.writeSSE({ event: "plan", data: String(sent), id: String(sent) });
        }
        // Wait for the next plan, with a comment now and then so that proxies keep the stream open.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 15_000);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        if (options.live.serial === sent && !stream.aborted) await stream.write(": keep-alive\n\n");
      }
      unsubscribe();
    });
  });

  app.get("/assets", (c) =>
    withRegistry(c, "assets", async (driver, snapshot) => {
      const sortParam = c.req.query("sort") ?? "name";
      const query = {
        q: c.req.query("q") ?? "",
        kind: kindOf(c.req.query("kind") ?? "") ?? "",
        sort: (["name", "kind", "versions", "created"].includes(sortParam) ? sortParam : "name") as SortKey,
        desc: c.req.query("desc") === "1",
        page: Math.max(1, Math.floor(Number(c.req.query("page") ?? "1")) || 1),
        perPage: PER_PAGE,
      };
      const found = queryAssets(assetRows(snapshot), query);
      const [commits, aliasHistory] = await Promise.all([options.commits.lookup(found.rows.map((r) => r.latest.record.provenance.commit)), options.registry.aliasHistory(driver)]);
      const table = assetsTable(found, query, commits, aliasesByAsset(aliasHistory));
      if (snapshot.versions.length === 0) {
        return { title: "Assets", body: html`<h1>Assets</h1><p>The registry is empty. The <a href="/plan">live plan</a> shows what <code>assetctl apply</code> would write.</p>` };
      }
      return { title: "Assets", body: assetsPage(table, query) };
    }),
  );

  app.get("/asset/:kind/:name", (c) =>
    withRegistry(c, "assets", async (driver, snapshot) => {
      const kind = kindOf(c.req.param("kind"));
      const name = c.req.param("name");
      const versions = kind ? versionsOf(snapshot, kind, name) : [];
      if (versions.length === 0) return notFound(c, `The registry has no ${c.req.param("kind")} named ${name}.`, "The Assets page lists what it has.");
      const [updates, commits, aliasHistory] = await Promise.all([historyOf(driver, versions), options.commits.lookup(versions.map((v) => v.record.provenance.commit)), options.registry.aliasHistory(driver)]);
      const moves = aliasHistory.filter((m) => m.kind === kind && m.name === name);
      return { title: `${kind}:${name}`, body: assetPage(versions, updates, commits, moves) };
    }),
  );

  app.get("/asset/:kind/:name/:version", (c) =>
    withRegistry(c, "assets", async (driver, snapshot) => {
      const kind = kindOf(c.req.param("kind"));
      const { name, version } = c.req.param();
      const versions = kind ? versionsOf(snapshot, kind, name) : [];
      const index = versions.findIndex((v) => v.record.version === version);
      const v = versions[index];
      if (!v) return notFound(c, `The registry has no ${c.req.param("kind")} ${name} version ${version}.`, versions.length ? `Its versions are: ${versions.map((x) => x.record.version).join(", ")}` : undefined);
      const address = addressOf(v.record);
      const dependents = snapshot.versions.filter((x) => x.record.dependencies.includes(address)).map((x) => addressOf(x.record)).sort();
      const [updates, commits, aliasHistory] = await Promise.all([driver.history(v.record.kind, name, version), options.commits.lookup([v.record.provenance.commit]), options.registry.aliasHistory(driver)]);
      const commit = v.record.provenance.commit ? commits.get(v.record.provenance.commit) : undefined;
      const aliases = (aliasesByAsset(aliasHistory).get(`${v.record.kind}:${name}`) ?? []).filter((a) => a.version === version);
      return { title: address, body: versionPage(versionView(v, undefined, undefined), versions[index - 1], dependents, updates, commit, aliases) };
    }),
  );

  app.get("/compare", (c) =>
    withRegistry(c, "assets", async (_driver, snapshot) => {
      try {
        const a = findVersion(snapshot, parseAddress(c.req.query("a") ?? ""));
        const b = findVersion(snapshot, parseAddress(c.req.query("b") ?? ""));
        return { title: `Compare ${addressOf(a.record)} and ${addressOf(b.record)}`, body: comparePage(a, b) };
      } catch (error) {
        if (error instanceof UserError) return send(c, "Cannot compare", "assets", problem("Cannot compare", error.message, error.hint), 400);
        throw error;
      }
    }),
  );

  app.get("/lineage/:kind/:name/:version", (c) =>
    withRegistry(c, "assets", async (_driver, snapshot) => {
      const kind = kindOf(c.req.param("kind"));
      const { name, version } = c.req.param();
      const v = kind ? versionsOf(snapshot, kind, name).find((x) => x.record.version === version) : undefined;
      if (!v) return notFound(c, `The registry has no ${c.req.param("kind")} ${name} version ${version}.`);
      const hops = Math.min(MAX_HOPS, Math.max(1, Math.floor(Number(c.req.query("hops") ?? "2")) || 2));
      const graph = around(lineageGraph(snapshot.versions), [addressOf(v.record)], "both", hops);
      const held = new Set(snapshot.versions.map((x) => addressOf(x.record)));
      const focus = addressOf(v.record);
      const drawing = drawLineage(graph, focus, (address) => (held.has(address) ? addressHref(address) : undefined));
      return {
        title: `Lineage of ${focus}`,
        body: html`<h1>Lineage of <a href="${versionHref(v.record.kind, name, version)}">${focus}</a></h1>
<form class="filters" method="get" aria-label="Lineage depth"><label>Hops<select name="hops">${Array.from({ length: MAX_HOPS }, (_, i) => i + 1).map((n) => html`<option value="${n}"${n === hops ? html` selected` : ""}>${n}</option>`)}</select></label><button type="submit">Show</button></form>
<p class="muted">${graph.nodes.length} versions within ${hops} hop${hops === 1 ? "" : "s"}; arrows point at what a version depends on. Each box opens that version's page.</p>
<div class="table-wrap">${drawing.svg}</div>
<h2>Versions shown</h2>
<ul>${graph.nodes.map((n) => {
          const href = addressHref(n);
          return html`<li>${href && held.has(n) ? html`<a class="mono" href="${href}">${n}</a>` : html`<span class="mono">${n}</span> <span class="muted">(not in the registry)</span>`}</li>`;
        })}</ul>`,
      };
    }),
  );

  app.get("/health", async (c) => {
    const status = await options.registry.status();
    registryLabel = status.url;
    const lock = status.state === "ready" ? await options.registry.lock(status.driver) : undefined;
    const versions = status.state === "ready" ? (await options.registry.snapshot(status.driver)).versions.length : undefined;
    const verify = status.state === "ready" ? await loadVerifyRecord(options.root, status.driver.url) : undefined;
    return send(c, "Health", "health", healthPage(status, lock, verify, versions), status.state === "unreadable" ? 503 : 200);
  });

  app.notFound((c) => notFound(c, `There is no page at ${new URL(c.req.url).pathname}.`, "Use the links at the top."));
  app.onError((error, c) => {
    if (error instanceof UserError) return send(c, "Error", "none", problem("Error", error.message, error.hint), 400);
    options.onError?.(error);
    return send(c, "Internal error", "none", problem("Internal error", "This page failed because of a bug in assetctl ui; the terminal running it shows the details."), 500);
  });
  return app;
}
