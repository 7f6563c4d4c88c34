// Rule: an environment, registered or inline, is built exactly one way — from `image` or from `build` —
// and a `conda_file` only goes with `image` (with `build`, the Dockerfile installs the packages).
import type { Diagnostic } from "../../diagnostics.js";
import type { Manifest } from "../types.js";
import { diagnose, keyPathText, type KeyPath, type RuleContext } from "./rule.js";
import { entriesOf, isSpecObject, type SpecObject } from "./spec.js";

export function checkEnvironments(ctx: RuleContext): Diagnostic[] {
  return ctx.manifests.flatMap((manifest) => environmentsOf(manifest).flatMap(({ path, env }) => checkOne(manifest, path, env)));
}

function checkOne(manifest: Manifest, path: KeyPath, env: SpecObject): Diagnostic[] {
  const what = path.length === 0 ? "the environment" : keyPathText(path);
  const has = (key: string): boolean => env[key] !== undefined && env[key] !== null;
  if (has("image") && has("build")) {
    return [
      diagnose(manifest, [...path, "build"], {
        code: "environment-image-and-build",
        severity: "error",
        message: `${what} has both image and build; Azure ML builds an environment one way only`,
        hint: "Keep image to run a published Docker image, or build to build one from a Dockerfile in the repository.",
      }),
    ];
  }
  if (!has("image") && !has("build")) {
    return [
      // A whole manifest is pointed at by its name, the line that says which environment this is.
      diagnose(manifest, path.length === 0 ? ["name"] : path, {
        code: "environment-image-or-build",
        severity: "error",
        message: `${what} has neither image nor build`,
        hint: "Add image: <docker image> (with an optional conda_file), or build: {path: <folder with a Dockerfile>}.",
      }),
    ];
  }
  if (has("build") && has("conda_file")) {
    return [
      diagnose(manifest, [...path, "conda_file"], {
        code: "environment-conda-without-image",
        severity: "error",
        message: `${what} has conda_file with build; a conda file only applies on top of an image`,
        hint: "Install the packages in the Dockerfile of the build context, or replace build with image.",
      }),
    ];
  }
  return [];
}

/** Every environment a manifest defines: itself, and each one inline in a component, node or task. */
function environmentsOf(manifest: Manifest): { path: KeyPath; env: SpecObject }[] {
  const found: { path: KeyPath; env: SpecObject }[] = [];
  const inline = (owner: unknown, at: KeyPath): void => {
    if (!isSpecObject(owner)) return;
    const env = owner["environment"];
    if (isSpecObject(env)) found.push({ path: [...at, "environment"], env });
  };
  const jobs = (owner: unknown, at: KeyPath): void => {
    if (!isSpecObject(owner)) return;
    for (const [step, node] of entriesOf(owner["jobs"])) {
      const nodePath = [...at, "jobs", step];
      inline(node, nodePath);
      if (!isSpecObject(node)) continue;
      inline(node["task"], [...nodePath, "task"]);
      for (const key of ["component", "trial"]) {
        inline(node[key], [...nodePath, key]);
        jobs(node[key], [...nodePath, key]);
      }
    }
  };
  switch (manifest.kind) {
    case "environment":
      found.push({ path: [], env: manifest.spec });
      break;
    case "command_component":
    case "spark_component":
    case "automl_component":
      inline(manifest.spec, []);
      break;
    case "parallel_component":
      inline(manifest.spec["task"], ["task"]);
      break;
    case "pipeline_component":
    case "pipeline_job":
      jobs(manifest.spec, []);
      break;
    default:
      break;
  }
  return found;
}
