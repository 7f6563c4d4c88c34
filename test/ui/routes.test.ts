// The UI's routes in-process (app.request): every page over a real repository and registry, the Host and
// token checks, escaping of hostile strings, redaction, and the bad states, each a clear page.
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleRecord } from "../../src/registry/sample-records.test-helper.js";
import { MemoryDriver } from "../../src/registry/drivers/memory.js";
import { createUiApp, type UiOptions } from "../../src/ui/app.js";
import { LivePlan } from "../../src/ui/live.js";
import { CommitLog, RegistryAccess } from "../../src/ui/model.js";
import { CONTENT_SECURITY_POLICY } from "../../src/ui/security.js";
import { TempRepo } from "../e2e/harness.js";
import { exampleRepo, HOSTILE } from "./fixture.js";

const HOST = "127.0.0.1:4999";
const guard = { hosts: [HOST, "localhost:4999"], token: "run-token-123", cookie: "assetctl_ui_4999" };
const authed = { host: HOST, cookie: `${guard.cookie}=${guard.token}` };

function makeApp(root: string, driver?: MemoryDriver, extra: Partial<UiOptions> = {}): { app: ReturnType<typeof createUiApp>; close: () => Promise<void> } {
  const registry = new RegistryAccess(root, undefined, {}, driver);
  const live = new LivePlan(root, registry, 10);
  const app = createUiApp({ root, registry, live, commits: new CommitLog(root), guard, ...extra });
  return { app, close: async () => (await live.close(), await registry.close()) };
}

async function get(app: ReturnType<typeof createUiApp>, url: string, headers: Record<string, string> = authed): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await app.request(url, { headers });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** No markup from the hostile string survived: its tags are text. */
function expectInert(text: string): void {
  expect(text).not.toContain("<script>window.__pwned");
  expect(text).not.toContain("<img src=x");
  expect(text).not.toContain('onerror="window');
}

