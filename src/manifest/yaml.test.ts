import { describe, expect, it } from "vitest";
import { decodeText } from "./decode.js";
import { MAX_DEPTH, parseYaml } from "./yaml.js";

const codes = (text: string) => parseYaml(text, "m.yml").diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.code} ${d.message}`);

describe("reading YAML under limits", () => {
  it("reads a document with the position of every key and value", () => {
    const yaml = parseYaml("name: x\ninputs:\n  data:\n    type: uri_folder\nlist:\n  - a\n  - b\n", "m.yml");
    expect(yaml.value).toEqual({ name: "x", inputs: { data: { type: "uri_folder" } }, list: ["a", "b"] });
    expect(yaml.locate(["inputs", "data", "type"])).toEqual({ line: 4, column: 11 });
    expect(yaml.locateKey(["inputs", "data", "type"])).toEqual({ line: 4, column: 5 });
    expect(yaml.locate(["list", 1])).toEqual({ line: 7, column: 5 });
    // A missing key is placed at its nearest parent.
    expect(yaml.locate(["inputs", "data", "mode"])).toEqual({ line: 4, column: 5 });
    expect(yaml.locate(["nothing", "here"])).toEqual({ line: 1, column: 1 });
  });

  it("keeps the author's text of numbers meant as text: versions and tag values", () => {
    const yaml = parseYaml("version: 1.10\ntags:\n  release: 2.0\n  count: 3\nother: 1.10\n", "m.yml");
    expect(yaml.value).toEqual({ version: "1.10", tags: { release: "2.0", count: "3" }, other: 1.1 });
  });

  it("reads YAML as Azure ML's PyYAML does: yes/no/on/off booleans, merge keys", () => {
    const yaml = parseYaml("base: &base {type: uri_folder}\ndata:\n  <<: *base\n  mode: download\nflag: yes\nother: Off\nword: yesterday\n", "m.yml");
    expect(yaml.value).toEqual({ base: { type: "uri_folder" }, data: { type: "uri_folder", mode: "download" }, flag: true, other: false, word: "yesterday" });
    expect(yaml.diagnostics).toEqual([]);
  });

  it("reports syntax errors one per line, an unclosed bracket or quote where it opens, not where the parser gave up", () => {
    expect(codes("name: [x\npath: y\n")).toMatchInlineSnapshot(`
      [
        "1:7 error yaml-syntax Flow sequence in block collection must be sufficiently indented and end with a ]",
      ]
    `);
    expect(codes('name: x\ndescription: "unclosed\ntype: custom_model\n')[0]).toMatch(/^2:14 error yaml-syntax Missing closing "quote/);
    expect(codes("a: b: c\n")).toMatchInlineSnapshot(`
      [
        "1:4 error yaml-syntax Nested mappings are not allowed in compact mappings",
      ]
    `);
  });

  it("points a nested mapping in a value at the key that makes it one, on its own line, not at the value's first line", () => {
    // `text:` on line 4 turns the plain value that starts on line 2 into a mapping: line 4 is the mistake.
    expect(codes("name: x\ndescription: A long\n  and longer\n  text: more\npath: ./m.pkl\n")).toMatchInlineSnapshot(`
      [
        "4:3 error yaml-syntax Nested mappings are not allowed in compact mappings",
      ]
    `);
    expect(codes("- name: x\n  description: A long\n    text: more\n")).toMatchInlineSnapshot(`
      [
        "3:5 error yaml-syntax Nested mappings are not allowed in compact mappings",
      ]
    `);
    expect(parseYaml("a: b: c\n", "m.yml").diagnostics[0]?.hint).toBe('a value that holds ": " is read as a key: quote the value, or give the key a line of its own');
    // On one line the key is where the value starts, as before.
    expect(codes("name: x\ndescription: A model: the best\n")).toMatchInlineSnapshot(`
      [
        "2:14 error yaml-syntax Nested mappings are not allowed in compact mappings",
      ]
    `);
  });

  it("reports duplicate keys and second documents", () => {
    expect(codes("name: x\npath: p\nname: y\n")).toMatchInlineSnapshot(`
      [
        "3:1 error yaml-duplicate-key the key "name" appears twice in this mapping",
      ]
    `);
    expect(codes("name: x\n---\nname: y\n")).toMatchInlineSnapshot(`
      [
        "2:1 error yaml-syntax the file holds more than one YAML document",
      ]
    `);
  });

  it("stops alias bombs", () => {
    let bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
    for (let i = 0; i < 8; i++) {
      const prev = String.fromCharCode(97 + i);
      bomb += `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${prev}`).join(", ")}]\n`;
    }
    expect(codes(bomb)).toMatchInlineSnapshot(`
      [
        "2:8 error yaml-alias-limit the document expands aliases more than 100 times (an alias bomb?)",
      ]
    `);
  });

  it("stops nesting past the limit (a million levels would otherwise exhaust memory), in flow and in block style", () => {
    expect(codes(`a: ${"[".repeat(1_000_000)}`)).toMatchInlineSnapshot(`
      [
        "1:68 error yaml-too-deep the document nests more than 64 levels deep",
      ]
    `);
    expect(codes(`a:\n  ${"- ".repeat(1_000_000)}x`)).toMatchInlineSnapshot(`
      [
        "2:255 error yaml-too-deep the document nests more than 64 levels deep",
      ]
    `);
    expect(codes(Array.from({ length: 300 }, (_, i) => `${" ".repeat(i)}k:`).join("\n"))).toMatchInlineSnapshot(`
      [
        "129:129 error yaml-too-deep the document nests more than 64 levels deep",
      ]
    `);
    expect(codes(`a: ${"[".repeat(MAX_DEPTH - 2)}${"]".repeat(MAX_DEPTH - 2)}`)).toEqual([]);
  });

  it("calls template placeholders what they are", () => {
    expect(codes("name: m\nversion: {{MODEL_VERSION}}\n")).toMatchInlineSnapshot(`
      [
        "2:10 error template-placeholder {{MODEL_VERSION}} is a template placeholder: this file looks like a template, not a manifest",
      ]
    `);
    expect(codes("name: m\npath: {{ROOT}}/model\n")).toMatchInlineSnapshot(`
      [
        "2:7 error template-placeholder {{ROOT}} is a template placeholder: this file looks like a template, not a manifest",
      ]
    `);
    expect(codes("name: <MODEL_NAME>\nversion: 1-<VERSION>\n")).toMatchInlineSnapshot(`
      [
        "1:7 error template-placeholder 2 template placeholders, <MODEL_NAME> (1:7), <VERSION> (2:10): this file looks like a template, not a manifest",
      ]
    `);
    // One error per templated file, counting its placeholders and placing the first few.
    expect(codes("name: '{{a}}'\nversion: '{{b}}'\npath: '{{c}}'\ncode: '{{d}}'\nimage: '{{e}}'\n")).toMatchInlineSnapshot(`
      [
        "1:7 error template-placeholder 5 template placeholders, {{a}} (1:7), {{b}} (2:10), {{c}} (3:7), and 2 more: this file looks like a template, not a manifest",
      ]
    `);
    // Expressions and prompt text are not placeholders.
    expect(codes('command: echo ${{inputs.x}}\nprompt: "Q: {{question}} <example>"\ndescription: use <YOUR_KEY>\n')).toEqual([]);
  });

  it("accepts what PyYAML accepts: quoted continuation lines not indented past their key", () => {
    const yaml = parseYaml('jobs:\n  a:\n    prompt: "first \\\n    second"\n    other: "x\n    y"\n', "m.yml");
    expect(yaml.value).toEqual({ jobs: { a: { prompt: "first second", other: "x y" } } });
    expect(yaml.diagnostics.map((d) => `${d.line}:${d.column} ${d.severity} ${d.code}`)).toMatchInlineSnapshot(`
      [
        "3:13 warning yaml-quote-indent",
        "5:11 warning yaml-quote-indent",
      ]
    `);
  });

  it("refuses bytes that are not UTF-8 text, saying where", () => {
    const nul = decodeText(Buffer.from("name: x\npa\u0000th: y\n"), "m.yml");
    const latin1 = decodeText(Buffer.from([0x6e, 0x3a, 0x20, 0xe9, 0x0a]), "m.yml");
    expect([nul, latin1].map((r) => ("diagnostic" in r ? `${r.diagnostic.line}:${r.diagnostic.column} ${r.diagnostic.code} ${r.diagnostic.message}` : r.text))).toMatchInlineSnapshot(`
      [
        "2:3 not-text m.yml contains NUL bytes; a manifest must be UTF-8 text",
        "1:4 not-text m.yml is not valid UTF-8; a manifest must be UTF-8 text",
      ]
    `);
    expect(decodeText(Buffer.from("\uFEFFname: x"), "m.yml")).toEqual({ text: "name: x" });
  });
});
