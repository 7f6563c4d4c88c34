// Reading GitHub workflow files for the tests: the YAML, its steps, and the assetctl command lines in
// its shell scripts, split into words the way bash would for the simple scripts workflows hold.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";

export const workflowsDir = path.resolve(import.meta.dirname, "../../.github/workflows");

export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string | number | boolean>;
  shell?: string;
  "working-directory"?: string;
}

export interface Job {
  name?: string;
  if?: string;
  uses?: string;
  with?: Record<string, unknown>;
  secrets?: Record<string, string> | "inherit";
  permissions?: Record<string, string> | string;
  env?: Record<string, string>;
  defaults?: { run?: { shell?: string; "working-directory"?: string } };
  concurrency?: { group: string; "cancel-in-progress": boolean | string } | string;
  environment?: string | { name: string; url?: string };
  "runs-on"?: string | string[];
  outputs?: Record<string, string>;
  needs?: string | string[];
  steps?: Step[];
}

export interface Workflow {
  name?: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string> | string;
  jobs: Record<string, Job>;
}

export interface WorkflowFile {
  file: string;
  text: string;
  workflow: Workflow;
}

/** Parses a workflow strictly: any YAML error or warning (duplicate keys, bad indentation) throws. */
export function parseWorkflow(text: string, file = "workflow"): Workflow {
  const doc = parseDocument(text, { uniqueKeys: true, strict: true, prettyErrors: true });
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) throw new Error(`${file}: ${problems.map((e) => e.message).join("\n")}`);
  return doc.toJS() as Workflow;
}

export function readWorkflows(): WorkflowFile[] {
  return readdirSync(workflowsDir)
    .filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"))
    .sort()
    .map((file) => {
      const text = readFileSync(path.join(workflowsDir, file), "utf8");
      return { file, text, workflow: parseWorkflow(text, file) };
    });
}

const OPERATORS = new Set([";", "&&", "||", "|", ">", ">>", "<", "2>", "2>&1", "&", "(", ")", "{", "}", "!"]);
const COMMAND_STARTERS = new Set([";", "&&", "||", "|", "(", "{", "!", "if", "then", "else", "elif", "do", "while", "until", "exec", "time"]);

/** Shell words and operators of a script; quotes are removed, variables are kept as written. */
export function shellWords(script: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  const text = script.replace(/\\\n/g, " ");
  const flush = () => {
    if (inWord) words.push(word);
    word = "";
    inWord = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
      continue;
    }
    if (c === "#" && !inWord) {
      while (i < text.length && text[i] !== "\n") i++;
      flush();
      words.push(";");
      continue;
    }
    if (c === "\n") {
      flush();
      words.push(";");
      continue;
    }
    if (/\s/.test(c)) {
      flush();
      continue;
    }
    const two = text.slice(i, i + 2);
    if (two === "&&" || two === "||" || two === ">>") {
      flush();
      words.push(two);
      i++;
      continue;
    }
    if (c === ";" || c === "|" || c === ">" || c === "<" || c === "&") {
      // `2>` is an operator only where a word starts with it.
      if (c === ">" && word === "2" && inWord) {
        word = "";
        inWord = false;
        words.push("2>");
        continue;
      }
      flush();
      words.push(c);
      continue;
    }
    word += c;
    inWord = true;
  }
  flush();
  return words;
}

/** Each `assetctl …` command of a script: its arguments up to the next operator or redirection. */
export function assetctlCommands(script: string): string[][] {
  const words = shellWords(script);
  const found: string[][] = [];
  words.forEach((w, i) => {
    if (w !== "assetctl") return;
    const before = words[i - 1];
    if (before !== undefined && !COMMAND_STARTERS.has(before)) return;
    const args: string[] = [];
    for (const next of words.slice(i + 1)) {
      if (OPERATORS.has(next) || next === "then" || next === "fi") break;
      args.push(next);
    }
    found.push(args);
  });
  return found;
}

/** Every `run:` of a workflow, with where it is. */
export function runScripts(workflow: Workflow): { where: string; run: string }[] {
  return Object.entries(workflow.jobs).flatMap(([jobId, job]) =>
    (job.steps ?? []).flatMap((step, i) => (step.run === undefined ? [] : [{ where: `${jobId}/${step.name ?? step.id ?? i}`, run: step.run }])),
  );
}

/** Every `actions/github-script` script of a workflow, by job and step name. */
export function githubScripts(workflow: Workflow): { job: string; step: Step; script: string }[] {
  return Object.entries(workflow.jobs).flatMap(([jobId, job]) =>
    (job.steps ?? []).flatMap((step) =>
      step.uses?.startsWith("actions/github-script@") && typeof step.with?.["script"] === "string" ? [{ job: jobId, step, script: step.with["script"] }] : [],
    ),
  );
}
