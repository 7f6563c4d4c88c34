// What an `azureml://` registry address names: a workspace or a registry in Azure Machine Learning, and
// where its control plane and storage are reached (Azure's public cloud unless overridden for a
// sovereign cloud or a local stand-in).
import { RegistryError } from "../../driver.js";

/** The one API version of Microsoft.MachineLearningServices every request uses. */
export const API_VERSION = "2024-10-01";
export const PUBLIC_ARM_ENDPOINT = "https://management.azure.com";

export interface AzureMlAddress {
  kind: "workspaces" | "registries";
  subscription: string;
  resourceGroup: string;
  name: string;
  /** Azure Resource Manager, without a trailing slash. */
  endpoint: string;
  /**
   * The blob endpoint of a storage account, `{account}` standing for its name; undefined: the one the
   * datastore names (`{protocol}://{account}.blob.{endpoint}`).
   */
  storageEndpoint: string | undefined;
  /** `/subscriptions/…/providers/Microsoft.MachineLearningServices/workspaces/NAME` */
  resourcePath: string;
}

const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._()-]{0,89}$/;

/**
 * `azureml://subscriptions/SUB/resourceGroups/RG/workspaces/WS`, `…/registries/NAME`, or
 * `azureml://registries/NAME?subscription=SUB&resourceGroup=RG`. `?endpoint=URL` (or
 * ASSETCTL_AZUREML_ENDPOINT) overrides Azure Resource Manager, `?storage=URL` (or
 * ASSETCTL_AZUREML_STORAGE_ENDPOINT) the blob endpoint, `{account}` standing for the account name.
 */
export function parseAzureMlAddress(spec: string, env: NodeJS.ProcessEnv = process.env): AzureMlAddress {
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw invalid(spec, "it is not a URL");
  }
  if (url.protocol !== "azureml:") throw invalid(spec, "it does not start with azureml://");
  const parts = `${url.host}${url.pathname}`.split("/").filter(Boolean).map(decodeURIComponent);
  let subscription = url.searchParams.get("subscription") ?? undefined;
  let resourceGroup = url.searchParams.get("resourceGroup") ?? undefined;
  let kind: AzureMlAddress["kind"];
  let name: string | undefined;
  if (parts.length === 6 && parts[0]?.toLowerCase() === "subscriptions" && parts[2]?.toLowerCase() === "resourcegroups") {
    subscription = parts[1];
    resourceGroup = parts[3];
    const k = parts[4]?.toLowerCase();
    if (k !== "workspaces" && k !== "registries") throw invalid(spec, `"${parts[4]}" is neither workspaces nor registries`);
    kind = k;
    name = parts[5];
  } else if (parts.length === 2 && parts[0]?.toLowerCase() === "registries") {
    kind = "registries";
    name = parts[1];
    subscription ??= env["AZURE_SUBSCRIPTION_ID"];
    resourceGroup ??= env["ASSETCTL_AZUREML_RESOURCE_GROUP"];
  } else {
    throw invalid(spec, "it names neither a workspace nor a registry");
  }
  for (const [what, value] of [
    ["subscription", subscription],
    ["resource group", resourceGroup],
    ["name", name],
  ] as const) {
    if (value === undefined || !SEGMENT.test(value)) throw invalid(spec, value === undefined ? `it has no ${what}` : `its ${what} "${value}" is not valid`);
  }
  const endpoint = (url.searchParams.get("endpoint") ?? env["ASSETCTL_AZUREML_ENDPOINT"] ?? PUBLIC_ARM_ENDPOINT).replace(/\/+$/, "");
  checkEndpoint(spec, endpoint);
  const storageEndpoint = url.searchParams.get("storage") ?? env["ASSETCTL_AZUREML_STORAGE_ENDPOINT"] ?? undefined;
  if (storageEndpoint !== undefined) checkEndpoint(spec, storageEndpoint.replace("{account}", "account"));
  const resourcePath = `/subscriptions/${subscription}/resourceGroups/${resourceGroup}/providers/Microsoft.MachineLearningServices/${kind}/${name}`;
  return { kind, subscription: subscription as string, resourceGroup: resourceGroup as string, name: name as string, endpoint, storageEndpoint, resourcePath };
}

/** Plain HTTP only to this machine (a local stand-in): a token never travels unencrypted. */
export function isLoopback(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === "127.0.0.1" || host === "localhost" || host === "[::1]";
}

function checkEndpoint(spec: string, endpoint: string): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw invalid(spec, `the endpoint ${endpoint} is not a URL`);
  }
  if (url.protocol === "https:") return;
  if (url.protocol === "http:" && isLoopback(endpoint)) return;
  throw invalid(spec, `the endpoint ${url.origin} is neither https nor on this machine`);
}

function invalid(spec: string, why: string): RegistryError {
  return new RegistryError(
    "invalid",
    `${spec.replace(/\?.*$/, "")} is not an Azure ML address: ${why}.`,
    "write azureml://subscriptions/SUB/resourceGroups/RG/workspaces/WORKSPACE (or …/registries/NAME)",
  );
}
