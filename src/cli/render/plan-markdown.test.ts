// The plan as a pull-request comment, shown whole: what a reviewer reads is the contract.
import { describe, expect, it } from "vitest";
import type { Change, Plan, PlanSummary } from "../../plan/types.js";
import { renderPlanMarkdown } from "./plan-markdown.js";

function summarize(changes: readonly Change[]): PlanSummary {
  const s: PlanSummary = { create: 0, update: 0, noop: 0, conflict: 0, archive: 0, unarchive: 0, orphan: 0, new_assets: 0 };
  for (const c of changes) {
    s[c.action] += 1;
    if (c.action === "create" && c.previous === null) s.new_assets += 1;
  }
  return s;
}

function makePlan(changes: Change[], extra: Partial<Plan> = {}): Plan {
  return {
    format_version: 1,
    source: { commit: "0123456789abcdef0123456789abcdef01234567", dirty: false, ref: null, branch: "main", remote: null },
    registry: { url: ".assetctl/registry", serial: 7 },
    desired_digest: "sha256:d1",
    options: { prune: false, targets: [] },
    changes,
    summary: summarize(changes),
    errors: [],
    ...extra,
  };
}

function change(address: string, action: Change["action"], fields: Partial<Change> = {}): Change {
  const [kind = "model", name = "x", version = "1"] = address.split(":");
  return {
    address,
    kind: kind as Change["kind"],
    name,
    version,
    action,
    previous: null,
    digest: "sha256:aa",
    patch: [],
    manifest: { file: `${name}.yml`, line: 1 },
    reason: action === "noop" ? "unchanged" : "new asset",
    ...fields,
  };
}

