// Benchmark: `assetctl gc` dry run (text and --json) on a registry of 10,000 versions (100 models of 100
// versions, each with its own object), the default branch declaring the 100 models; beside `node -e 0`.
// The registry is filled through the fs driver directly: an apply per version would take the bench's time.
import { createHash } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { initRepo } from "./core-loop.mjs";
import { baselineRow, formatMs, nodeBaseline, printTable, timeProcess } from "./measure.mjs";

const sha = (data) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

async function fillRegistry(projectRoot, registry, models, versions) {
  const { FsDriver } = await import(pathToFileURL(path.join(projectRoot, "dist/registry/drivers/fs.js")).href);
  const driver = new FsDriver({ path: registry });
  await driver.open({ create: true });
  const day = 86_400_000;
  const start = Date.now() - 400 * day;
  try {
    for (let v = 1; v <= versions; v++) {
      await Promise.all(
        Array.from({ length: models }, async (_, m) => {
          const data = Buffer.from(`weights of m${m} v${v}`);
          const digest = sha(data);
          await driver.putObject(digest, { kind: "bytes", data });
          const spec = { name: `m${m}`, version: String(v), type: "custom_model", path: digest };
          await driver.createVersion({
            kind: "model",
            name: `m${m}`,
            version: String(v),
            digest: sha(JSON.stringify(spec)),
            spec,
            mutable: {},
            artifacts: [{ pointer: "/path", source: `models/m${m}.bin`, type: "file", digest, size: data.length, files: [{ path: `m${m}.bin`, digest, size: data.length, mode: 0o644 }], git: "tracked" }],
            dependencies: [],
            anonymous: false,
            provenance: { commit: null, dirty: false, branch: "main", remote: null, ref: null, manifest: `models/m${m}.yml`, tool_version: "bench" },
            created_at: new Date(start + v * 3 * day + m * 1000).toISOString(),
          });
        }),
      );
    }
  } finally {
    await driver.close();
  }
}

export async function benchGc(projectRoot, models = 100, versions = 100, keep = false) {
  const cli = path.join(projectRoot, "dist/cli/bin.js");
  const { root, git } = initRepo("assetctl-bench-gc-");
  try {
    mkdirSync(path.join(root, "models"));
    for (let m = 0; m < models; m++) {
      writeFileSync(path.join(root, "models", `m${m}.yml`), `$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\nname: m${m}\npath: ./m${m}.bin\n`);
      writeFileSync(path.join(root, "models", `m${m}.bin`), `weights of m${m} v${versions}`);
    }
    writeFileSync(path.join(root, "assetctl.yaml"), "retention:\n  keep_last: 5\n  keep_within: 30d\n");
    git("add", "-A");
    git("commit", "-q", "-m", "models");
    const started = Date.now();
    await fillRegistry(projectRoot, path.join(root, ".assetctl", "registry"), models, versions);
    const fillMs = Date.now() - started;
    const run = (...args) => timeProcess(process.execPath, [cli, "gc", ...args], { cwd: root });
    run("--json"); // warms the snapshot cache
    const node = [];
    const text = [];
    const json = [];
    for (let i = 0; i < 5; i++) {
      node.push(nodeBaseline());
      text.push(run().ms);
      json.push(run("--json").ms);
    }
    const row = (measure, values) => baselineRow(measure, values, node, 2000);
    printTable(`gc of ${(models * versions).toLocaleString("en")} versions (median of 5)`, [
      { measure: `fill the registry through the fs driver (for reference)`, value: formatMs(fillMs) },
      row("gc dry run, text", text),
      row("gc dry run, --json (every version with its reasons)", json),
    ]);
  } finally {
    if (keep) console.log(`kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}
