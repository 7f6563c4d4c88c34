// Benchmark: an Azure ML workspace as the registry, through the built CLI, against the control-plane
// stand-in with 20 ms added to every request (Azurite for storage), beside the embedded registry in the
// same run: apply of 200 new versions, and a no-change plan of a workspace holding 5,000 versions, cold
// (no kept plan) and reused (the kept plan of unchanged inputs, checked by the state token).
//
// The 5,000 versions are seeded straight into the stand-in (its test-only /_standin/seed route), not
// applied: a saved plan of the repository against the empty workspace gives each version's record, and
// the driver's own body builder (dist/…/azureml/assets.js) turns it into the body apply would PUT, so the
// setup takes seconds; each create is journaled as apply journals it (with the version as Azure answered).
// Their objects and trees are not uploaded: a no-change plan never reads them.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { makeRepo } from "./core-loop.mjs";
import { formatMs, median, printTable, time, timeProcess } from "./measure.mjs";

const LATENCY_MS = 20;

function readEnv(file) {
  return Object.fromEntries(
    readFileSync(file, "utf8")
      .split("\n")
      .filter((l) => l.startsWith("export "))
      .map((l) => l.slice("export ".length).split(/=(.*)/s).slice(0, 2)),
  );
}

/** A POST to the stand-in's test-only routes, on a fresh connection (the bench's loop sleeps while the CLI runs). */
function post(env, route, body) {
  return new Promise((resolve, reject) => {
    const text = body === undefined ? "" : JSON.stringify(body);
    const req = request(
      `${env.ASSETCTL_AZUREML_ENDPOINT}${route}`,
      { method: "POST", agent: false, headers: { authorization: `Bearer ${env.ASSETCTL_AZUREML_ACCESS_TOKEN}`, "content-type": "application/json", "content-length": Buffer.byteLength(text) } },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => {
          const answer = Buffer.concat(chunks).toString();
          if (res.statusCode === 204) resolve(undefined);
          else if (res.statusCode === 200) resolve(JSON.parse(answer));
          else reject(new Error(`${route}: HTTP ${res.statusCode} ${answer.slice(0, 500)}`));
        });
      },
    );
    req.on("error", reject);
    req.end(text);
  });
}

/** Puts every version a saved plan of `repo` creates straight into the workspace `url`. */
export async function seed(projectRoot, cli, repo, url, env) {
  const dist = (file) => import(pathToFileURL(path.join(projectRoot, "dist", file)).href);
  const [{ AzureMlDriver }, { parseAzureMlAddress }, { versionBody, SEGMENTS }, { treePath }] = await Promise.all([
    dist("registry/drivers/azureml/driver.js"),
    dist("registry/drivers/azureml/address.js"),
    dist("registry/drivers/azureml/assets.js"),
    dist("registry/drivers/azureml/storage.js"),
  ]);
  const fullEnv = { ...process.env, ...env };
  const driver = new AzureMlDriver({ url, env: fullEnv });
  await driver.open({ create: true });
  await driver.close();
  const planFile = path.join(repo, ".assetctl", "seed-plan.json");
  execFileSync(process.execPath, [cli, "plan", "--registry", url, "--out", planFile], { cwd: repo, env: { ...fullEnv, NO_COLOR: "1" }, stdio: "ignore" });
  const plan = JSON.parse(readFileSync(planFile, "utf8"));
  rmSync(planFile, { force: true });
  const address = parseAzureMlAddress(url, fullEnv);
  const at = new Date().toISOString();
  const versions = plan.changes
    .filter((c) => c.action === "create")
    .map((c) => {
      const record = {
        kind: c.kind,
        name: c.name,
        version: c.version,
        digest: c.digest,
        ...c.record,
        provenance: { commit: plan.source.commit, dirty: plan.source.dirty, branch: plan.source.branch, remote: plan.source.remote, ref: plan.source.ref, manifest: c.manifest?.file ?? "", tool_version: "bench" },
        created_at: at,
      };
      const uriOf = (pointer) => {
        const artifact = record.artifacts.find((a) => a.pointer === pointer);
        if (artifact === undefined) return undefined;
        const tree = treePath(artifact.digest, artifact.type === "file" ? (artifact.files[0]?.path ?? "") : "");
        return `azureml://subscriptions/${address.subscription}/resourcegroups/${address.resourceGroup}/workspaces/${address.name}/datastores/workspaceblobstore/paths/${tree}`;
      };
      return { segment: SEGMENTS[record.kind], name: record.name, version: record.version, digest: record.digest, kind: record.kind, body: versionBody(record, uriOf, undefined) };
    });
  // The journal, as apply writes it: one append per create, carrying the version as Azure answered it.
  const { BlobServiceClient, StorageSharedKeyCredential } = await import("@azure/storage-blob");
  const { AZURITE_ACCOUNT, AZURITE_KEY } = await import(pathToFileURL(path.join(projectRoot, "test/azure/standin.mjs")).href);
  const blobs = new BlobServiceClient(env.ASSETCTL_AZUREML_STORAGE_ENDPOINT.replace("{account}", AZURITE_ACCOUNT), new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
  for (let i = 0; i < versions.length; i += 500) {
    const batch = versions.slice(i, i + 500);
    const { resources, blobContainer } = await post(env, "/_standin/seed", { scope: address.resourcePath, versions: batch });
    const journal = blobs.getContainerClient(blobContainer).getAppendBlobClient("assetctl/journal");
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < batch.length) {
          const j = next++;
          const v = batch[j];
          const text = `${JSON.stringify({ at, entry: { op: "create", address: `${v.kind}:${v.name}:${v.version}`, digest: v.digest }, resource: resources[j], container_new: true })}\n`;
          await journal.appendBlock(text, Buffer.byteLength(text));
        }
      }),
    );
  }
  return versions.length;
}

