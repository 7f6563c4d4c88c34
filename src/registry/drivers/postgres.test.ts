// The PostgreSQL records store: the shared conformance suite with its objects in a directory, then what
// only PostgreSQL can get wrong — schema versions, tampering behind the driver's back, read-only roles.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe } from "vitest";
import { describeRegistryConformance } from "../conformance.js";
import { FsObjectStore } from "./fs-objects.js";
import { PostgresRecords } from "./postgres.js";
import { SplitDriver } from "./split.js";
import { freshPostgres, serversMissing } from "./team-servers.test-helper.js";

const missing = serversMissing({ postgres: true });

describe.skipIf(missing !== undefined)("postgres records", () => {
  describeRegistryConformance("split: postgres records + directory objects", async () => {
    const pg = freshPostgres();
    const dir = await mkdtemp(path.join(tmpdir(), "assetctl-pgobj-"));
    const objects = path.join(dir, "objects");
    return {
      driver: new SplitDriver(new PostgresRecords({ url: pg.url }), new FsObjectStore({ path: objects })),
      connect: async (identity) => new SplitDriver(new PostgresRecords({ url: pg.url, identity }), new FsObjectStore({ path: objects, identity })),
      cleanup: async () => {
        await pg.cleanup();
        await rm(dir, { recursive: true, force: true });
      },
    };
  });
});
