// The registry conformance suite, unchanged, on Azure ML: one stand-in (validating every body against the
// OpenAPI definitions) and Azurite, with a fresh workspace or registry address for each case.
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeRegistryConformance } from "../../src/registry/conformance.test-helper.js";
import { standIn, workspaceDriver, type StandIn } from "./support.js";

export function describeAzureConformance(label: string, freshUrl: () => string): void {
  let server: StandIn;
  beforeAll(async () => {
    server = await standIn({ pageSize: 7 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  // The state token's window (see AzureMlDriver.stateToken) spans the run: that it turns is tested in faults.test.ts.
  const window = { ASSETCTL_AZUREML_REUSE_WINDOW: String(7 * 24 * 3600) };
  describeRegistryConformance(label, async () => {
    const url = freshUrl();
    return {
      driver: workspaceDriver(server, url, undefined, window),
      connect: async (identity) => workspaceDriver(server, url, identity, window),
      cleanup: async () => {},
    };
  });

  it("kept every request and response within the OpenAPI definitions", () => {
    expect(server.violations).toEqual([]);
  });
}
