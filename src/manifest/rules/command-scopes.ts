// The places where a command line is templated against its own inputs and outputs: command and spark
// components, components written inline in pipeline nodes, inline command jobs and parallel tasks.
import type { Manifest } from "../types.js";
import type { KeyPath } from "./rule.js";
import { entriesOf, isSpecObject, objectAt, type SpecObject } from "./spec.js";

export interface CommandScope {
  /** The object that declares (component) or binds (node) the inputs and outputs. */
  path: KeyPath;
  inputs: SpecObject;
  outputs: SpecObject;
  /**
   * Components declare ports (`{type, optional, default}`); nodes only bind values to them, so whether
   * an input is optional is known only for declared ports.
   */
  declared: boolean;
  /** The templated strings evaluated in this scope. */
  templates: { path: KeyPath; text: string }[];
}

export function commandScopesOf(manifest: Manifest): CommandScope[] {
  const scopes: CommandScope[] = [];
  switch (manifest.kind) {
    case "command_component":
    case "spark_component":
      addComponent(scopes, manifest.spec, []);
      break;
    case "parallel_component":
    case "automl_component":
      break;
    case "pipeline_component":
    case "pipeline_job":
      addJobs(scopes, manifest.spec, []);
      break;
    default:
      break;
  }
  return scopes;
}

function addComponent(scopes: CommandScope[], component: SpecObject, at: KeyPath): void {
  const templates = ["command", "args"].flatMap((key) => {
    const text = component[key];
    return typeof text === "string" ? [{ path: [...at, key], text }] : [];
  });
  if (templates.length > 0) {
    scopes.push({ path: at, inputs: objectAt(component, "inputs") ?? {}, outputs: objectAt(component, "outputs") ?? {}, declared: true, templates });
  }
  if (isSpecObject(component["jobs"])) addJobs(scopes, component, at);
}

function addJobs(scopes: CommandScope[], owner: SpecObject, at: KeyPath): void {
  for (const [step, node] of entriesOf(owner["jobs"])) {
    if (!isSpecObject(node)) continue;
    const nodePath = [...at, "jobs", step];
    for (const key of ["component", "trial"]) {
      const inline = node[key];
      if (isSpecObject(inline)) addComponent(scopes, inline, [...nodePath, key]);
    }
    // Inline command jobs and parallel nodes template their command against the node's own ports.
    const templates: { path: KeyPath; text: string }[] = [];
    if (node["component"] === undefined && node["trial"] === undefined) {
      for (const key of ["command", "args", "input_data"]) {
        const text = node[key];
        if (typeof text === "string") templates.push({ path: [...nodePath, key], text });
      }
    }
    for (const [key, text] of entriesOf(node["task"])) {
      if (typeof text === "string" && (key === "program_arguments" || key === "append_row_to")) {
        templates.push({ path: [...nodePath, "task", key], text });
      }
    }
    if (templates.length > 0) {
      scopes.push({ path: nodePath, inputs: objectAt(node, "inputs") ?? {}, outputs: objectAt(node, "outputs") ?? {}, declared: false, templates });
    }
  }
}
