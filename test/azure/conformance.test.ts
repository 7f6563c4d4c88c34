// The registry conformance suite, unchanged, on an Azure ML workspace: the control-plane stand-in
// (validating every body against the OpenAPI definitions) and Azurite for the workspace's storage.
import { describeAzureConformance } from "./conformance-support.js";
import { freshWorkspaceUrl } from "./support.js";

describeAzureConformance("azure ml workspace (stand-in + Azurite)", freshWorkspaceUrl);
