// The registry conformance suite, unchanged, on an Azure ML workspace: the control-plane stand-in
// (validating every body against the OpenAPI definitions) and Azurite for the workspace's storage.
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeRegistryConformance } from "../../src/registry/conformance.test-helper.js";
import { freshWorkspaceUrl, standIn, workspaceDriver, type StandIn } from "./support.js";

let server: StandIn;
beforeAll(async () => {
  server = await standIn({ pageSize: 7 });
});
afterAll(async () => {
  await server?.stop();
});

describeRegistryConformance("azure ml workspace (stand-in + Azurite)", async () => {
  const url = freshWorkspaceUrl();
  return {
    driver: workspaceDriver(server, url),
    connect: async (identity) => workspaceDriver(server, url, identity),
    cleanup: async () => {},
  };
});

it("kept every request and response within the OpenAPI definitions", () => {
  expect(server.violations).toEqual([]);
});
