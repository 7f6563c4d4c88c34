// The PostgreSQL records store: the shared conformance suite with its objects in a directory, then what
// only PostgreSQL can get wrong — schema versions, tampering behind the driver's back, read-only roles.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { describeRegistryConformance } from "../conformance.test-helper.js";
import { RegistryError } from "../driver.js";
import { sampleRecord, sampleUpdate } from "../sample-records.test-helper.js";
import { FsObjectStore } from "./fs-objects.js";
import { PostgresRecords } from "./postgres.js";
import { SCHEMA_VERSION } from "./postgres/schema.js";
import { RegistryCore } from "../core.js";
import { freshPostgres, serversMissing, withPostgres } from "./team-servers.test-helper.js";

const missing = serversMissing({ postgres: true });

describe.skipIf(missing !== undefined)("postgres records", () => {
  describeRegistryConformance("split: postgres records + directory objects", async () => {
    const pg = freshPostgres();
    const dir = await mkdtemp(path.join(tmpdir(), "assetctl-pgobj-"));
    const objects = path.join(dir, "objects");
    return {
      driver: new RegistryCore(new PostgresRecords({ url: pg.url }), new FsObjectStore({ path: objects })),
      connect: async (identity) => new RegistryCore(new PostgresRecords({ url: pg.url, identity }), new FsObjectStore({ path: objects, identity })),
      cleanup: async () => {
        await pg.cleanup();
        await rm(dir, { recursive: true, force: true });
      },
    };
  });
});

