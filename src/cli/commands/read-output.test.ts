// The read commands' text and JSON, pinned against one in-memory registry: list, show, history and diff
// must print exactly this whatever builds their view models.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "../../digest.js";
import { openRegistry } from "../../registry/open.js";
import { sampleAliasMove, sampleArtifact, sampleProvenance, sampleRecord, sampleUpdate } from "../../registry/sample-records.test-helper.js";
import { recordingIo } from "../io.test-helper.js";
import { main } from "../main.js";

const REGISTRY = "memory:read-output-test";
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "assetctl-read-"));
  const registry = await openRegistry(REGISTRY, { repoRoot: dir, create: true });
  const data = Buffer.from("weights");
  await registry.putObject(sha256(data), { kind: "bytes", data });
  await registry.createVersion(sampleRecord({ version: "1" }));
  await registry.createVersion(
    sampleRecord({
      version: "2",
      spec: { name: "mnist", version: "2", type: "custom_model", path: "models/model.pkl" },
      artifacts: [sampleArtifact(data)],
      dependencies: ["environment:base:1"],
      provenance: sampleProvenance({ author: "Ada <ada@example.com>", applied_by: { user: "octocat", via: "github-actions" }, dirty: true }),
      created_at: "2026-01-02T00:00:00.000Z",
    }),
  );
  await registry.createVersion(sampleRecord({ kind: "data", name: "digits", version: "1", spec: { name: "digits", version: "1", type: "uri_folder", path: "azureml://datastores/x/paths/y" }, created_at: "2026-01-03T00:00:00.000Z" }));
  await registry.createVersion(sampleRecord({ kind: "environment", name: "old", version: "1", created_at: "2026-01-04T00:00:00.000Z" }));
  await registry.createVersion(sampleRecord({ kind: "component", name: "anon", version: "1", anonymous: true, created_at: "2026-01-05T00:00:00.000Z" }));
  await registry.updateVersion(sampleUpdate({ kind: "model", name: "mnist", version: "1" }, { mutable: { description: "first" }, provenance: sampleProvenance({ branch: "dev", remote: "git@example.com:ml/mnist.git" }) }));
  await registry.updateVersion(sampleUpdate({ kind: "model", name: "mnist", version: "1" }, { archived: true, updated_at: "2026-02-02T00:00:00.000Z", provenance: sampleProvenance({ commit: null, branch: null, manifest: "models/mnist.yml", applied_by: { user: "ada@host", via: "os" } }) }));
  await registry.updateVersion(sampleUpdate({ kind: "environment", name: "old", version: "1" }, { archived: true }));
  await registry.updateVersion(sampleUpdate({ kind: "data", name: "digits", version: "1" }, { deleted: true, updated_at: "2026-02-03T00:00:00.000Z" }));
  await registry.moveAlias(sampleAliasMove({ alias: "staging", to: "1", at: "2026-03-01T00:00:00.000Z" }));
  await registry.moveAlias(sampleAliasMove({ alias: "staging", from: "1", to: "2", at: "2026-03-02T00:00:00.000Z", message: "stage 2" }));
  await registry.moveAlias(sampleAliasMove({ alias: "production", to: "2", commit: null, author: null, message: null, at: "2026-03-03T00:00:00.000Z" }));
  await registry.moveAlias(sampleAliasMove({ alias: "production", from: "2", to: null, at: "2026-03-04T00:00:00.000Z", message: "retire" }));
  await registry.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ code: number; out: string }> {
  const io = recordingIo();
  const code = await main([...argv, "--dir", dir, "--registry", REGISTRY], io);
  return { code, out: io.lines.join("\n") };
}

describe("list", () => {
  it("prints one row per asset, the latest live version, archived and gc-deleted ones only with --all", async () => {
    expect((await run("list")).out).toMatchInlineSnapshot(`
      "KIND   NAME   LATEST  VERSIONS  COMMIT              DIGEST        CREATED
      model  mnist  2       2         0123456789ab+dirty  1e775e92a88a  2026-01-02T00:00:00.000Z"
    `);
    expect((await run("list", "--all")).out).toMatchInlineSnapshot(`
      "KIND         NAME                    LATEST  VERSIONS  COMMIT              DIGEST        CREATED
      component    anon                    1       1         0123456789ab        0de61ffba0e5  2026-01-05T00:00:00.000Z
      data         digits (deleted by gc)  1       1         0123456789ab        026abda8f2fd  2026-01-03T00:00:00.000Z
      environment  old (archived)          1       1         0123456789ab        affdf63974ce  2026-01-04T00:00:00.000Z
      model        mnist                   2       2         0123456789ab+dirty  1e775e92a88a  2026-01-02T00:00:00.000Z"
    `);
    expect((await run("list", "environment")).out).toMatchInlineSnapshot(`"The registry is empty. (no environment)"`);
    expect((await run("list", "model", "--json")).out).toMatchInlineSnapshot(`
      "{
        "serial": 13,
        "assets": [
          {
            "address": "model:mnist:2",
            "kind": "model",
            "name": "mnist",
            "latest": "2",
            "versions": 2,
            "archived": false,
            "digest": "sha256:1e775e92a88abf8ef7849543dd434f490536f147d73efcc3df7b0b88e94046a2",
            "commit": "0123456789abcdef0123456789abcdef01234567",
            "dirty": true,
            "created_at": "2026-01-02T00:00:00.000Z"
          }
        ]
      }"
    `);
  });
});

