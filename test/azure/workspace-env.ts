// A fresh Azure ML workspace on the stand-in started by test/servers.global-setup.ts, as the environment
// a CLI process reads: ASSETCTL_REGISTRY and the endpoint, storage and token variables. Missing servers
// fail the test: Azurite and the stand-in are npm packages and test code, always there.
import { randomBytes } from "node:crypto";

export function azureWorkspace(): { env: NodeJS.ProcessEnv; url: string; cleanup(): Promise<void> } {
  const endpoint = process.env["ASSETCTL_TEST_AZUREML"];
  const token = process.env["ASSETCTL_TEST_AZUREML_TOKEN"];
  const azurite = process.env["ASSETCTL_TEST_AZURITE"];
  if (!endpoint || !token || !azurite) throw new Error("the Azure ML stand-in or Azurite is not running (see test/servers.global-setup.ts)");
  const url = `azureml://subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/assetctl-e2e/workspaces/ws-${randomBytes(5).toString("hex")}`;
  return {
    url,
    env: {
      ASSETCTL_REGISTRY: url,
      ASSETCTL_AZUREML_ENDPOINT: endpoint,
      ASSETCTL_AZUREML_STORAGE_ENDPOINT: azurite.replace(/\/[^/]+$/, "/{account}"),
      ASSETCTL_AZUREML_ACCESS_TOKEN: token,
    },
    cleanup: async () => {},
  };
}
