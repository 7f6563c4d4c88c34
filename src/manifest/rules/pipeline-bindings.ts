// Rule: in pipeline jobs and pipeline components, every `${{parent.…}}` binding names a declared pipeline
// input or output, or an existing step (and, where the step's component is known, one of its ports);
// and the steps, ordered by which outputs they consume, form no cycle.
import type { Diagnostic } from "../../diagnostics.js";
import { parseReference } from "../../source/reference.js";
import { folderOf, localPathIn } from "../../source/spec-sites.js";
import { resolveInTree } from "../../source/tree.js";
import { assetKindOf, type Manifest } from "../types.js";
import { IDENTIFIER, parseTemplate, SERVICE_MACROS, type Expression } from "./expressions.js";
import { diagnose, keyPathText, type Finding, type KeyPath, type RuleContext } from "./rule.js";
import { entriesOf, isSpecObject, keysOf, type SpecObject } from "./spec.js";
import { didYouMeanName } from "../suggest.js";

/** The ports of a step's component, when the component is in the repository or inline. */
interface StepPorts {
  inputs: string[];
  outputs: string[];
  /** Where the component is defined, for messages. */
  source: string;
}

/** Component manifests by file and by `name:version`, to look up what a step runs. */
interface ComponentIndex {
  byFile: Map<string, Manifest>;
  byId: Map<string, Manifest>;
}

export function checkPipelineBindings(ctx: RuleContext): Diagnostic[] {
  const index: ComponentIndex = { byFile: new Map(), byId: new Map() };
  for (const m of ctx.manifests) {
    if (assetKindOf(m.kind) !== "component") continue;
    index.byFile.set(m.file, m);
    if (!m.anonymous && m.name !== undefined && m.version !== undefined) index.byId.set(`${m.name}:${m.version}`, m);
  }
  return ctx.manifests
    .filter((m) => m.kind === "pipeline_job" || m.kind === "pipeline_component")
    .flatMap((m) => checkPipeline(m, index));
}

function checkPipeline(manifest: Manifest, index: ComponentIndex): Diagnostic[] {
  const spec = manifest.spec;
  const parentInputs = keysOf(spec["inputs"]);
  const parentOutputs = keysOf(spec["outputs"]);
  const steps = entriesOf(spec["jobs"]).filter((entry): entry is [string, SpecObject] => isSpecObject(entry[1]));
  const stepNames = steps.map(([name]) => name);
  const ports = new Map(steps.map(([name, node]) => [name, stepPorts(manifest, node, index)]));
  const pipelineWord = manifest.kind === "pipeline_job" ? "pipeline" : "pipeline component";
  const diagnostics: Diagnostic[] = [];
  /** consumer → producer → the first binding that makes the consumer wait for the producer */
  const consumes = new Map<string, Map<string, KeyPath>>();

  for (const [step, node] of steps) {
    const nodePath: KeyPath = ["jobs", step];
    const report = (path: KeyPath, finding: Finding): void => void diagnostics.push(diagnose(manifest, path, finding));
    for (const { path, text, inPorts } of stringsOf(node, nodePath)) {
      for (const expression of parseTemplate(text).expressions) {
        const parts = expression.body.split(".");
        if (parts[0] !== "parent") {
          if (inPorts && !isNodeMacro(parts, expression)) {
            report(path, {
              code: "binding-invalid",
              severity: "error",
              message: `${keyPathText(path)}: ${expression.text} is not a binding a step's input or output can use`,
              hint: "Bind to the pipeline with ${{parent.inputs.<name>}} / ${{parent.outputs.<name>}}, or to another step with ${{parent.jobs.<step>.outputs.<name>}}.",
            });
          }
          continue;
        }
        if (isControlBlock(path) && parts[1] === "jobs" && parts.length === 3) {
          // A control-flow node's block names a whole step: `true_block: ${{parent.jobs.train}}`.
          const target = parts[2] ?? "";
          if (!stepNames.includes(target)) {
            report(path, {
              code: "binding-unknown-step",
              severity: "error",
              message: `${keyPathText(path)}: ${expression.text} names no step of the ${pipelineWord}.${didYouMeanName(target, stepNames)}`,
              hint: `Steps under jobs: ${stepNames.join(", ")}.`,
            });
          }
          continue;
        }
        const finding = checkParentBinding(parts, expression, {
          parentInputs,
          parentOutputs,
          stepNames,
          ports,
          pipelineWord,
          field: keyPathText(path),
        });
        if (finding) report(path, finding);
        const producer = parts[2];
        if (parts[1] === "jobs" && parts[3] === "outputs" && producer !== undefined && ports.has(producer)) {
          const edges = consumes.get(step) ?? new Map<string, KeyPath>();
          if (!edges.has(producer)) edges.set(producer, path);
          consumes.set(step, edges);
        }
      }
    }
    const known = ports.get(step);
    if (known) {
      for (const [direction, declared] of [["inputs", known.inputs], ["outputs", known.outputs]] as const) {
        for (const name of keysOf(node[direction])) {
          if (declared.includes(name)) continue;
          const kind = direction === "inputs" ? "input" : "output";
          // A warning: Azure ML's examples pass such extra inputs, and a misspelt required input fails anyway.
          report([...nodePath, direction, name], {
            code: direction === "inputs" ? "step-unknown-input" : "step-unknown-output",
            severity: "warning",
            message: `jobs.${step}.${direction}.${name}: the component (${known.source}) declares no ${kind} ${name}, so this ${kind} goes nowhere.${didYouMeanName(name, declared)}`,
            hint: declared.length === 0 ? `The component declares no ${direction}.` : `Its ${direction}: ${declared.join(", ")}.`,
          });
        }
      }
    }
  }
  for (const cycle of cyclesOf(stepNames, consumes)) {
    const [first = "", second = first] = cycle;
    const path = consumes.get(first)?.get(second) ?? ["jobs", first];
    diagnostics.push(
      diagnose(manifest, path, {
        code: "pipeline-cycle",
        severity: "error",
        message:
          cycle.length === 1
            ? `jobs.${first} consumes its own output, so it can never start`
            : `steps ${[...cycle, first].join(" → ")} each wait for the next one's output, so none of them can start`,
        hint: "A step can only consume outputs of steps that do not, directly or indirectly, consume its own outputs.",
      }),
    );
  }
  return diagnostics;
}

