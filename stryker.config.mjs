// Mutation-testing bench (`npm run mutation`, never part of `npm test`): StrykerJS mutates the pure
// planner and runs only its unit tests (vitest.mutation.config.ts) against each mutant; the score says how
// many of the planner's small mistakes the tests would catch. Results: docs/mutation.md.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.ts", related: false },
  plugins: ["@stryker-mutator/vitest-runner"],
  // The whole of src/plan is 1,379 mutants, more than a bench run of ~25 minutes tests on 2 shared cores;
  // plan.ts (the larger part) is left for a run of its own: `npm run mutation -- --mutate src/plan/plan.ts`.
  mutate: ["src/plan/alias-plan.ts", "src/plan/cascade.ts", "src/plan/patch.ts", "src/plan/artifacts.ts", "src/plan/address.ts"],
  coverageAnalysis: "perTest",
  concurrency: 1,
  ignoreStatic: true,
  timeoutMS: 10_000,
  reporters: ["clear-text", "progress", "json"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  tempDirName: ".stryker-tmp",
  cleanTempDir: true,
};
