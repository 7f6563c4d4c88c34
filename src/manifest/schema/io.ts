// Component inputs and outputs: parameters (integer, number, string, boolean) and ports (files, folders,
// tables, models), as the Azure ML SDK's InputPortSchema, ParameterSchema and OutputPortSchema define them.
import { z } from "zod";
import { ciEnum } from "./common.js";

export const PARAM_TYPES = ["integer", "number", "string", "boolean"] as const;
/** `path` is the legacy port type some older components still use. */
export const PORT_TYPES = ["uri_file", "uri_folder", "mltable", "mlflow_model", "custom_model", "triton_model", "path"] as const;
export const PORT_MODES = ["mount", "download", "upload", "ro_mount", "rw_mount", "eval_mount", "eval_download", "direct", "link"] as const;

/** Names Azure ML reserves for environment variables of the run; compared case-insensitively. */
const RESERVED_IO_NAMES: ReadonlySet<string> = new Set(["path", "ld_library_path", "user", "logname", "home", "pwd", "shell"]);
const IO_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const isParam = (type: string) => (PARAM_TYPES as readonly string[]).includes(type);
const scalar = z.union([z.string(), z.number(), z.boolean()]);

const componentInput = z
  .strictObject({
    type: ciEnum([...PARAM_TYPES, ...PORT_TYPES]),
    description: z.string().optional(),
    optional: z.boolean().optional(),
    default: scalar.optional(),
    min: z.union([z.string(), z.number()]).optional(),
    max: z.union([z.string(), z.number()]).optional(),
    enum: z.array(scalar).optional(),
    mode: ciEnum(PORT_MODES).optional(),
  })
  .superRefine((input, ctx) => {
    const param = isParam(input.type);
    const misplaced = param ? (["mode"] as const) : (["min", "max", "enum"] as const);
    for (const key of misplaced) {
      if (input[key] === undefined) continue;
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `"${key}" applies to ${param ? "data inputs" : "parameter inputs"}, not to an input of type ${input.type}`,
        params: { code: "schema-unknown-key", at: "key" },
      });
    }
    if (!param && input.default !== undefined && typeof input.default !== "string") {
      ctx.addIssue({
        code: "custom",
        path: ["default"],
        message: `the default of a ${input.type} input must be a path or URI string`,
        params: { code: "schema-type" },
      });
    }
  });

function componentOutput(primitive: boolean) {
  return z
    .strictObject({
      type: ciEnum([...PORT_TYPES, ...PARAM_TYPES]),
      description: z.string().optional(),
      mode: ciEnum(PORT_MODES).optional(),
      is_control: z.boolean().optional(),
    })
    .superRefine((output, ctx) => {
      const param = isParam(output.type);
      if (param && !primitive) {
        ctx.addIssue({
          code: "custom",
          path: ["type"],
          message: `outputs of this component type must be data (${PORT_TYPES.join(", ")}), not ${output.type}`,
          params: { code: "schema-enum", hint: "primitive outputs exist for command and pipeline components only" },
        });
      }
      if (!param && output.is_control !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["is_control"],
          message: `"is_control" applies to primitive outputs, not to an output of type ${output.type}`,
          params: { code: "schema-unknown-key", at: "key" },
        });
      }
    });
}

/** Names must be identifiers, not reserved, and unique across inputs and outputs. */
export function checkIoNames(io: { inputs?: Record<string, unknown> | undefined; outputs?: Record<string, unknown> | undefined }, ctx: z.RefinementCtx): void {
  if (typeof io !== "object" || io === null) return;
  const seen = new Map<string, string>();
  for (const side of ["inputs", "outputs"] as const) {
    const declared: unknown = io[side];
    if (typeof declared !== "object" || declared === null || Array.isArray(declared)) continue;
    for (const name of Object.keys(declared)) {
      const path = [side, name];
      if (!IO_NAME.test(name)) {
        ctx.addIssue({
          code: "custom",
          path,
          message: `"${name}" is not a valid ${side === "inputs" ? "input" : "output"} name`,
          params: { code: "io-name-invalid", at: "key", hint: "use letters, digits and underscores, starting with a letter or underscore" },
        });
      } else if (RESERVED_IO_NAMES.has(name.toLowerCase())) {
        ctx.addIssue({
          code: "custom",
          path,
          message: `"${name}" is reserved by Azure ML (it names an environment variable of the run)`,
          params: { code: "io-name-reserved", at: "key", hint: "rename it, e.g. input_path" },
        });
      }
      const previous = seen.get(name);
      if (previous !== undefined) {
        ctx.addIssue({
          code: "custom",
          path,
          message: `"${name}" is declared both as an input and as an output`,
          params: { code: "io-name-duplicate", at: "key", hint: "inputs and outputs share one namespace in commands" },
        });
      }
      seen.set(name, side);
    }
  }
}

/** `inputs:` and `outputs:` of a component; `primitive` allows parameter-typed outputs. */
export function componentIo(options: { primitiveOutputs: boolean }) {
  return {
    inputs: z.record(z.string(), componentInput).optional(),
    outputs: z.record(z.string(), componentOutput(options.primitiveOutputs)).optional(),
  };
}

