import { describe, expect, it } from "vitest";
import { sha256 } from "../digest.js";
import { affectedBy, latestOf, latestVersions, objectUses } from "./query.js";
import { sampleArtifact, sampleRecord } from "./sample-records.test-helper.js";
import type { RegistrySnapshot, StoredVersion } from "./types.js";

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

describe("latestOf", () => {
  const at = (version: string, day: number, state: { archived?: boolean; deleted?: true } = {}): StoredVersion => ({
    record: sampleRecord({ version, created_at: `2026-01-${String(day).padStart(2, "0")}T00:00:00.000Z` }),
    mutable: {},
    archived: state.archived ?? false,
    ...(state.deleted ? { deleted: true as const } : {}),
    updated_at: "2026-02-01T00:00:00.000Z",
  });
  const latest = (versions: StoredVersion[]): string | undefined => {
    const found = latestOf(versions);
    return found === undefined ? undefined : `${found.version.record.version}${found.live ? "" : " (not live)"}`;
  };

  it("is the newest live version, else the newest gc left, else the newest, in any order", () => {
    expect(latest([])).toBeUndefined();
    expect(latest([at("2", 2), at("1", 1), at("3", 3, { archived: true })])).toBe("2");
    expect(latest([at("3", 3, { deleted: true }), at("2", 2)])).toBe("2");
    expect(latest([at("1", 1, { archived: true }), at("2", 2, { archived: true, deleted: true })])).toBe("1 (not live)");
    expect(latest([at("1", 1, { deleted: true }), at("2", 2, { deleted: true })])).toBe("2 (not live)");
    // The same creation time: the higher version.
    expect(latest([at("10", 1), at("9", 1)])).toBe("10");
  });

  it("latestVersions: the latest of every asset that has a live version", () => {
    const versions = [at("1", 1), at("2", 2, { deleted: true })];
    expect(latestVersions(versions).map((v) => v.record.version)).toEqual(["1"]);
    expect(latestVersions([at("1", 1, { archived: true })])).toEqual([]);
  });
});
