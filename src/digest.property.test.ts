// Properties of digests (fast-check): canonical JSON ignores key order and keeps every value apart, and
// a manifest's digest ignores how its YAML is written — the same document in block or flow style, any
// key order, quoted or plain, with comments and blank lines, read through the real loader, gives the
// same spec, mutable fields and content digest.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Document, isCollection, visit } from "yaml";
import { canonicalJson, jsonDigest } from "./digest.js";
import { MemoryTree } from "./manifest/memory-tree.test-helper.js";
import { validateRepository } from "./manifest/validate.js";
import { buildDesiredState } from "./source/desired.js";

/** `value` with the keys of every object in another order, picked by `order`. */
function reorder(value: unknown, order: readonly number[], depth = 0): unknown {
  if (Array.isArray(value)) return value.map((v) => reorder(v, order, depth + 1));
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v], i) => ({ k, v, key: order[(i + depth) % Math.max(1, order.length)] ?? 0, i }));
  entries.sort((a, b) => a.key - b.key || b.i - a.i);
  return Object.fromEntries(entries.map(({ k, v }) => [k, reorder(v, order, depth + 1)]));
}

describe("canonical JSON", () => {
  it("ignores the order of keys at every level", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), (value, order) => {
        const reordered = reorder(value, order);
        expect(canonicalJson(reordered)).toBe(canonicalJson(value));
        expect(jsonDigest(reordered)).toBe(jsonDigest(value));
      }),
      { numRuns: 500 },
    );
  });

  it("is JSON that reads back to itself, and tells different values apart", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        const text = canonicalJson(a);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        // Equal canonical forms exactly when the values are equal (key order aside; -0 is JSON's 0).
        const same = JSON.stringify(JSON.parse(canonicalJson(a))) === JSON.stringify(JSON.parse(canonicalJson(b)));
        expect(canonicalJson(a) === canonicalJson(b)).toBe(same);
        if (!same) expect(jsonDigest(a)).not.toBe(jsonDigest(b));
      }),
      { numRuns: 500 },
    );
  });
});

/** Words every YAML reader takes as text (PyYAML, which Azure ML uses, reads yes/no/on/off as booleans). */
const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,7}$/).filter((w) => !/^(y|n|yes|no|on|off|true|false|null)$/.test(w));
const text = fc.array(word, { minLength: 1, maxLength: 4 }).map((words) => words.join(" "));
const input = fc.oneof(
  fc.record({ type: fc.constant("string"), default: text, optional: fc.boolean() }, { requiredKeys: ["type"] }),
  fc.record({ type: fc.constant("integer"), default: fc.integer({ min: -1000, max: 1000 }) }, { requiredKeys: ["type"] }),
  fc.record({ type: fc.constant("boolean"), default: fc.boolean() }, { requiredKeys: ["type"] }),
  fc.record({ type: fc.constant("uri_folder"), optional: fc.boolean(), description: text }, { requiredKeys: ["type"] }),
);
const component = fc.record(
  {
    command: text.map((t) => `python run.py ${t}`),
    inputs: fc.dictionary(word, input, { minKeys: 1, maxKeys: 4 }),
    outputs: fc.dictionary(word, fc.constant({ type: "uri_folder" }), { maxKeys: 2 }),
    resources: fc.record({ instance_count: fc.integer({ min: 1, max: 8 }), instance_type: word }, { requiredKeys: [] }),
    properties: fc.dictionary(word, text, { maxKeys: 3 }),
    description: text,
    tags: fc.dictionary(word, text, { maxKeys: 3 }),
  },
  { requiredKeys: ["command", "inputs"] },
).map(({ outputs, ...body }) => {
  // A port name is either an input or an output (Azure ML refuses both), so outputs avoid the inputs' names.
  if (outputs === undefined) return body;
  const distinct = Object.fromEntries(Object.entries(outputs).filter(([name]) => !(name in body.inputs)));
  return { ...body, outputs: distinct };
});

interface Style {
  flow: boolean;
  quote: "PLAIN" | "QUOTE_DOUBLE" | "QUOTE_SINGLE";
  indent: number;
  comments: boolean;
  order: number[];
}
const style: fc.Arbitrary<Style> = fc.record({
  flow: fc.boolean(),
  quote: fc.constantFrom("PLAIN", "QUOTE_DOUBLE", "QUOTE_SINGLE"),
  indent: fc.constantFrom(2, 3, 4),
  comments: fc.boolean(),
  order: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
});

const SCHEMA = "$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json";

/** One way of writing the component: `$schema` first (that is how a manifest is recognised), then the rest. */
function write(body: Record<string, unknown>, s: Style): string {
  const doc = new Document({ name: "train", type: "command", environment: "azureml:train-env:1", ...(reorder(body, s.order) as object) });
  if (s.flow) {
    visit(doc, {
      Collection(_, node, path) {
        if (path.length > 1 && isCollection(node)) node.flow = true;
      },
    });
  }
  const yaml = doc.toString({ indent: s.indent, defaultStringType: s.quote, defaultKeyType: "PLAIN", lineWidth: 0 });
  if (!s.comments) return `${SCHEMA}\n${yaml}`;
  const lines = yaml.trimEnd().split("\n");
  // Comments and blank lines between top-level entries only, where they cannot split a value.
  const out = lines.flatMap((line, i) => (i > 0 && !/^\s/.test(line) ? ["", `# note ${i}`, line] : [line]));
  return `${SCHEMA}\n# generated\n${out.join("\n")}\n# end\n`;
}

async function read(yaml: string) {
  const tree = new MemoryTree({ "components/train.yml": yaml, "components/run.py": "print(1)\n" });
  const { manifests, diagnostics } = await validateRepository(tree);
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0 || manifests.length !== 1) return { errors: errors.map((d) => `${d.line}:${d.column} ${d.code} ${d.message}`) };
  const state = await buildDesiredState(manifests, tree, {
    source: { commit: null, dirty: false, ref: null, branch: null, remote: null },
    pathStatus: () => Promise.resolve(new Map()),
    workers: 0,
  });
  const [asset] = state.assets;
  return { errors: state.diagnostics.filter((d) => d.severity === "error").map((d) => d.message), asset };
}

describe("a manifest's digest", () => {
  it("is the same however its YAML is written", async () => {
    await fc.assert(
      fc.asyncProperty(component, style, style, async (body, a, b) => {
        const first = await read(write(body, a));
        const second = await read(write(body, b));
        expect(first.errors, write(body, a)).toEqual([]);
        expect(second.errors, write(body, b)).toEqual([]);
        expect(canonicalJson(second.asset?.spec)).toBe(canonicalJson(first.asset?.spec));
        expect(canonicalJson(second.asset?.mutable)).toBe(canonicalJson(first.asset?.mutable));
        expect(second.asset?.contentDigest).toBe(first.asset?.contentDigest);
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it("changes when the content does", async () => {
    await fc.assert(
      fc.asyncProperty(component, style, word, async (body, s, extra) => {
        const changed = { ...body, command: `${body.command} --${extra}` };
        const first = await read(write(body, s));
        const second = await read(write(changed, s));
        expect(first.errors).toEqual([]);
        expect(second.asset?.contentDigest).not.toBe(first.asset?.contentDigest);
      }),
      { numRuns: 50 },
    );
  }, 120_000);
});
