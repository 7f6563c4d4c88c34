// The UI in a real Chromium (Debian's package, driven by playwright-core): the printed address, the
// pages, the live plan after a save, the Host and token refusals, a hostile string, a phone-wide screen.
// Screenshots of every view go to test-artifacts/ui/ (ignored by git). Without Chromium this FAILS.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliPath, projectRoot, type TempRepo } from "../e2e/harness.js";
import { exampleRepo, HOSTILE } from "./fixture.js";

const ARTIFACTS = path.join(projectRoot, "test-artifacts", "ui");
const REBIND_HOST = "rebind.assetctl.test";

function chromiumPath(): string {
  const fromEnv = process.env["CHROMIUM_PATH"];
  if (fromEnv) return fromEnv;
  const found = spawnSync("sh", ["-c", "command -v chromium || command -v chromium-browser"], { encoding: "utf8" }).stdout.trim();
  return found || "/usr/bin/chromium";
}

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Starts `assetctl ui --port 0` in `root` and resolves with the address it prints. */
function startUiProcess(root: string, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, "ui", "--port", "0"], { cwd: root, env: { ...process.env, NO_COLOR: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    const timer = setTimeout(() => reject(new Error(`assetctl ui printed no address:\n${out}`)), 30_000);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const url = /Open (http:\/\/\S+)/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    });
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => reject(new Error(`assetctl ui exited ${code}:\n${out}`)));
  });
}

describe("assetctl ui in Chromium", () => {
  let repo: TempRepo;
  let server: ChildProcess | undefined;
  let url = "";
  let base = "";
  let context: BrowserContext;
  let page: Page;
  let profile = "";

  const shot = async (name: string): Promise<void> => {
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    const executable = chromiumPath();
    if (!existsSync(executable)) {
      throw new Error(`Chromium is not installed at ${executable}: install Debian's chromium package (.ci/run does, as root) or set CHROMIUM_PATH.`);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    repo = await exampleRepo();
    ({ child: server, url } = await startUiProcess(repo.root));
    base = new URL(url).origin;
    profile = mkdtempSync(path.join(os.tmpdir(), "assetctl-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: executable,
      headless: true,
      args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${REBIND_HOST} 127.0.0.1`],
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    server?.kill("SIGINT");
    repo?.remove();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it("refuses a page without the token", async () => {
    const res = await page.goto(`${base}/assets`);
    expect(res?.status()).toBe(401);
    await expect.poll(() => page.textContent("h1")).toBe("Token needed");
  });

  it("refuses the same server under another name (DNS rebinding), even with the token", async () => {
    const rebound = new URL(url);
    rebound.hostname = REBIND_HOST;
    const res = await page.goto(rebound.toString());
    expect(res?.status()).toBe(421);
    expect(await page.textContent("h1")).toBe("Wrong address");
  });

  it("opens the printed address and shows the example assets", async () => {
    await page.goto(url);
    expect(page.url()).toBe(`${base}/assets`);
    expect(await page.textContent("main")).toContain("13 assets");
    await expect.poll(() => page.locator("a", { hasText: "house-price-regressor" }).first().isVisible()).toBe(true);
    const cookies = await context.cookies(base);
    expect(cookies.find((c) => c.name.startsWith("assetctl_ui_"))?.httpOnly).toBe(true);
    await shot("assets");
  });

  it("searches and sorts without a full reload (htmx)", async () => {
    await page.goto(`${base}/assets`);
    await page.getByRole("searchbox", { name: "Search" }).fill("mlflow");
    await expect.poll(() => page.textContent("#assets-table"), { timeout: 5000 }).toContain("1 asset match");
    expect(page.url()).toContain("q=mlflow");
  });

  it("opens an asset and a version; the hostile description, tag and commit message stay text", async () => {
    await page.goto(`${base}/assets`);
    await page.getByRole("link", { name: "house-price-regressor", exact: true }).click();
    await page.waitForURL(`${base}/asset/model/house-price-regressor`);
    expect(await page.textContent("main")).toContain("2 versions");
    expect(await page.textContent("main")).toContain(`Retrain the regressor ${HOSTILE}`);
    await shot("asset");
    await page.getByRole("link", { name: "2", exact: true }).first().click();
    await page.waitForURL(`${base}/asset/model/house-price-regressor/2`);
    expect(await page.textContent("main")).toContain(`Retrained. ${HOSTILE}`);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator("main img").count()).toBe(0);
    await shot("version");
  });

  it("compares two versions", async () => {
    await page.goto(`${base}/asset/model/house-price-regressor`);
    await page.getByLabel("From").selectOption("model:house-price-regressor:1");
    await page.getByLabel("To").selectOption("model:house-price-regressor:2");
    await page.getByRole("button", { name: "Compare" }).click();
    await page.waitForURL(/\/compare\?/);
    const main = (await page.textContent("main")) ?? "";
    expect(main).toContain("0 added, 0 removed, 1 changed");
    expect(await page.locator("main ins").count()).toBeGreaterThan(0);
    await shot("compare");
  });

  it("follows a lineage node to its version", async () => {
    await page.goto(`${base}/lineage/component/train_regressor/1`);
    expect(await page.locator("svg.graph a").count()).toBeGreaterThan(1);
    await shot("lineage");
    const node = page.locator('svg.graph a[aria-label^="environment:"]').first();
    const label = (await node.getAttribute("aria-label")) ?? "";
    await node.click();
    await page.waitForURL(/\/asset\/environment\//);
    expect(await page.textContent("h1")).toContain(label.split(":")[1] ?? "?");
  });

  it("shows health", async () => {
    await page.goto(`${base}/health`);
    expect(await page.textContent("main")).toContain("Lock");
    await shot("health");
  });

  it("updates the live plan within a second of a save", async () => {
    await page.goto(`${base}/plan`);
    await expect.poll(() => page.textContent("#live-status")).toContain("Live");
    expect(await page.textContent("#plan")).toContain("No changes.");
    // The first save after start warms the pipeline (module loads, caches); the second one is timed.
    const edit = (from: string, to: string): void => repo.write({ "assets/models/regressor.yml": repo.read("assets/models/regressor.yml").replace(from, to) });
    edit("Retrained.", "Retrained, warming up.");
    await page.waitForFunction(() => document.querySelector("#plan")?.textContent?.includes("update: 1"), undefined, { timeout: 10_000, polling: 20 });
    const saved = Date.now();
    edit("Retrained, warming up.", "Retrained on new data.");
    await page.waitForFunction(() => document.querySelector("#plan ins")?.textContent?.includes("on new data"), undefined, { timeout: 1000, polling: 20 });
    const latency = Date.now() - saved;
    expect(latency).toBeLessThan(1000);
    expect(await page.locator("#plan ins").first().textContent()).toContain("on new data");
    await shot("plan");
    await page.locator("select[name=action]").selectOption("noop");
    await expect.poll(() => page.textContent("#plan"), { timeout: 5000 }).not.toContain("house-price-regressor:2");
  });

  it("reads on a 390-px-wide screen without sideways scrolling, from the keyboard", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const p of ["/assets", "/asset/model/house-price-regressor", "/plan"]) {
      await page.goto(`${base}${p}`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    }
    await page.goto(`${base}/assets`);
    await shot("assets-390px");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("assetctl");
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