describe("show", () => {
  it("prints a version with its provenance, fields, artifacts and spec", async () => {
    expect((await run("show", "model:mnist:2")).out).toMatchInlineSnapshot(`
      "model:mnist:2
        digest:      sha256:1e775e92a88abf8ef7849543dd434f490536f147d73efcc3df7b0b88e94046a2
        created:     2026-01-02T00:00:00.000Z
        commit:      0123456789abcdef0123456789abcdef01234567 (dirty) on main
        author:      Ada <ada@example.com>
        applied by:  octocat (GitHub Actions)
        manifest:    models/model.yml
        tool:        assetctl 0.0.0-test
        description: a model
        tags:        team=vision
        depends on:  environment:base:1
        artifact /path: models/model.pkl (file, 1 file, 7 bytes, untracked) 9a129038d9a0
        spec:
          {
            "name": "mnist",
            "version": "2",
            "type": "custom_model",
            "path": "models/model.pkl"
          }"
    `);
    expect((await run("show", "model:mnist@staging", "--at", "2026-03-01")).out).toMatchInlineSnapshot(`
      "model:mnist:1 (archived)  (model:mnist@staging at 2026-03-01T23:59:59.999Z)
        digest:      sha256:783581bc0a318e38414e68f9a5f3d6696fe58d313ecc60e2480f1617a2c3d780
        created:     2026-01-01T00:00:00.000Z
        commit:      0123456789abcdef0123456789abcdef01234567 on main
        manifest:    models/model.yml
        tool:        assetctl 0.0.0-test
        description: first
        spec:
          {
            "name": "mnist",
            "version": "1",
            "type": "custom_model",
            "path": "sha256:none"
          }"
    `);
    expect((await run("show", "data:digits:1")).out).toMatchInlineSnapshot(`
      "data:digits:1 (deleted by gc, journal #9)
        digest:      sha256:026abda8f2fd43cbb9dd396f7328e2f5d0c2b935f8de520a19b491df8f7162d7
        created:     2026-01-03T00:00:00.000Z
        commit:      0123456789abcdef0123456789abcdef01234567 on main
        manifest:    models/model.yml
        tool:        assetctl 0.0.0-test
        description: a model
        tags:        team=vision
        files at:    azureml://datastores/x/paths/y (not stored in the registry)
        spec:
          {
            "name": "digits",
            "version": "1",
            "type": "uri_folder",
            "path": "azureml://datastores/x/paths/y"
          }"
    `);
    expect((await run("show", "data:digits:1", "--json")).out).toMatchInlineSnapshot(`
      "{
        "kind": "data",
        "name": "digits",
        "version": "1",
        "digest": "sha256:026abda8f2fd43cbb9dd396f7328e2f5d0c2b935f8de520a19b491df8f7162d7",
        "spec": {
          "name": "digits",
          "version": "1",
          "type": "uri_folder",
          "path": "azureml://datastores/x/paths/y"
        },
        "mutable": {
          "description": "a model",
          "tags": {
            "team": "vision"
          }
        },
        "artifacts": [],
        "dependencies": [],
        "anonymous": false,
        "provenance": {
          "commit": "0123456789abcdef0123456789abcdef01234567",
          "dirty": false,
          "branch": "main",
          "remote": null,
          "ref": null,
          "manifest": "models/model.yml",
          "tool_version": "0.0.0-test"
        },
        "created_at": "2026-01-03T00:00:00.000Z",
        "archived": false,
        "deleted": {
          "by": "gc",
          "journal": 9
        },
        "updated_at": "2026-02-03T00:00:00.000Z"
      }"
    `);
    expect((await run("show", "model:mnist@staging", "--json")).out).toMatchInlineSnapshot(`
      "{
        "kind": "model",
        "name": "mnist",
        "version": "2",
        "digest": "sha256:1e775e92a88abf8ef7849543dd434f490536f147d73efcc3df7b0b88e94046a2",
        "spec": {
          "name": "mnist",
          "version": "2",
          "type": "custom_model",
          "path": "models/model.pkl"
        },
        "mutable": {
          "description": "a model",
          "tags": {
            "team": "vision"
          }
        },
        "artifacts": [
          {
            "pointer": "/path",
            "source": "models/model.pkl",
            "type": "file",
            "digest": "sha256:9a129038d9a00aed0cf6a7ea059ca50a813449061ab87848cf1a13eafdf33b2c",
            "size": 7,
            "files": [
              {
                "path": "model.pkl",
                "digest": "sha256:9a129038d9a00aed0cf6a7ea059ca50a813449061ab87848cf1a13eafdf33b2c",
                "size": 7,
                "mode": 420
              }
            ],
            "git": "untracked"
          }
        ],
        "dependencies": [
          "environment:base:1"
        ],
        "anonymous": false,
        "provenance": {
          "commit": "0123456789abcdef0123456789abcdef01234567",
          "dirty": true,
          "branch": "main",
          "remote": null,
          "ref": null,
          "manifest": "models/model.yml",
          "tool_version": "0.0.0-test",
          "author": "Ada <ada@example.com>",
          "applied_by": {
            "user": "octocat",
            "via": "github-actions"
          }
        },
        "created_at": "2026-01-02T00:00:00.000Z",
        "archived": false,
        "updated_at": "2026-01-02T00:00:00.000Z",
        "via_alias": {
          "alias": "staging",
          "at": null
        }
      }"
    `);
  });
});

