// Starts the team registry's test servers (a PostgreSQL cluster and a docker-registry) once per test
// run and stops them at its end; tests find them in ASSETCTL_TEST_POSTGRES and ASSETCTL_TEST_OCI. When
// a server cannot run here, the tests that need it are skipped and this says why.
// @ts-expect-error: a plain ES module script, shared with CI and the command line
import { startAzurite, startTestServers } from "../scripts/test-servers.mjs";

interface Servers {
  env: Record<string, string>;
  skipped: string[];
  stop(): Promise<void>;
}

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  // Servers given from outside (`node scripts/test-servers.mjs -- npx vitest run …`) are used as they are.
  if (process.env["ASSETCTL_TEST_POSTGRES"] && process.env["ASSETCTL_TEST_OCI"]) return startAzuriteAlone();
  if (process.env["ASSETCTL_TEST_SERVERS"] === "off") {
    console.warn("[test servers] ASSETCTL_TEST_SERVERS=off: the PostgreSQL and OCI registry tests are skipped");
    return startAzuriteAlone();
  }
  const servers = (await startTestServers({ install: true })) as Servers;
  Object.assign(process.env, servers.env);
  for (const reason of servers.skipped) console.warn(`[test servers] not started: ${reason}; the tests that need it are skipped`);
  const standIn = await startAzureStandIn();
  return async () => {
    await standIn?.();
    await servers.stop();
  };
}

/**
 * The Azure ML control-plane stand-in (test/azure/standin.mjs) for end-to-end tests that run the CLI as
 * its own process: its endpoint and a day-long token in ASSETCTL_TEST_AZUREML / ASSETCTL_TEST_AZUREML_TOKEN.
 */
async function startAzureStandIn(): Promise<(() => Promise<void>) | undefined> {
  const azurite = process.env["ASSETCTL_TEST_AZURITE"];
  if (!azurite || process.env["ASSETCTL_TEST_AZUREML"]) return undefined;
  // @ts-expect-error: a plain ES module, shared with scripts/azure-local.mjs
  const { startStandIn } = (await import("./azure/standin.mjs")) as { startStandIn(o: { azurite: string }): Promise<AzureStandIn> };
  const standIn = await startStandIn({ azurite });
  process.env["ASSETCTL_TEST_AZUREML"] = standIn.endpoint;
  process.env["ASSETCTL_TEST_AZUREML_TOKEN"] = standIn.mintToken(24 * 3600 * 1000).token;
  return () => standIn.stop();
}

interface AzureStandIn {
  endpoint: string;
  mintToken(ttlMs: number): { token: string };
  stop(): Promise<void>;
}

/** Azurite for the Azure ML driver's tests when the other servers came from outside; never skipped. */
async function startAzuriteAlone(): Promise<(() => Promise<void>) | undefined> {
  if (process.env["ASSETCTL_TEST_AZURITE"]) return undefined;
  const azurite = (await startAzurite()) as { url: string; stop(): Promise<void> };
  process.env["ASSETCTL_TEST_AZURITE"] = azurite.url;
  const standIn = await startAzureStandIn();
  return async () => {
    await standIn?.();
    await azurite.stop();
  };
}