describe("renderPlanMarkdown", () => {
  it("shows a new asset's whole spec, open when short and folded in <details> when long, values never cut", () => {
    const long = "x".repeat(200);
    const tags = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`t${i}`, `v${i}`]));
    const text = renderPlanMarkdown(
      makePlan([
        change("model:short:1", "create", { patch: [{ op: "add", path: "/description", value: long }] }),
        change("model:long:1", "create", { patch: [{ op: "add", path: "/tags", value: tags }] }),
      ]),
    );
    expect(text).toContain(`<code>model:short:1</code> new asset\n\n\`\`\`json\n{\n  "description": "${long}"\n}`);
    expect(text).toContain("<details><summary><code>model:long:1</code> new asset</summary>");
    expect(text).toContain('"t29": "v29"');
    expect(text).not.toContain("…");
  });

  it("names the registry's absolute location and the root in its header, as the text plan does", () => {
    const text = renderPlanMarkdown(makePlan([change("model:credit:3", "noop", { previous: "3" })]), { where: { root: "/repo/ml", registry: "/repo/ml/.assetctl/registry" } });
    expect(text.split("\n").at(-1)).toBe("<sub>Registry `/repo/ml/.assetctl/registry` at serial 7; manifests from `0123456789ab`, root `/repo/ml`.</sub>");
  });

  it("says in words that nothing changes", () => {
    const text = renderPlanMarkdown(makePlan([change("model:credit:3", "noop", { previous: "3" })]));
    expect(text).toMatchInlineSnapshot(`
      "### assetctl plan

      **No changes. The registry matches the manifests.**

      <sub>Registry \`.assetctl/registry\` at serial 7; manifests from \`0123456789ab\`.</sub>"
    `);
  });

  it("lists creates, new versions and updates in a narrow table, each patch folded away", () => {
    const plan = makePlan([
      change("environment:train-env:1", "create", {
        patch: [{ op: "add", path: "/spec", value: { image: "python:3.11" } }],
      }),
      change("model:credit:4", "create", {
        previous: "3",
        reason: "new version (previous 3)",
        patch: [
          { op: "replace", path: "/spec/path", value: "sha256:9f8e" },
          { op: "remove", path: "/spec/flavors" },
        ],
      }),
      change("data:housing|raw:2", "update", {
        previous: "2",
        reason: "mutable fields changed (description)",
        patch: [{ op: "replace", path: "/description", value: "Sales <2024> & more" }],
      }),
      change("model:old:1", "orphan", { previous: "1", manifest: null, reason: "no manifest declares it any more (commit abc1234); archive it with --prune" }),
      change("model:same:2", "noop", { previous: "2" }),
    ]);
    expect(renderPlanMarkdown(plan)).toMatchInlineSnapshot(`
      "### assetctl plan

      **Plan: 1 new asset, 1 new version, 1 update, 0 conflicts, 1 orphaned, 1 unchanged.**

      <sub>Registry \`.assetctl/registry\` at serial 7; manifests from \`0123456789ab\`.</sub>

      #### Changes

      | | asset | change |
      |:-:|---|---|
      | \`+\` | \`environment:train-env:1\` | new asset |
      | \`+v\` | \`model:credit:4\` | new version (previous 3) |
      | \`~\` | \`data:housing\\|raw:2\` | mutable fields changed (description) |
      | \`?\` | \`model:old:1\` | no manifest declares it (--prune archives) |

      #### Diffs

      <code>environment:train-env:1</code> new asset

      \`\`\`json
      {
        "spec": {
          "image": "python:3.11"
        }
      }
      \`\`\`

      <details><summary><code>model:credit:4</code> new version (previous 3)</summary>

      \`\`\`diff
      ~ /spec/path: "sha256:9f8e"
      - /spec/flavors
      \`\`\`

      </details>

      <details><summary><code>data:housing|raw:2</code> mutable fields changed (description)</summary>

      \`\`\`diff
      ~ /description: "Sales <2024> & more"
      \`\`\`

      </details>"
    `);
  });

  it("puts conflicts first, with the fields that differ, and says apply is refused", () => {
    const plan = makePlan([
      change("model:credit:1", "create"),
      change("model:risk:2", "conflict", {
        previous: "2",
        fields: ["spec.path"],
        reason: 'version 2 already exists with different content (spec.path); versions are immutable: bump "version" or remove it to let assetctl pick the next one',
        patch: [{ op: "replace", path: "/spec/path", value: "sha256:77" }],
      }),
    ]);
    expect(renderPlanMarkdown(plan)).toMatchInlineSnapshot(`
      "### assetctl plan

      ⚠️ **Plan: 1 new asset, 0 new versions, 0 updates, 1 conflict, 0 unchanged.** Apply is refused until the conflict is resolved.

      <sub>Registry \`.assetctl/registry\` at serial 7; manifests from \`0123456789ab\`.</sub>

      #### ⚠️ Conflicts

      A version never changes once created: bump \`version\`, or remove it to let assetctl number the next one.

      <details><summary><code>model:risk:2</code> version 2 already exists with different content (spec.path); versions are immutable: bump "version" or remove it to let assetctl pick the next one</summary>

      \`\`\`diff
      ~ /spec/path: "sha256:77"
      \`\`\`

      </details>

      #### Changes

      | | asset | change |
      |:-:|---|---|
      | \`+\` | \`model:credit:1\` | new asset |"
    `);
  });

  it("shows errors with their location and no changes to review", () => {
    const plan = makePlan([change("model:credit:1", "create")], {
      errors: [
        { code: "ref-unresolved", severity: "error", message: "azureml:train-env:9 names no version of environment train-env", file: "components/train.yml", line: 4, column: 14 },
        { code: "schema-unknown-key", severity: "error", message: 'unknown key "pth" (did you mean "path"?) <script>', file: "models/credit.yml", line: 2, column: 1 },
      ],
    });
    expect(renderPlanMarkdown(plan)).toMatchInlineSnapshot(`
      "### assetctl plan

      ❌ **2 errors: no plan until they are fixed.**

      <sub>Registry \`.assetctl/registry\` at serial 7; manifests from \`0123456789ab\`.</sub>

      #### ❌ Errors

      - \`components/train.yml:4:14\` azureml:train-env:9 names no version of environment train-env (\`ref-unresolved\`)
      - \`models/credit.yml:2:1\` unknown key "pth" (did you mean "path"?) &lt;script&gt; (\`schema-unknown-key\`)"
    `);
  });

  it("truncates by whole rows and sections, within the bound, and says what it left out", () => {
    const changes = Array.from({ length: 12 }, (_, i) =>
      change(`model:m${String(i).padStart(2, "0")}:2`, "create", {
        previous: "1",
        reason: "new version (previous 1)",
        patch: [{ op: "replace", path: "/spec/path", value: "x".repeat(60) }],
      }),
    );
    const text = renderPlanMarkdown(makePlan(changes), { maxLength: 1_000 });
    expect(text.length).toBeLessThanOrEqual(1_000);
    expect(text).toMatchInlineSnapshot(`
      "### assetctl plan

      **Plan: 0 new assets, 12 new versions, 0 updates, 0 conflicts, 0 unchanged.**

      <sub>Registry \`.assetctl/registry\` at serial 7; manifests from \`0123456789ab\`.</sub>

      #### Changes

      | | asset | change |
      |:-:|---|---|
      | \`+v\` | \`model:m00:2\` | new version (previous 1) |
      | \`+v\` | \`model:m01:2\` | new version (previous 1) |
      | \`+v\` | \`model:m02:2\` | new version (previous 1) |
      | \`+v\` | \`model:m03:2\` | new version (previous 1) |
      | \`+v\` | \`model:m04:2\` | new version (previous 1) |
      | \`+v\` | \`model:m05:2\` | new version (previous 1) |
      | \`+v\` | \`model:m06:2\` | new version (previous 1) |
      | \`+v\` | \`model:m07:2\` | new version (previous 1) |
      | \`+v\` | \`model:m08:2\` | new version (previous 1) |

      > **Truncated** to fit a comment: 3 changes, 12 diffs not shown. Run \`assetctl plan\` for the whole plan, or see the plan file kept with the workflow run."
    `);
  });

  it("never leaves a <details> or a fence open, whatever the bound", () => {
    const changes = Array.from({ length: 30 }, (_, i) =>
      change(`model:m${i}:2`, "create", { previous: "1", reason: "new version (previous 1)", patch: [{ op: "add", path: `/tags/t${i}`, value: "v".repeat(i * 7) }] }),
    );
    for (let max = 0; max <= 6_000; max += 97) {
      const text = renderPlanMarkdown(makePlan(changes), { maxLength: max });
      expect(text.length).toBeLessThanOrEqual(Math.max(max, 300));
      expect(text.split("<details>").length).toBe(text.split("</details>").length);
      expect((text.match(/^```/gm) ?? []).length % 2).toBe(0);
    }
  });

  it("keeps a fence whole when a value holds backticks", () => {
    const plan = makePlan([
      change("model:m:2", "create", { previous: "1", reason: "new version (previous 1)", patch: [{ op: "replace", path: "/description", value: "a\n```\nb" }] }),
    ]);
    const text = renderPlanMarkdown(plan);
    expect(text).toContain("````diff\n~ /description: \"a\\n```\\nb\"\n````");
  });
});

describe("cascades in the markdown plan", () => {
  it("groups a new version's dependents under it", () => {
    const env = change("environment:e:2", "create", { previous: "1", patch: [{ op: "replace", path: "/spec/image", value: "python:3.12" }] });
    const comp = change("component:c:4", "create", { previous: "3", caused_by: ["environment:e:2"] });
    const text = renderPlanMarkdown(makePlan([env, comp]));
    expect(text).toContain("#### Cascades\n\nA new version re-versions what uses it:\n\n```\nenvironment:e:2 (image) ⇒ component:c:4\n```");
  });
});