describe("assetctl ui routes", () => {
  let repo: TempRepo;
  let ui: ReturnType<typeof makeApp>;

  beforeAll(async () => {
    repo = await exampleRepo();
    ui = makeApp(repo.root);
  }, 120_000);
  afterAll(async () => {
    await ui?.close();
    repo?.remove();
  });

  it("refuses a Host header other than the listening address, before anything else", async () => {
    const res = await get(ui.app, "/assets", { host: "attacker.example:4999", cookie: authed.cookie });
    expect(res.status).toBe(421);
    expect(res.text).not.toContain("house-price-regressor");
    expect((await get(ui.app, "/assets", { cookie: authed.cookie })).status).toBe(421);
  });

  it("asks for the token, exchanges it for an HttpOnly same-site cookie and drops it from the address", async () => {
    const none = await get(ui.app, "/assets", { host: HOST });
    expect(none.status).toBe(401);
    expect(none.text).toContain("Token needed");
    expect((await get(ui.app, "/assets", { host: HOST, cookie: `${guard.cookie}=wrong-token-12` })).status).toBe(401);
    expect((await get(ui.app, "/?token=wrong", { host: HOST })).status).toBe(401);
    const exchange = await get(ui.app, `/assets?q=house&token=${guard.token}`, { host: "localhost:4999" });
    expect(exchange.status).toBe(303);
    expect(exchange.headers.get("location")).toBe("/assets?q=house");
    const cookie = exchange.headers.get("set-cookie") ?? "";
    expect(cookie).toContain(`${guard.cookie}=${guard.token}`);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
  });

  it("sends a strict Content-Security-Policy on every answer", async () => {
    for (const url of ["/assets", "/plan", "/health", "/static/app.js", "/nowhere"]) {
      const res = await get(ui.app, url);
      expect(res.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
      expect(res.headers.get("x-frame-options")).toBe("DENY");
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain("unsafe");
    const htmx = await get(ui.app, "/static/htmx.min.js");
    expect(htmx.status).toBe(200);
    expect(htmx.text).toContain("htmx");
  });

  it("lists the example assets with their latest version, last commit and author; searches, sorts and pages", async () => {
    const res = await get(ui.app, "/assets");
    expect(res.status).toBe(200);
    expect(res.text).toContain("13 assets");
    expect(res.text).toContain('href="/asset/model/house-price-regressor/2"');
    expect(res.text).toContain("<td class=\"hide-narrow\">Test</td>");
    expectInert(res.text);
    expect(res.text).toContain("Retrain the regressor &lt;script&gt;");
    const search = await get(ui.app, "/assets?q=regressor&kind=model");
    expect(search.text).toContain("2 assets match");
    const sorted = await get(ui.app, "/assets?sort=versions&desc=1");
    expect(sorted.text.indexOf("house-price-regressor<")).toBeLessThan(sorted.text.indexOf("evaluate_regressor<"));
    expect(sorted.text).toContain('aria-sort="descending"');
    const pageTwo = await get(ui.app, "/assets?page=2");
    expect(pageTwo.text).toContain("page 2 of 1");
    expect(pageTwo.text).not.toContain("evaluate_regressor<");
  });

  it("shows an asset's versions with provenance, sizes, updates and a timeline", async () => {
    const res = await get(ui.app, "/asset/model/house-price-regressor");
    expect(res.status).toBe(200);
    expect(res.text).toContain("2 versions");
    expect(res.text).toContain("<svg class=\"timeline\"");
    expect(res.text).toContain("assets/models/regressor.yml");
    expect(res.text).toContain('href="/compare?a=model%3Ahouse-price-regressor%3A1&amp;b=model%3Ahouse-price-regressor%3A2"');
    expect(res.text).toMatch(/\d+(\.\d)? (B|KiB)/);
    expectInert(res.text);
  });

  it("shows one version with its mutable fields escaped, its dependencies and its spec", async () => {
    const res = await get(ui.app, "/asset/model/house-price-regressor/2");
    expect(res.status).toBe(200);
    expect(res.text).toContain("Retrained. &lt;script&gt;window.__pwned=1&lt;/script&gt;");
    expect(res.text).toContain("note=&lt;script&gt;");
    expect(res.text).toMatch(/<dt>Applied by<\/dt><dd>[^<]+<\/dd>/);
    expectInert(res.text);
    const component = await get(ui.app, "/asset/component/train_regressor/1");
    expect(component.status).toBe(200);
    expect(component.text).toMatch(/href="\/asset\/environment\/[^"]+"/);
  });

  it("compares two versions: a word-level spec diff and the artifacts by digest", async () => {
    const res = await get(ui.app, "/compare?a=model:house-price-regressor:1&b=model:house-price-regressor:2");
    expect(res.status).toBe(200);
    expect(res.text).toContain("0 added, 0 removed, 1 changed");
    expect(res.text).toMatch(/<del>[^<]*<\/del>/);
    expect(res.text).toMatch(/<ins>[^<]*<\/ins>/);
    expect(res.text).toContain("regressor.pkl");
    expectInert(res.text);
    const bad = await get(ui.app, "/compare?a=model:nope:1&b=nonsense");
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("Cannot compare");
  });

  it("draws the lineage around a version as SVG whose nodes link to their pages", async () => {
    const res = await get(ui.app, "/lineage/component/train_regressor/1?hops=2");
    expect(res.status).toBe(200);
    expect(res.text).toContain('<svg class="graph"');
    expect(res.text).toMatch(/<a href="\/asset\/environment\/[^"]+" class="node/);
    expect(res.text).toContain('class="node focus"');
  });

  it("shows health: the registry, the lock and the last verify", async () => {
    const before = await get(ui.app, "/health");
    expect(before.text).toContain("never run here");
    expect(before.text).toContain("free");
    expect((await repo.run(["verify"])).code).toBe(0);
    const after = await get(ui.app, "/health");
    expect(after.text).toContain("every object and record matched its digest");
  });

  it("plans the working tree live, with badges, filters and errors linked to file:line", async () => {
    const res = await get(ui.app, "/plan");
    expect(res.status).toBe(200);
    expect(res.text).toContain("No changes. The registry matches the manifests.");
    expect(res.text).toContain('data-live="/plan/events"');
    repo.write({ "assets/models/regressor.yml": repo.read("assets/models/regressor.yml").replace("Retrained.", "Retrained again.") });
    await expect.poll(async () => (await get(ui.app, "/plan/fragment")).text, { timeout: 10_000 }).toContain("update: <strong>1</strong>");
    const fragment = await get(ui.app, "/plan/fragment?action=update");
    expect(fragment.text).toContain("model:house-price-regressor:2");
    expect(fragment.text).toMatch(/<span class="ln chg">[^\n]*<ins>[^<]*again/);
    expect(fragment.text).toContain("unchanged line");
    expectInert(fragment.text);
    expect((await get(ui.app, "/plan/fragment?q=no-such-address")).text).toContain("No change matches the filter.");
    repo.write({ "assets/models/regressor.yml": repo.read("assets/models/regressor.yml").replace("type: custom_model", "type: custom_model\nbogus_key: 1") });
    await expect.poll(async () => (await get(ui.app, "/plan/fragment")).text, { timeout: 10_000 }).toContain("assets/models/regressor.yml:");
  });

  it("links errors to an editor when a URL template is configured, and never to a script URL", async () => {
    const { editorLink } = await import("../../src/ui/pages/plan.js");
    expect(editorLink("vscode://file/{path}:{line}:{column}", "/repo", "a b.yml", 3, 5)).toBe("vscode://file//repo/a%20b.yml:3:5");
    expect(editorLink("javascript:alert(1)//{path}", "/repo", "a.yml", 1, 1)).toBeUndefined();
    expect(editorLink(undefined, "/repo", "a.yml", 1, 1)).toBeUndefined();
  });

  it("answers an unknown page or asset with a clear page", async () => {
    const missing = await get(ui.app, "/asset/model/no-such-model/1");
    expect(missing.status).toBe(404);
    expect(missing.text).toContain("The registry has no model no-such-model version 1.");
    expect((await get(ui.app, "/asset/nokind/x")).status).toBe(404);
    expect((await get(ui.app, "/nowhere")).text).toContain("There is no page at /nowhere");
  });
});

describe("assetctl ui in bad states", () => {
  it("says there is no registry yet, and still plans", async () => {
    const repo = new TempRepo();
    repo.copyFrom(path.join(path.dirname(new URL(import.meta.url).pathname), "../../assets"), "assets");
    const ui = makeApp(repo.root);
    try {
      const res = await get(ui.app, "/assets");
      expect(res.status).toBe(200);
      expect(res.text).toContain("No registry yet");
      expect(res.text).toContain("assetctl apply");
      const plan = await get(ui.app, "/plan");
      expect(plan.text).toMatch(/create: <strong>1[0-9]<\/strong>/);
      expect((await get(ui.app, "/health")).text).toContain("not created yet");
    } finally {
      await ui.close();
      repo.remove();
    }
  });

  it("explains a registry of a newer format without a stack trace", async () => {
    const repo = new TempRepo();
    const dir = path.join(repo.root, ".assetctl", "registry");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "format.json"), JSON.stringify({ format: "assetctl-registry", version: 99 }));
    const ui = makeApp(repo.root);
    try {
      const res = await get(ui.app, "/assets");
      expect(res.status).toBe(503);
      expect(res.text).toContain("The registry cannot be read");
      expect(res.text).not.toMatch(/at .*\.js:\d+/);
      expect((await get(ui.app, "/health")).text).toContain("format-newer");
    } finally {
      await ui.close();
      repo.remove();
    }
  });

  it("shows a held lock, escapes hostile names and never renders a credential", async () => {
    const repo = new TempRepo();
    const driver = new MemoryDriver({ url: "memory:hostile" });
    await driver.open({ create: true });
    const hostileName = `<img src=x onerror=alert(1)>`;
    await driver.createVersion(sampleRecord({ name: hostileName, mutable: { description: HOSTILE, tags: { [HOSTILE]: HOSTILE } } }));
    await driver.createVersion(
      sampleRecord({ kind: "datastore", name: "blobs", spec: { name: "blobs", type: "azure_blob", credentials: { account_key: "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==" } } }),
    );
    const lock = await driver.lock({ owner: `${HOSTILE}@ci`, operation: "apply", timeoutMs: 0 });
    const ui = makeApp(repo.root, driver);
    try {
      const list = await get(ui.app, "/assets");
      expect(list.text).toContain("&lt;img src=x onerror=alert(1)&gt;");
      expect(list.text).toContain("The registry is locked by");
      expectInert(list.text);
      const version = await get(ui.app, `/asset/model/${encodeURIComponent(hostileName)}/1`);
      expect(version.status).toBe(200);
      expectInert(version.text);
      const store = await get(ui.app, "/asset/datastore/blobs/1");
      expect(store.status).toBe(200);
      expect(store.text).toContain("&quot;account_key&quot;: &quot;***&quot;");
      expect(store.text).not.toContain("c2VjcmV0");
      expect((await get(ui.app, "/health")).text).toContain("held by");
    } finally {
      await lock.release();
      await ui.close();
      repo.remove();
    }
  });

  it("shows aliases: on the assets list, the asset's versions, its timeline and history, and one version; hostile text escaped", async () => {
    const repo = new TempRepo();
    const driver = new MemoryDriver({ url: "memory:aliases" });
    await driver.open({ create: true });
    for (const version of ["1", "2", "3"]) await driver.createVersion(sampleRecord({ name: "churn", version, created_at: `2026-11-0${version}T00:00:00.000Z` }));
    const move = (serial: number, alias: string, from: string | null, to: string | null, at: string) => ({
      serial, kind: "model" as const, name: "churn", alias, from, to, commit: "0123456789abcdef0123", author: `Ada ${HOSTILE}`, message: `Promote ${HOSTILE}`, at,
    });
    const history = [move(1, "staging", null, "2", "2026-11-02T12:00:00.000Z"), move(2, "production", null, "1", "2026-11-02T13:00:00.000Z"), move(3, "staging", "2", "3", "2026-11-03T12:00:00.000Z"), move(4, "production", "1", "2", "2026-11-04T12:00:00.000Z")];
    // The registry's own journal of moves where the driver keeps one; given here as the contract says.
    const withAliases = Object.assign(driver, { aliasHistory: async () => history });
    const ui = makeApp(repo.root, withAliases);
    try {
      const list = await get(ui.app, "/assets");
      expect(list.text).toContain("@production → 2");
      expect(list.text).toContain("@staging → 3");
      const asset = await get(ui.app, "/asset/model/churn");
      expect(asset.text).toContain("Alias history");
      expect(asset.text).toContain("4 alias moves");
      expect(asset.text).toContain("@production 1 → 2");
      expect(asset.text).toMatch(/churn\/2">2<\/a>[^<]*<span class="badge a-alias"[^>]*>@production<\/span>/);
      expectInert(asset.text);
      const version = await get(ui.app, "/asset/model/churn/3");
      expect(version.text).toContain("@staging");
      expect(version.text).not.toContain("@production");
    } finally {
      await ui.close();
      repo.remove();
    }
  });
});
