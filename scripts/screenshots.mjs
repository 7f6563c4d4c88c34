// Regenerates the README's screenshots of the web UI (docs/ui-*.png): the example assets applied in a
// temporary git repository, a retrained model applied as a second version, an unsaved edit for the live
// plan, each view photographed in Debian's Chromium. Run after `npm run build`:
//   node scripts/screenshots.mjs            (CHROMIUM_PATH overrides /usr/bin/chromium)
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "dist", "cli", "bin.js");
const docs = path.join(root, "docs");
const repo = mkdtempSync(path.join(os.tmpdir(), "assetctl-screenshots-"));
const profile = mkdtempSync(path.join(os.tmpdir(), "assetctl-chromium-"));

const git = (...args) => execFileSync("git", args, { cwd: repo, encoding: "utf8" });
const assetctl = (...args) => execFileSync(process.execPath, [cli, ...args], { cwd: repo, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
const edit = (file, from, to) => writeFileSync(path.join(repo, file), readFileSync(path.join(repo, file), "utf8").replace(from, to));

let server;
let context;
try {
  git("init", "-q", "-b", "main");
  git("config", "user.email", "ada@example.com");
  git("config", "user.name", "Ada Lovelace");
  writeFileSync(path.join(repo, ".gitignore"), ".assetctl/\n");
  cpSync(path.join(root, "assets"), path.join(repo, "assets"), { recursive: true });
  git("add", "-A");
  git("commit", "-qm", "Add the house-price assets");
  assetctl("apply", "--auto-approve");
  edit("assets/models/regressor.yml", "Linear regression of house prices, pickled.", "Linear regression of house prices, retrained on the 2026 exports.");
  writeFileSync(path.join(repo, "assets/models/regressor.pkl"), Buffer.concat([readFileSync(path.join(repo, "assets/models/regressor.pkl")), Buffer.from("2026")]));
  git("commit", "-qam", "Retrain the regressor on the 2026 exports");
  assetctl("apply", "--auto-approve");
  edit("assets/models/regressor.yml", "task: regression", "task: regression\n  stage: candidate");

  server = spawn(process.execPath, [cli, "ui", "--port", "0"], { cwd: repo, stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (d) => {
      out += d;
      const found = /Open (http:\/\/\S+)/.exec(out)?.[1];
      if (found) resolve(found);
    });
    server.on("exit", (code) => reject(new Error(`assetctl ui exited ${code}: ${out}`)));
  });
  const base = new URL(url).origin;
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 1100, height: 720 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url);
  const shots = [
    ["ui-plan.png", "/plan", "light"],
    ["ui-assets.png", "/assets", "light"],
    ["ui-asset.png", "/asset/model/house-price-regressor", "dark"],
    ["ui-compare.png", "/compare?a=model:house-price-regressor:1&b=model:house-price-regressor:2", "light"],
    ["ui-lineage.png", "/lineage/component/train_regressor/1?hops=2", "dark"],
  ];
  for (const [file, route, scheme] of shots) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(`${base}${route}`);
    await page.waitForLoadState("networkidle").catch(() => undefined);
    await page.screenshot({ path: path.join(docs, file) });
    console.log(`docs/${file}  ${route} (${scheme})`);
  }
  await page.setViewportSize({ width: 390, height: 760 });
  await page.emulateMedia({ colorScheme: "light" });
  await page.goto(`${base}/asset/model/house-price-regressor/2`);
  await page.screenshot({ path: path.join(docs, "ui-version-phone.png") });
  console.log("docs/ui-version-phone.png  a version at 390 px");
} finally {
  await context?.close();
  server?.kill("SIGINT");
  rmSync(repo, { recursive: true, force: true });
  rmSync(profile, { recursive: true, force: true });
}
