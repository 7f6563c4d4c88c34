// The registry conformance suite, unchanged, on an Azure ML registry (azureml://…/registries/NAME): the
// control-plane stand-in (validating every body against the OpenAPI definitions), objects through the
// pending-upload flow into Azurite, and the journal and lock as the registry's own assets. Nothing is
// skipped as "not applicable" except what the suite itself makes optional: gc's object sweep (a
// registry's storage is the service's to free) and repairObject (no driver here has it).
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeRegistryConformance } from "../../src/registry/conformance.test-helper.js";
import { freshRegistryUrl, standIn, workspaceDriver, type StandIn } from "./support.js";

let server: StandIn;
beforeAll(async () => {
  server = await standIn({ pageSize: 7 });
});
afterAll(async () => {
  await server?.stop();
});

describeRegistryConformance("azure ml registry (stand-in + Azurite)", async () => {
  const url = freshRegistryUrl();
  return {
    driver: workspaceDriver(server, url),
    connect: async (identity) => workspaceDriver(server, url, identity),
    cleanup: async () => {},
  };
});

it("kept every request and response within the OpenAPI definitions", () => {
  expect(server.violations).toEqual([]);
});