describe("history", () => {
  it("lists versions with their updates, then the moves of the aliases that named them (JSON: alias_moves, only when there are some)", async () => {
    expect((await run("history", "model:mnist")).out).toMatchInlineSnapshot(`
      "1        2026-01-01T00:00:00.000Z  0123456789ab  783581bc0a31  (archived)
               2026-02-01T00:00:00.000Z  0123456789ab  updated description
               2026-02-02T00:00:00.000Z  (no commit)  archived  by ada@host
      2        2026-01-02T00:00:00.000Z  0123456789ab+dirty  1e775e92a88a  by octocat (GitHub Actions)

      ALIAS        TIME                      MOVE           COMMIT        AUTHOR                 MESSAGE
      @staging     2026-03-01T00:00:00.000Z  → 1            0123456789ab  Ada <ada@example.com>  promote mnist
      @staging     2026-03-02T00:00:00.000Z  1 → 2          0123456789ab  Ada <ada@example.com>  stage 2
      @production  2026-03-03T00:00:00.000Z  → 2            (no commit)
      @production  2026-03-04T00:00:00.000Z  2 → (removed)  0123456789ab  Ada <ada@example.com>  retire"
    `);
    expect((await run("history", "data:digits")).out).toMatchInlineSnapshot(`
      "1        2026-01-03T00:00:00.000Z  0123456789ab  026abda8f2fd  (deleted by gc)
               2026-02-03T00:00:00.000Z  0123456789ab  deleted by gc"
    `);
    expect((await run("history", "model:mnist:1", "--json")).out).toMatchInlineSnapshot(`
      "{
        "versions": [
          {
            "address": "model:mnist:1",
            "version": "1",
            "digest": "sha256:783581bc0a318e38414e68f9a5f3d6696fe58d313ecc60e2480f1617a2c3d780",
            "commit": "0123456789abcdef0123456789abcdef01234567",
            "dirty": false,
            "manifest": "models/model.yml",
            "author": null,
            "applied_by": null,
            "created_at": "2026-01-01T00:00:00.000Z",
            "archived": true,
            "updates": [
              {
                "kind": "model",
                "name": "mnist",
                "version": "1",
                "provenance": {
                  "commit": "0123456789abcdef0123456789abcdef01234567",
                  "dirty": false,
                  "branch": "dev",
                  "remote": "git@example.com:ml/mnist.git",
                  "ref": null,
                  "manifest": "models/model.yml",
                  "tool_version": "0.0.0-test"
                },
                "updated_at": "2026-02-01T00:00:00.000Z",
                "mutable": {
                  "description": "first"
                }
              },
              {
                "kind": "model",
                "name": "mnist",
                "version": "1",
                "provenance": {
                  "commit": null,
                  "dirty": false,
                  "branch": null,
                  "remote": null,
                  "ref": null,
                  "manifest": "models/mnist.yml",
                  "tool_version": "0.0.0-test",
                  "applied_by": {
                    "user": "ada@host",
                    "via": "os"
                  }
                },
                "updated_at": "2026-02-02T00:00:00.000Z",
                "archived": true
              }
            ]
          }
        ],
        "alias_moves": [
          {
            "kind": "model",
            "name": "mnist",
            "alias": "staging",
            "from": null,
            "to": "1",
            "commit": "0123456789abcdef0123456789abcdef01234567",
            "author": "Ada <ada@example.com>",
            "message": "promote mnist",
            "at": "2026-03-01T00:00:00.000Z",
            "serial": 10
          },
          {
            "kind": "model",
            "name": "mnist",
            "alias": "staging",
            "from": "1",
            "to": "2",
            "commit": "0123456789abcdef0123456789abcdef01234567",
            "author": "Ada <ada@example.com>",
            "message": "stage 2",
            "at": "2026-03-02T00:00:00.000Z",
            "serial": 11
          }
        ]
      }"
    `);
  });

  it("lists an alias's moves", async () => {
    expect((await run("history", "model:mnist@production")).out).toMatchInlineSnapshot(`
      "TIME                      MOVE           COMMIT        AUTHOR                 MESSAGE
      2026-03-03T00:00:00.000Z  → 2            (no commit)
      2026-03-04T00:00:00.000Z  2 → (removed)  0123456789ab  Ada <ada@example.com>  retire"
    `);
    expect((await run("history", "model:mnist@production", "--json")).out).toMatchInlineSnapshot(`
      "{
        "alias": "model:mnist@production",
        "moves": [
          {
            "kind": "model",
            "name": "mnist",
            "alias": "production",
            "from": null,
            "to": "2",
            "commit": null,
            "author": null,
            "message": null,
            "at": "2026-03-03T00:00:00.000Z",
            "serial": 12
          },
          {
            "kind": "model",
            "name": "mnist",
            "alias": "production",
            "from": "2",
            "to": null,
            "commit": "0123456789abcdef0123456789abcdef01234567",
            "author": "Ada <ada@example.com>",
            "message": "retire",
            "at": "2026-03-04T00:00:00.000Z",
            "serial": 13
          }
        ]
      }"
    `);
    const missing = await run("history", "model:mnist@canary");
    expect(missing).toMatchInlineSnapshot(`
      {
        "code": 1,
        "out": "error model:mnist@canary has never been set. [alias-not-found]
        hint: model:mnist has the aliases: staging, production",
      }
    `);
  });
});

