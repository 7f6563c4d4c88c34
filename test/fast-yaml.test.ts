// The fast YAML reader (js-yaml) and the full one (the `yaml` package) agree on every YAML file of both
// corpora the fast one accepts: the same value, the same numbers kept as text, no diagnostic the fast one
// would drop, the same positions of the document and of every key found by indentation. And the fast one takes most of them, or it is no use.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { quickPosition, readFast, rootPosition } from "../src/manifest/fast-yaml.js";
import { MAX_DEPTH, parseYaml, parseYamlFully } from "../src/manifest/yaml.js";

const corpora = ["azureml-examples", "azureml-assets"].map((name) => path.resolve(import.meta.dirname, "../../shared/corpus", name));

/** Every key path of a value: each mapping key and sequence index, at every depth. */
function keyPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [[...prefix, i], ...keyPaths(v, [...prefix, i])]);
  if (value !== null && typeof value === "object") return Object.entries(value).flatMap(([k, v]) => [[...prefix, k], ...keyPaths(v, [...prefix, k])]);
  return [];
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const abs = path.join(dir, name);
    if (statSync(abs).isDirectory()) return yamlFiles(abs);
    return /\.ya?ml$/.test(name) ? [abs] : [];
  });
}

describe("the fast YAML reader", () => {
  it("reads as the full reader does, on both corpora, and takes most files", () => {
    let fast = 0;
    let total = 0;
    let located = 0;
    const differences: string[] = [];
    for (const root of corpora) {
      const files = yamlFiles(root);
      // The corpora must be there: a test over nothing proves nothing.
      expect(files.length).toBeGreaterThan(100);
      for (const file of files) {
        const text = readFileSync(file, "utf8").replace(/^\uFEFF/, "");
        total++;
        const quick = readFast(text, MAX_DEPTH);
        if (!quick) continue;
        fast++;
        const full = parseYamlFully(text, file);
        const where = path.relative(root, file);
        try {
          expect(quick.value).toEqual(full.value);
          expect(quick.numbersAsText).toEqual(full.numbersAsText);
          expect(full.diagnostics).toEqual([]);
          expect(rootPosition(text) ?? full.locate([])).toEqual(full.locate([]));
          for (const keyPath of keyPaths(full.value)) {
            for (const wantKey of [true, false]) {
              const quick = quickPosition(text, keyPath, wantKey);
              if (quick === undefined) continue;
              located++;
              expect({ keyPath, wantKey, at: quick }).toEqual({ keyPath, wantKey, at: wantKey ? full.locateKey(keyPath) : full.locate(keyPath) });
            }
          }
        } catch (error) {
          differences.push(`${where}: ${(error as Error).message.split("\n")[0]}`);
        }
      }
    }
    expect(differences).toEqual([]);
    expect(fast / total).toBeGreaterThan(0.8);
    // Positions found by indentation alone, each checked against the full reader above.
    expect(located).toBeGreaterThan(5000);
  });

  it("leaves to the full reader what needs it: templates, aliases, merge keys, duplicates, depth, syntax", () => {
    const slow = [
      "name: m\nversion: {{MODEL_VERSION}}\n",
      "name: <MODEL_NAME>\n",
      "a: &x {b: 1}\nc: *x\n",
      "a: {b: 1}\nc:\n  <<: {d: 2}\n",
      "name: x\nname: y\n",
      `a: ${"[".repeat(80)}${"]".repeat(80)}\n`,
      "a: [x\nb: y\n",
      "%YAML 1.1\n---\na: 1\n",
      "~: x\n",
      "a: 1\n---\nb: 2\n",
      "- a\n- b\n",
      'a: "x\ny"\n',
    ];
    for (const text of slow) expect(readFast(text, MAX_DEPTH), text).toBeUndefined();
    expect(readFast("command: echo ${{inputs.x}} && ls *.csv\nflag: yes\nversion: 1.10\ntags: {n: 3}\n", MAX_DEPTH)).toEqual({
      value: { command: "echo ${{inputs.x}} && ls *.csv", flag: true, version: "1.10", tags: { n: "3" } },
      numbersAsText: [
        { path: ["version"], text: "1.10", value: 1.1 },
        { path: ["tags", "n"], text: "3", value: 3 },
      ],
    });
  });

  it("reads the placeholders a layout fills in later only inside quoted strings, as the full reader does", () => {
    const deferred = new Set(["asset.version", "asset.repo.url"]);
    const quoted = 'name: env\nversion: "{{asset.version}}"\nbuild:\n  path: "{{asset.repo.url}}#main:ctx"\n';
    const fast = readFast(quoted, MAX_DEPTH, deferred);
    expect(fast?.value).toEqual(parseYamlFully(quoted, "spec.yaml", { deferred }).value);
    expect(parseYamlFully(quoted, "spec.yaml", { deferred }).diagnostics).toEqual([]);
    for (const text of ["name: env\nversion: {{asset.version}}\n", "name: env # {{asset.version}}\n", 'name: "{{asset.name}}"\n', "name: x\n{{asset.version}}: 1\n"]) {
      expect(readFast(text, MAX_DEPTH, deferred), text).toBeUndefined();
    }
    expect(readFast(quoted, MAX_DEPTH)).toBeUndefined();
  });

  it("finds positions with the full reader only when asked", () => {
    const yaml = parseYaml("# a model\nname: x\ninputs:\n  data:\n    type: uri_folder\n", "m.yml");
    expect(yaml.value).toEqual({ name: "x", inputs: { data: { type: "uri_folder" } } });
    expect(yaml.locate([])).toEqual({ line: 2, column: 1 });
    expect(yaml.locate(["inputs", "data", "type"])).toEqual({ line: 5, column: 11 });
    expect(yaml.locateKey(["inputs", "data", "type"])).toEqual({ line: 5, column: 5 });
  });
});
