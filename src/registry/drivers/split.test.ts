// A split registry kept in two directories (records in one, objects in another, e.g. a shared mount)
// runs the shared conformance suite unchanged, like every other combination of stores.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describeRegistryConformance } from "../conformance.test-helper.js";
import { FsObjectStore } from "./fs-objects.js";
import { FsRecordStore } from "./fs-records.js";
import { RegistryCore } from "../core.js";

describeRegistryConformance("split: directory records + directory objects", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "assetctl-split-"));
  const records = path.join(dir, "records");
  const objects = path.join(dir, "objects");
  return {
    driver: new RegistryCore(new FsRecordStore({ path: records }), new FsObjectStore({ path: objects })),
    connect: async (identity) =>
      new RegistryCore(new FsRecordStore({ path: records, identity }), new FsObjectStore({ path: objects, identity })),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
