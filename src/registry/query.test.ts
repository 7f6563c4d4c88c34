import { describe, expect, it } from "vitest";
import { sha256 } from "../digest.js";
import { affectedBy, objectUses } from "./query.js";
import { sampleArtifact, sampleRecord } from "./sample-records.test-helper.js";
import type { RegistrySnapshot } from "./types.js";

describe("objectUses and affectedBy", () => {
  const digest = sha256("weights");
  const snapshot: RegistrySnapshot = {
    serial: 2,
    versions: [
      { record: sampleRecord({ name: "a", version: "1", artifacts: [sampleArtifact(Buffer.from("weights"), "a.pkl")] }), mutable: {}, archived: false, updated_at: "" },
      { record: sampleRecord({ name: "b", version: "3", artifacts: [{ ...sampleArtifact(Buffer.from("weights")), source: "models/b", type: "folder", files: [{ path: "w/b.pkl", digest, size: 7, mode: 0o644 }] }] }), mutable: {}, archived: false, updated_at: "" },
    ],
  };

  it("names every version's file that is the object, folders' files by their path inside", () => {
    expect(objectUses(snapshot, digest)).toEqual([
      { address: "model:a:1", file: "models/a.pkl", size: 7 },
      { address: "model:b:3", file: "models/b/w/b.pkl", size: 7 },
    ]);
    expect(objectUses(snapshot, sha256("other"))).toEqual([]);
  });

  it("adds the uses to object problems only", () => {
    const problems = affectedBy(
      [
        { code: "object-corrupt", message: "corrupt", subject: digest },
        { code: "record-tampered", message: "changed", subject: "model:a:1" },
      ],
      snapshot,
    );
    expect(problems[0]?.affects).toHaveLength(2);
    expect(problems[1]).not.toHaveProperty("affects");
  });
});