/**
 * Keys of control-flow nodes that name whole steps, alone or in a list: azure-ai-ml
 * `_schema/pipeline/condition_node.py` (if_else: true_block, false_block) and `control_flow_job.py`
 * (do_while and parallel_for: body).
 */
const CONTROL_BLOCK_KEYS: ReadonlySet<string> = new Set(["true_block", "false_block", "body"]);

function isControlBlock(path: KeyPath): boolean {
  const last = path[path.length - 1];
  const key = typeof last === "number" ? path[path.length - 2] : last;
  return typeof key === "string" && CONTROL_BLOCK_KEYS.has(key) && path.length <= 5;
}

/** Forms other than `${{parent.…}}` allowed in a step's inputs and outputs. */
function isNodeMacro(parts: string[], expression: Expression): boolean {
  if (SERVICE_MACROS.has(expression.body)) return true;
  return parts[0] === "search_space" && parts.length === 2;
}

interface BindingScope {
  parentInputs: string[];
  parentOutputs: string[];
  stepNames: string[];
  ports: Map<string, StepPorts | undefined>;
  pipelineWord: string;
  field: string;
}

function checkParentBinding(parts: string[], expression: Expression, scope: BindingScope): Finding | undefined {
  const { field, pipelineWord } = scope;
  const shown = expression.text;
  const [, section, name, direction, port, ...extra] = parts;
  if ((section === "inputs" || section === "outputs") && name !== undefined && IDENTIFIER.test(name) && direction === undefined) {
    const declared = section === "inputs" ? scope.parentInputs : scope.parentOutputs;
    if (declared.includes(name)) return undefined;
    const kind = section === "inputs" ? "input" : "output";
    return {
      code: section === "inputs" ? "binding-unknown-input" : "binding-unknown-output",
      severity: "error",
      message: `${field}: ${shown} names no ${kind} of the ${pipelineWord}.${didYouMeanName(name, declared)}`,
      hint: `Declare ${name} under the ${pipelineWord}'s top-level ${section}:${declared.length > 0 ? ` (now: ${declared.join(", ")})` : ""}, or fix the name.`,
    };
  }
  if (
    section === "jobs" &&
    name !== undefined &&
    (direction === "outputs" || direction === "inputs") &&
    port !== undefined &&
    IDENTIFIER.test(port) &&
    extra.length === 0
  ) {
    if (!scope.stepNames.includes(name)) {
      return {
        code: "binding-unknown-step",
        severity: "error",
        message: `${field}: ${shown} names no step of the ${pipelineWord}.${didYouMeanName(name, scope.stepNames)}`,
        hint: `Steps under jobs: ${scope.stepNames.join(", ")}.`,
      };
    }
    const known = scope.ports.get(name);
    const declared = direction === "outputs" ? known?.outputs : known?.inputs;
    if (known === undefined || declared === undefined || declared.includes(port)) return undefined;
    const kind = direction === "outputs" ? "output" : "input";
    return {
      code: direction === "outputs" ? "binding-unknown-step-output" : "binding-unknown-step-input",
      severity: "error",
      message: `${field}: ${shown} names no ${kind} of step ${name} (component ${known.source}).${didYouMeanName(port, declared)}`,
      hint: declared.length === 0 ? `Its component declares no ${direction}.` : `Its ${direction}: ${declared.join(", ")}.`,
    };
  }
  return {
    code: "binding-invalid",
    severity: "error",
    message: `${field}: ${shown} is not a valid pipeline binding`,
    hint: "Write ${{parent.inputs.<name>}}, ${{parent.outputs.<name>}} or ${{parent.jobs.<step>.outputs.<name>}}.",
  };
}

