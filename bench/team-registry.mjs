// Benchmark: the team registry (PostgreSQL records + OCI objects, on private servers started for the
// run) beside the embedded registry, through the built CLI: apply of 1,000 new versions, and a
// no-change plan over 10,000 versions.
import { rmSync } from "node:fs";
import path from "node:path";
import { startTestServers } from "../scripts/test-servers.mjs";
import { makeRepo } from "./core-loop.mjs";
import { formatMs, median, printTable, timeProcess } from "./measure.mjs";

/**
 * Applies `repo` to `registry` (timed), then plans again three times (the median, as the machine may
 * be busy) and checks that nothing would change.
 */
function applyThenPlan(cli, repo, registry) {
  const run = (...args) => timeProcess(process.execPath, [cli, ...args, "--registry", registry], { cwd: repo, okCodes: [0, 2] });
  const apply = run("apply", "--auto-approve");
  const plans = [run("plan"), run("plan"), run("plan")];
  for (const plan of plans) {
    if (!plan.stdout.includes("No changes.")) throw new Error(`no-change plan found changes:\n${plan.stdout.slice(-500)}`);
  }
  return { apply, plan: { ms: median(plans.map((p) => p.ms)) } };
}

export async function benchTeamRegistry(projectRoot, { applyCount = 1000, planCount = 10_000 } = {}) {
  const cli = path.join(projectRoot, "dist/cli/bin.js");
  const servers = await startTestServers({ install: false });
  if (!servers.env.ASSETCTL_TEST_POSTGRES || !servers.env.ASSETCTL_TEST_OCI) {
    await servers.stop();
    console.log(`\n(team registry benchmark skipped: ${servers.skipped.join("; ")})`);
    return;
  }
  const repos = [];
  try {
    const team = (name) => `${servers.env.ASSETCTL_TEST_POSTGRES}?schema=${name}&objects=${servers.env.ASSETCTL_TEST_OCI}/${name.replace(/_/g, "-")}`;
    const small = makeRepo(applyCount);
    const large = makeRepo(planCount);
    repos.push(small, large);
    const embeddedSmall = applyThenPlan(cli, small, ".assetctl/small");
    const teamSmall = applyThenPlan(cli, small, team("bench_small"));
    const embeddedLarge = applyThenPlan(cli, large, ".assetctl/large");
    const teamLarge = applyThenPlan(cli, large, team("bench_large"));
    const row = (measure, mine, embedded) => ({
      measure,
      value: formatMs(mine.ms),
      baseline: `${formatMs(embedded.ms)} (embedded)`,
      ratio: `${(mine.ms / embedded.ms).toFixed(1)}× the embedded time`,
    });
    printTable("team registry (PostgreSQL + OCI) vs the embedded registry, through the CLI", [
      row(`apply ${applyCount} new versions`, teamSmall.apply, embeddedSmall.apply),
      row(`no-change plan, ${applyCount} versions (median of 3)`, teamSmall.plan, embeddedSmall.plan),
      row(`apply ${planCount} new versions (setup)`, teamLarge.apply, embeddedLarge.apply),
      row(`no-change plan, ${planCount} versions (median of 3)`, teamLarge.plan, embeddedLarge.plan),
    ]);
  } finally {
    for (const repo of repos) rmSync(repo, { recursive: true, force: true });
    await servers.stop();
  }
}
