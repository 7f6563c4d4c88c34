// The tests the storage mutation bench (stryker.storage.config.mjs) runs against each mutant: the apply
// workflow's unit tests and the fs driver's (the registry conformance suite included). No servers, no
// built CLI. Not part of `npm test`.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/apply/**/*.test.ts", "src/registry/drivers/fs.test.ts"],
    testTimeout: 60_000,
    pool: "forks",
  },
});