/**
 * The strings of a node evaluated in the pipeline's context, with whether they bind a port. An inline
 * component's fields and an inline job's command are evaluated in their own context, so they are skipped.
 */
function stringsOf(node: SpecObject, at: KeyPath): { path: KeyPath; text: string; inPorts: boolean }[] {
  const found: { path: KeyPath; text: string; inPorts: boolean }[] = [];
  const walk = (value: unknown, path: KeyPath, inPorts: boolean): void => {
    if (typeof value === "string") {
      if (value.includes("${{")) found.push({ path, text: value, inPorts });
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, [...path, i], inPorts));
    } else if (isSpecObject(value)) {
      for (const [key, child] of Object.entries(value)) walk(child, [...path, key], inPorts);
    }
  };
  for (const [key, value] of Object.entries(node)) {
    if ((key === "component" || key === "trial") && isSpecObject(value)) continue;
    // An inline job's command is templated against its own ports: command-expressions checks it.
    if (key === "command" || key === "args") continue;
    walk(value, [...at, key], key === "inputs" || key === "outputs");
  }
  return found;
}

function stepPorts(manifest: Manifest, node: SpecObject, index: ComponentIndex): StepPorts | undefined {
  for (const key of ["component", "trial"]) {
    const value = node[key];
    if (isSpecObject(value)) return { inputs: keysOf(value["inputs"]), outputs: keysOf(value["outputs"]), source: "inline" };
    if (typeof value !== "string") continue;
    const ref = parseReference(value);
    const local = localPathIn("component", value, ref);
    let component: Manifest | undefined;
    if (local !== undefined) {
      const file = resolveInTree(folderOf(manifest.file), local);
      component = file === undefined ? undefined : index.byFile.get(file);
    } else if (ref?.form === "asset" && ref.version !== undefined) {
      component = index.byId.get(`${ref.name}:${ref.version}`);
    }
    if (component) {
      return {
        inputs: keysOf(component.spec["inputs"]),
        outputs: keysOf(component.spec["outputs"]),
        source: component.file,
      };
    }
  }
  return undefined;
}

/** Every cycle of the consumes graph, once each (one per strongly connected component), as step lists. */
function cyclesOf(steps: string[], consumes: Map<string, Map<string, KeyPath>>): string[][] {
  const next = (step: string): string[] => [...(consumes.get(step)?.keys() ?? [])].sort();
  // Tarjan's strongly connected components.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) ?? 0, low.get(w) ?? 0));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) ?? 0, index.get(w) ?? 0));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      for (let w = stack.pop(); w !== undefined; w = stack.pop()) {
        onStack.delete(w);
        component.push(w);
        if (w === v) break;
      }
      components.push(component);
    }
  };
  for (const step of [...steps].sort()) if (!index.has(step)) visit(step);

  const cycles: string[][] = [];
  for (const component of components) {
    const members = new Set(component);
    const start = [...component].sort()[0] ?? "";
    if (component.length === 1 && !next(start).includes(start)) continue;
    // A shortest way around from the first step back to itself, inside the component.
    const previous = new Map<string, string>();
    const queue = [start];
    let closing: string | undefined;
    while (queue.length > 0 && closing === undefined) {
      const v = queue.shift() ?? "";
      for (const w of next(v)) {
        if (w === start) {
          closing = v;
          break;
        }
        if (members.has(w) && !previous.has(w)) {
          previous.set(w, v);
          queue.push(w);
        }
      }
    }
    const cycle = [start];
    if (closing !== undefined && closing !== start) {
      const back: string[] = [];
      for (let v: string | undefined = closing; v !== undefined && v !== start; v = previous.get(v)) back.push(v);
      cycle.push(...back.reverse());
    }
    cycles.push(cycle);
  }
  return cycles.sort((a, b) => (a[0] ?? "").localeCompare(b[0] ?? ""));
}
