// The Azure ML driver's test rig: Azurite (started by test/servers.global-setup.ts, never optional) and
// the control-plane stand-in (test/azure/standin.mjs) in this process, and a fresh workspace per test.
import { randomBytes } from "node:crypto";
import type { TokenCredential } from "@azure/identity";
import { AzureMlDriver } from "../../src/registry/drivers/azureml/driver.js";
import type { ProcessIdentity } from "../../src/registry/lock-policy.js";
// @ts-expect-error: a plain ES module, shared with scripts/azure-local.mjs
import { startStandIn } from "./standin.mjs";

export interface StandIn {
  endpoint: string;
  azurite: string;
  apiVersion: string;
  violations: string[];
  requests: { method: string; path: string; at: number }[];
  mintToken(ttlMs?: number): { token: string; expiresOnTimestamp: number };
  inject(fault: { status: number; times?: number; method?: string; path?: RegExp; retryAfter?: number }): void;
  setLatency(ms: number): void;
  blobContainerOf(sub: string, rg: string, kind: string, name: string): Promise<string>;
  stop(): Promise<void>;
}

/** Azurite's blob endpoint; a missing one fails the test run (the global setup starts it). */
export function azuriteUrl(): string {
  const url = process.env["ASSETCTL_TEST_AZURITE"];
  if (!url) throw new Error("ASSETCTL_TEST_AZURITE is not set: Azurite did not start (see test/servers.global-setup.ts)");
  return url;
}

export async function standIn(options: { latencyMs?: number; pageSize?: number } = {}): Promise<StandIn> {
  return (await startStandIn({ azurite: azuriteUrl(), ...options })) as StandIn;
}

/** The environment a CLI process needs to reach the stand-in and Azurite. */
export function azureEnv(server: StandIn, ttlMs?: number): Record<string, string> {
  return {
    ASSETCTL_AZUREML_ENDPOINT: server.endpoint,
    ASSETCTL_AZUREML_STORAGE_ENDPOINT: server.azurite.replace(/\/[^/]+$/, "/{account}"),
    ASSETCTL_AZUREML_ACCESS_TOKEN: server.mintToken(ttlMs).token,
  };
}

export function freshWorkspaceUrl(): string {
  return `azureml://subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/assetctl-test/workspaces/ws-${randomBytes(5).toString("hex")}`;
}

/** A fresh Azure ML registry, in the full form (subscription and resource group in the path). */
export function freshRegistryUrl(): string {
  return `azureml://subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/assetctl-test/registries/reg-${randomBytes(5).toString("hex")}`;
}

export function tokenCredential(server: StandIn): TokenCredential {
  return { getToken: async () => server.mintToken() };
}

export function workspaceDriver(server: StandIn, url: string, identity?: ProcessIdentity, extra: Record<string, string> = {}): AzureMlDriver {
  const env = { ...azureEnv(server), ...extra };
  return new AzureMlDriver({ url, credential: tokenCredential(server), env, ...(identity ? { identity } : {}) });
}
