// Rule: the `${{inputs.x}}`/`${{outputs.y}}` expressions of a command name declared ports, and `$[[…]]`
// holds exactly the optional inputs, as Azure ML requires ("Only optional inputs can be in $[[]]").
import type { Diagnostic } from "../../diagnostics.js";
import type { SourceTree } from "../../source/tree.js";
import type { Manifest } from "../types.js";
import { CachedTree } from "./cached-tree.js";
import { commandScopesOf, type CommandScope } from "./command-scopes.js";
import { IDENTIFIER, parseTemplate, SERVICE_MACROS, type Expression } from "./expressions.js";
import { diagnose, keyPathText, type Finding, type KeyPath, type RuleContext } from "./rule.js";
import { positionInScalar } from "./scalar-position.js";
import { isSpecObject } from "./spec.js";
import { didYouMeanName } from "../suggest.js";

/** A finding and the text to point at inside the templated string. */
interface Located {
  finding: Finding;
  needle: string;
  occurrence: number;
}

export async function checkCommandExpressions(ctx: RuleContext): Promise<Diagnostic[]> {
  const tree = CachedTree.of(ctx.tree);
  const checks = ctx.manifests.flatMap((manifest) =>
    commandScopesOf(manifest).flatMap((scope) =>
      scope.templates.map(async ({ path, text }) => {
        const found = checkTemplate(scope, path, text);
        return Promise.all(found.map((f) => locate(tree, manifest, path, f)));
      }),
    ),
  );
  return (await Promise.all(checks)).flat();
}

async function locate(tree: SourceTree, manifest: Manifest, path: KeyPath, located: Located): Promise<Diagnostic> {
  const position = await positionInScalar(tree, manifest, path, located.needle, located.occurrence);
  return diagnose(manifest, path, located.finding, position);
}

function isOptional(declaration: unknown): boolean {
  return isSpecObject(declaration) && (declaration["optional"] === true || declaration["optional"] === "true");
}

function checkTemplate(scope: CommandScope, path: KeyPath, text: string): Located[] {
  const field = keyPathText(path);
  const inputNames = Object.keys(scope.inputs);
  const outputNames = Object.keys(scope.outputs);
  const template = parseTemplate(text);
  const found: Located[] = [];
  const at = (e: Expression, finding: Finding): void => void found.push({ finding, needle: e.text, occurrence: e.occurrence });

  for (const expression of template.expressions) {
    const [head, name, ...rest] = expression.body.split(".");
    const shown = expression.text;
    if ((head === "inputs" || head === "outputs") && name !== undefined && IDENTIFIER.test(name) && rest.length === 0) {
      const names = head === "inputs" ? inputNames : outputNames;
      if (!names.includes(name)) {
        const kind = head === "inputs" ? "input" : "output";
        at(expression, {
          code: head === "inputs" ? "expression-unknown-input" : "expression-unknown-output",
          severity: "error",
          message: `${field}: ${shown} names no declared ${kind}.${didYouMeanName(name, names)}`,
          hint:
            names.length === 0
              ? `Declare ${name} under ${head}:, or remove the expression.`
              : `Declared ${head}: ${names.join(", ")}. Declare ${name} under ${head}:, or fix the name.`,
        });
      } else if (head === "inputs" && scope.declared && isOptional(scope.inputs[name]) && !expression.optionalSegment) {
        at(expression, {
          code: "optional-input-outside-brackets",
          severity: "error",
          message: `${field}: the optional input ${name} is used outside $[[…]]; without a value the command would get an empty argument`,
          hint: `Wrap the argument and its flag: $[[--${name} ${shown}]], so Azure ML drops both when no value is given; or make the input required.`,
        });
      }
      continue;
    }
    if (SERVICE_MACROS.has(expression.body)) continue;
    if (head === "search_space" && name !== undefined && rest.length === 0) continue;
    at(expression, {
      code: "expression-unknown",
      severity: "error",
      message: `${field}: ${shown} is not an expression a command can use`,
      hint:
        head === "parent"
          ? "Pipeline bindings (${{parent.…}}) belong in a node's inputs and outputs; in the command, write ${{inputs.<name>}} and bind the input in the node."
          : "A command can use ${{inputs.<name>}}, ${{outputs.<name>}}, ${{search_space.<name>}} in a sweep trial, and ${{name}}, ${{output_name}}, ${{default_datastore}}.",
    });
  }

  for (const segment of template.segments) {
    const inputs = segment.expressions.filter((e) => e.body.startsWith("inputs."));
    if (inputs.length === 0) {
      const bare = /\binputs\.([A-Za-z_][A-Za-z0-9_]*)/.exec(segment.text)?.[1];
      found.push({
        needle: segment.text,
        occurrence: segment.occurrence,
        finding: {
          code: "brackets-without-input",
          severity: "warning",
          message: `${field}: ${segment.text} holds no \${{inputs.…}} expression, so its text is passed as written`,
          hint:
            bare === undefined
              ? "Put an optional input inside: $[[--flag ${{inputs.<name>}}]]."
              : `Write $[[--${bare} \${{inputs.${bare}}}]]: inside $[[…]] the input still needs \${{…}}.`,
        },
      });
      continue;
    }
    if (!scope.declared) continue;
    for (const expression of inputs) {
      const name = expression.body.slice("inputs.".length);
      if (!(name in scope.inputs) || isOptional(scope.inputs[name])) continue;
      at(expression, {
        code: "required-input-in-brackets",
        severity: "error",
        message: `${field}: ${name} is a required input, but only optional inputs can be in $[[…]]`,
        hint: `Declare ${name} with optional: true, or move ${expression.text} out of $[[…]].`,
      });
    }
  }

  for (const open of template.unterminated) {
    found.push({
      needle: open.text,
      occurrence: text.slice(0, open.start).split(open.text).length - 1,
      finding: {
        code: "expression-unterminated",
        severity: "error",
        message: `${field}: ${open.text} is never closed with ${open.text === "${{" ? "}}" : "]]"}`,
        hint: open.text === "${{" ? "Write the expression as ${{inputs.<name>}}." : "Write the optional segment as $[[--flag ${{inputs.<name>}}]].",
      },
    });
  }
  return found;
}
