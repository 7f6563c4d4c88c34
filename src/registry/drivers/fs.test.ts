import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describeRegistryConformance } from "../conformance.js";
import { FsDriver } from "./fs.js";

describeRegistryConformance("fs", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "assetctl-fs-"));
  const root = path.join(dir, "registry");
  return {
    driver: new FsDriver({ path: root }),
    connect: async (identity) => new FsDriver({ path: root, identity }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