export async function benchAzure(projectRoot, { applyCount = 200, planCount = 5000, embedded = true } = {}) {
  const cli = path.join(projectRoot, "dist/cli/bin.js");
  const script = path.join(projectRoot, "scripts/azure-local.mjs");
  const dir = mkdtempSync(path.join(os.tmpdir(), "assetctl-bench-azure-"));
  execFileSync(process.execPath, [script, "start", dir], { stdio: "ignore" });
  const repos = [];
  try {
    const env = readEnv(path.join(dir, "env"));
    const latency = (ms) => post(env, `/_standin/latency?ms=${ms}`);
    const workspace = (name) => env.ASSETCTL_REGISTRY.replace(/workspaces\/.*$/, `workspaces/${name}`);
    // Control-plane requests served, read before and after a command: what the added latency multiplies.
    const served = async () => (await post(env, "/_standin/requests")).count;
    const counted = new Map();
    const run = (repo, registry, ...args) =>
      timeProcess(process.execPath, [cli, ...args, "--registry", registry], { cwd: repo, okCodes: [0, 2], env: { ...process.env, ...env, ...window, NO_COLOR: "1" } });
    let window = {};
    const cold = (repo, registry) => {
      rmSync(path.join(repo, ".assetctl", "cache"), { recursive: true, force: true });
      return run(repo, registry, "plan");
    };
    /** The median of three timed runs, and the requests the last one made. */
    const measure = async (label, once) => {
      const times = [];
      for (let i = 0; i < 3; i++) {
        const before = await served();
        times.push(once().ms);
        counted.set(label, (await served()) - before);
      }
      return median(times);
    };
    const noChange = (result) => {
      if (!result.stdout.includes("No changes.")) throw new Error(`no-change plan found changes:\n${result.stdout.slice(-500)}`);
      return result;
    };

    const small = makeRepo(applyCount);
    const large = makeRepo(planCount);
    repos.push(small, large);
    // Setup without the added latency: the seeding of the large workspace is not measured.
    await latency(0);
    const seeding = await time(() => seed(projectRoot, cli, large, workspace("bench-large"), env));
    if (seeding.value !== planCount) throw new Error(`seeded ${seeding.value} versions, expected ${planCount}`);
    await latency(LATENCY_MS);
    const beforeApply = await served();
    const azureApply = run(small, workspace("bench-small"), "apply", "--auto-approve");
    counted.set("apply", (await served()) - beforeApply);
    noChange(run(small, workspace("bench-small"), "plan"));
    // The state token listing every container (ASSETCTL_AZUREML_REUSE_WINDOW=0), then the default one (the journal and a window).
    window = { ASSETCTL_AZUREML_REUSE_WINDOW: "0" };
    const listedCold = await measure("cold, listed", () => noChange(cold(large, workspace("bench-large"))));
    const listedReused = await measure("reused, listed", () => noChange(run(large, workspace("bench-large"), "plan")));
    window = {};
    const azureCold = await measure("cold", () => noChange(cold(large, workspace("bench-large"))));
    const azureReused = await measure("reused", () => noChange(run(large, workspace("bench-large"), "plan")));
    let embeddedApply, embeddedCold, embeddedReused;
    if (embedded) {
      embeddedApply = run(small, ".assetctl/embedded", "apply", "--auto-approve").ms;
      run(large, ".assetctl/embedded", "apply", "--auto-approve");
      embeddedCold = median([1, 2, 3].map(() => noChange(cold(large, ".assetctl/embedded")).ms));
      embeddedReused = median([1, 2, 3].map(() => noChange(run(large, ".assetctl/embedded", "plan")).ms));
    }
    const row = (what, mine, baseline, targetMs, requests) => ({
      measure: `${what} [${requests} requests]`,
      value: formatMs(mine),
      target: `≤ ${formatMs(targetMs)}`,
      met: mine <= targetMs,
      baseline: baseline === undefined ? undefined : `${formatMs(baseline)} (embedded)`,
    });
    printTable(`Azure ML workspace (stand-in + ${LATENCY_MS} ms per request, Azurite) vs the embedded registry, through the CLI; ${planCount} versions seeded in ${formatMs(seeding.ms)}`, [
      row(`apply ${applyCount} new versions`, azureApply.ms, embeddedApply, 15_000, counted.get("apply")),
      row(`no-change plan, ${planCount} versions, cold (median of 3)`, azureCold, embeddedCold, 5_000, counted.get("cold")),
      row(`no-change plan, ${planCount} versions, reused (median of 3)`, azureReused, embeddedReused, 1_000, counted.get("reused")),
      row(`  the same, cold, token listing every container`, listedCold, embeddedCold, 5_000, counted.get("cold, listed")),
      row(`  the same, reused, token listing every container`, listedReused, embeddedReused, 1_000, counted.get("reused, listed")),
    ]);
  } finally {
    for (const repo of repos) rmSync(repo, { recursive: true, force: true });
    execFileSync(process.execPath, [script, "stop", dir], { stdio: "ignore" });
    rmSync(dir, { recursive: true, force: true });
  }
}
