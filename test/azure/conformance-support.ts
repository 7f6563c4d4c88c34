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

  describeRegistryConformance(label, async () => {
    const url = freshUrl();
    return {
      driver: workspaceDriver(server, url),
      connect: async (identity) => workspaceDriver(server, url, identity),
      cleanup: async () => {},
    };
  });

  it("kept every request and response within the OpenAPI definitions", () => {
    expect(server.violations).toEqual([]);
  });
}
