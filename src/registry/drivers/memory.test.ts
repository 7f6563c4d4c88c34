// The in-memory registry runs the shared conformance suite unchanged.
import { describeRegistryConformance } from "../conformance.test-helper.js";
import { createMemoryStore, MemoryDriver } from "./memory.js";

describeRegistryConformance("memory", async () => {
  const store = createMemoryStore();
  return {
    driver: new MemoryDriver({ store }),
    connect: async (identity) => new MemoryDriver({ store, identity }),
    cleanup: async () => {},
  };
});
