// The registry conformance suite, unchanged, on an Azure ML registry (azureml://…/registries/NAME): the
// control-plane stand-in (validating every body against the OpenAPI definitions), objects through the
// pending-upload flow into Azurite, and the journal and lock as the registry's own assets. Nothing is
// skipped as "not applicable" except what the suite itself makes optional: gc's object sweep (a
// registry's storage is the service's to free) and repairObject (no driver here has it).
import { describeAzureConformance } from "./conformance-support.js";
import { freshRegistryUrl } from "./support.js";

describeAzureConformance("azure ml registry (stand-in + Azurite)", freshRegistryUrl);
