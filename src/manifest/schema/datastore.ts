// Datastores (`azureBlob`, `azureFile`, `azureDataLakeGen1`, `azureDataLakeGen2` schemas): named links to
// storage. Credentials are shaped as Azure ML expects (the rules refuse literal secrets in them).
import { z } from "zod";
import { nameField, omitKeys, readOnly, stringTags, text } from "./common.js";

/** Letters, digits and underscores, as Azure ML datastore names. */
export const DATASTORE_NAME_PATTERN = "^[a-zA-Z0-9][a-zA-Z0-9_]{0,254}$";

export const DATASTORE_TYPES = ["azure_blob", "azure_file", "azure_data_lake_gen1", "azure_data_lake_gen2"] as const;
export type DatastoreType = (typeof DATASTORE_TYPES)[number];

/** Azure ML matches `AzureBlob`, `azureBlob` and `azure_blob` alike (camel case → snake case, lower-cased). */
export function normalizeDatastoreType(value: string): string {
  return value.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

const secret = z.string().min(1);
const accountKey = z.strictObject({ account_key: secret });
const sasToken = z.strictObject({ sas_token: secret });
const none = z.strictObject({});
const tenant = {
  tenant_id: z.string().min(1),
  client_id: z.string().min(1),
  authority_uri: z.string().optional(),
  resource_url: z.string().optional(),
};
const servicePrincipal = z.strictObject({ ...tenant, client_secret: secret });
const certificate = z.strictObject({ ...tenant, thumbprint: z.string().min(1), certificate: secret.optional() });

function datastore<T extends DatastoreType>(type: T, shape: z.ZodRawShape) {
  const typeField = z
    .string()
    .transform(normalizeDatastoreType)
    .pipe(z.literal(type))
    .meta({ description: `Always ${type} (any casing, or ${type.replace(/_(.)/g, (_, c: string) => c.toUpperCase())}).` });
  return z
    .strictObject({
      $schema: z.string().optional(),
      name: nameField(DATASTORE_NAME_PATTERN),
      type: typeField,
      description: text.optional(),
      tags: stringTags.optional(),
      ...shape,
      id: readOnly,
    })
    .transform(omitKeys(["$schema", "id"]));
}

const storageAccount = {
  account_name: z.string().min(1),
  endpoint: z.string().min(1).optional(),
  protocol: z.string().min(1).optional(),
};

export const datastoreSchemas = {
  azure_blob: datastore("azure_blob", {
    ...storageAccount,
    container_name: z.string().min(1),
    credentials: z.union([accountKey, sasToken, none]).optional(),
  }),
  azure_file: datastore("azure_file", {
    ...storageAccount,
    file_share_name: z.string().min(1),
    credentials: z.union([accountKey, sasToken, none]).optional(),
  }),
  azure_data_lake_gen2: datastore("azure_data_lake_gen2", {
    ...storageAccount,
    filesystem: z.string().min(1),
    credentials: z.union([servicePrincipal, certificate, none]).optional(),
  }),
  azure_data_lake_gen1: datastore("azure_data_lake_gen1", {
    store_name: z.string().min(1),
    credentials: z.union([servicePrincipal, certificate, none]).optional(),
  }),
} satisfies Record<DatastoreType, z.ZodType>;
