// Mutation-testing bench for the apply workflow and the embedded registry's storage (`npm run
// mutation:storage`, never part of `npm test`): the same settings as stryker.config.mjs, mutating
// src/apply and the fs driver's journal and records, each mutant tested by their own unit tests and the
// registry conformance suite as the fs driver runs it (vitest.mutation-storage.config.ts). Results:
// docs/mutation.md.
import base from "./stryker.config.mjs";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: "vitest.mutation-storage.config.ts", related: false },
  mutate: ["src/apply/apply.ts", "src/apply/stale.ts", "src/apply/archive.ts", "src/registry/drivers/fs/journal.ts", "src/registry/drivers/fs/records.ts"],
  jsonReporter: { fileName: "reports/mutation/storage.json" },
  tempDirName: ".stryker-tmp-storage",
};
