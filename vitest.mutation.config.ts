// The unit tests the mutation bench (stryker.config.mjs) runs against each mutant of src/plan: the pure
// planner's own, with no servers and no built CLI. Not part of `npm test`.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/plan/**/*.test.ts"],
    testTimeout: 60_000,
    pool: "forks",
  },
});