describe.skipIf(missing !== undefined)("postgres records store", () => {
  let pg: ReturnType<typeof freshPostgres>;
  let registry: RegistryCore;
  let objectsDir: string;
  const opened: RegistryCore[] = [];

  async function team(url = pg.url): Promise<RegistryCore> {
    const driver = new RegistryCore(new PostgresRecords({ url }), new FsObjectStore({ path: objectsDir }));
    await driver.open({ create: true });
    opened.push(driver);
    return driver;
  }

  beforeEach(async () => {
    pg = freshPostgres();
    objectsDir = await mkdtemp(path.join(tmpdir(), "assetctl-pgobj-"));
    registry = await team();
  });

  afterEach(async () => {
    for (const driver of opened.splice(0)) await driver.close();
    await pg.cleanup();
    await rm(objectsDir, { recursive: true, force: true });
  });

  const sql = (text: string, values: unknown[] = []) => withPostgres((c) => c.query(text, values));

  it("keeps its schema version in assetctl_schema, and refuses a newer one", async () => {
    expect((await sql(`SELECT version FROM "${pg.schema}".assetctl_schema`)).rows).toEqual([{ version: SCHEMA_VERSION }]);
    await sql(`UPDATE "${pg.schema}".assetctl_schema SET version = $1`, [SCHEMA_VERSION + 1]);
    const error = await new PostgresRecords({ url: pg.url }).open().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "format-newer" });
    expect((error as RegistryError).message).toContain(`schema version ${SCHEMA_VERSION + 1}`);
  });

  it("refuses, in the database itself, to change or delete a version, its history or the journal", async () => {
    const record = sampleRecord();
    await registry.createVersion(record);
    await registry.updateVersion(sampleUpdate(record, { mutable: { description: "new" } }));
    for (const statement of [
      `UPDATE "${pg.schema}".assetctl_version SET digest = 'sha256:x'`,
      `DELETE FROM "${pg.schema}".assetctl_version`,
      `UPDATE "${pg.schema}".assetctl_history SET update_digest = 'x'`,
      `DELETE FROM "${pg.schema}".assetctl_journal`,
    ]) {
      await expect(sql(statement)).rejects.toThrow(/never change/);
    }
    // The mutable fields may change, as an update does, and only then.
    await sql(`UPDATE "${pg.schema}".assetctl_version SET archived = true`);
  });

  it("finds records, history and current state changed behind its back", async () => {
    const record = sampleRecord();
    await registry.createVersion(record);
    await registry.updateVersion(sampleUpdate(record, { mutable: { description: "reviewed" } }));
    expect(await registry.verify()).toEqual([]);
    await withPostgres(async (c) => {
      // A superuser can silence the triggers; verify still sees what was done.
      await c.query("SET session_replication_role = replica");
      await c.query(`UPDATE "${pg.schema}".assetctl_version SET record = jsonb_set(record::jsonb, '{spec,path}', '"elsewhere"')::json`);
      await c.query(`UPDATE "${pg.schema}".assetctl_history SET "update" = jsonb_set("update"::jsonb, '{mutable,description}', '"forged"')::json`);
      await c.query(`UPDATE "${pg.schema}".assetctl_version SET archived = true`);
      await c.query(`DELETE FROM "${pg.schema}".assetctl_journal WHERE serial = 1`);
    });
    const problems = await registry.verify();
    expect(problems.map((p) => p.message)).toEqual(
      expect.arrayContaining([
        "The record of model:mnist:1 was changed after it was written.",
        "History entry 1 of model:mnist:1 was changed after it was written.",
        "The current mutable fields of model:mnist:1 do not follow from its history.",
        "Journal entry 1 is missing.",
      ]),
    );
  });

  it("reads a 1,000-version snapshot in one query", async () => {
    await Promise.all(Array.from({ length: 1000 }, (_, i) => registry.createVersion(sampleRecord({ version: String(i + 1) }))));
    const pgModule = ((await import("pg")) as unknown as { default: typeof import("pg") }).default;
    const queries = vi.spyOn(pgModule.Pool.prototype, "query");
    try {
      const snapshot = await registry.snapshot();
      expect(snapshot.versions).toHaveLength(1000);
      expect(snapshot.serial).toBe(1000);
      expect(queries).toHaveBeenCalledTimes(1);
    } finally {
      queries.mockRestore();
    }
  });

  it("lets a read-only role read everything, and refuses its writes with a clear message", async () => {
    const record = sampleRecord();
    await registry.createVersion(record);
    const role = `ro_${pg.schema}`;
    await sql(`CREATE ROLE ${role} LOGIN`);
    await sql(`GRANT USAGE ON SCHEMA "${pg.schema}" TO ${role}`);
    await sql(`GRANT SELECT ON ALL TABLES IN SCHEMA "${pg.schema}" TO ${role}`);
    const url = new URL(pg.url);
    url.username = role;
    const reader = new RegistryCore(new PostgresRecords({ url: url.toString() }), new FsObjectStore({ path: objectsDir }));
    await reader.open();
    opened.push(reader);
    expect((await reader.snapshot()).versions).toHaveLength(1);
    expect(await reader.history("model", "mnist", "1")).toEqual([]);
    expect(await reader.journal()).toHaveLength(1);
    expect(await reader.verify()).toEqual([]);
    for (const write of [
      () => reader.createVersion(sampleRecord({ version: "2" })),
      () => reader.updateVersion(sampleUpdate(record, { archived: true })),
      () => reader.appendJournal({ op: "apply-begin", plan: "p" }),
      () => reader.lock({ owner: "ro", operation: "apply", timeoutMs: 0 }),
    ]) {
      const error = await write().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryError);
      expect((error as RegistryError).code).toBe("unavailable");
      expect((error as RegistryError).message).toMatch(/^The PostgreSQL role may not .+ in postgres:\/\/.+: permission denied/);
    }
    expect((await registry.snapshot()).serial).toBe(1);
    await sql(`DROP OWNED BY ${role}`);
    await sql(`DROP ROLE ${role}`).catch(() => {});
  });

  it("never shows a password, and says clearly when the server cannot be reached", async () => {
    const port = await unusedPort();
    const store = new PostgresRecords({ url: `postgres://ci:s3cret@127.0.0.1:${port}/assets` });
    expect(store.url).toBe(`postgres://ci:***@127.0.0.1:${port}/assets`);
    const error = await store.open().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "unavailable" });
    expect((error as RegistryError).message).toContain(`postgres://ci:***@127.0.0.1:${port}/assets`);
    expect((error as RegistryError).message).not.toContain("s3cret");
  });
});

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