describe("diff", () => {
  it("prints the patch and the artifacts' files, or that they are the same", async () => {
    const differ = await run("diff", "model:mnist:1", "model:mnist@staging", "--exit-code");
    expect(differ.code).toBe(1);
    expect(differ.out).toMatchInlineSnapshot(`
      "+ /dependencies/0: "environment:base:1"
      ~ /description: "first" → "a model"
      ~ /spec/path: "sha256:none" → "models/model.pkl"
      ~ /spec/version: "1" → "2"
      + /tags: {"team":"vision"}
      files of models/model.pkl: 1 added, 0 changed, 0 removed
        + model.pkl  7 B"
    `);
    expect((await run("diff", "model:mnist:1", "model:mnist:2", "--json")).out).toMatchInlineSnapshot(`
      "{
        "from": "sha256:783581bc0a318e38414e68f9a5f3d6696fe58d313ecc60e2480f1617a2c3d780",
        "to": "sha256:1e775e92a88abf8ef7849543dd434f490536f147d73efcc3df7b0b88e94046a2",
        "patch": [
          {
            "op": "add",
            "path": "/dependencies/0",
            "value": "environment:base:1"
          },
          {
            "op": "replace",
            "path": "/description",
            "old": "first",
            "value": "a model"
          },
          {
            "op": "replace",
            "path": "/spec/path",
            "old": "sha256:none",
            "value": "models/model.pkl"
          },
          {
            "op": "replace",
            "path": "/spec/version",
            "old": "1",
            "value": "2"
          },
          {
            "op": "add",
            "path": "/tags",
            "value": {
              "team": "vision"
            }
          }
        ],
        "artifacts": [
          {
            "pointer": "/path",
            "source": "models/model.pkl",
            "added": [
              {
                "path": "model.pkl",
                "size": 7
              }
            ],
            "changed": [],
            "removed": []
          }
        ]
      }"
    `);
    expect(await run("diff", "model:mnist:2", "model:mnist:2", "--exit-code")).toMatchInlineSnapshot(`
      {
        "code": 0,
        "out": "The two versions have the same content.",
      }
    `);
  });
});
