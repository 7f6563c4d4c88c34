// The OCI objects store: the shared conformance suite as a team registry (PostgreSQL records + OCI
// objects), then what only an OCI registry shows — artifacts pullable by name and version, tags never
// moved, chunked uploads, digests checked both ways.
import { describe } from "vitest";
import { describeRegistryConformance } from "../conformance.js";
import { OciObjectStore } from "./oci.js";
import { PostgresRecords } from "./postgres.js";
import { SplitDriver } from "./split.js";
import { freshOci, freshPostgres, serversMissing } from "./team-servers.test-helper.js";

const missing = serversMissing({ postgres: true, oci: true });

describe.skipIf(missing !== undefined)("oci objects", () => {
  describeRegistryConformance("split: postgres records + oci objects", async () => {
    const pg = freshPostgres();
    const oci = freshOci();
    // Small chunks, so the few-MB conformance file goes up in several.
    const objects = () => new OciObjectStore({ url: oci, chunkSize: 1024 * 1024, timeoutMs: 10_000 });
    return {
      driver: new SplitDriver(new PostgresRecords({ url: pg.url }), objects()),
      connect: async (identity) => new SplitDriver(new PostgresRecords({ url: pg.url, identity }), objects()),
      cleanup: () => pg.cleanup(),
    };
  });
});
