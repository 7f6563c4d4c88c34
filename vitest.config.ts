import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Private PostgreSQL and OCI registry servers for the team-registry tests (scripts/test-servers.mjs).
    globalSetup: ["test/servers.global-setup.ts"],
  },
});
