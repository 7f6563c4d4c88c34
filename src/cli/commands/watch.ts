// `assetctl watch [--apply] [--json]`: plans on start and after every settled change of the repository.
import { applyDesired } from "../../apply-workflow.js";
import { hasErrors, UserError, type Diagnostic } from "../../diagnostics.js";
import { makePlan } from "../../plan-desired.js";
import { readDesired } from "../../reconcile.js";
import { DEFAULT_DEBOUNCE_MS, watchRepository, type Applied, type WatchEvent } from "../../watch/watch.js";
import { GitAnswers } from "../../source/git-answers.js";
import { KeptListing } from "../../source/kept-listing.js";
import { WorkTree, type SourceTree } from "../../source/tree.js";
import { redact } from "../../registry/open.js";
import { connectRegistry, registrySpec, resolveRoot } from "../context.js";
import type { Io } from "../io.js";
import { lineSource } from "../lines.js";
import { renderDiagnosticsText } from "../render/diagnostics.js";
import type { Style } from "../render/style.js";
import { patchLines, renderPlanText, summaryLine, symbolOf } from "../render/plan-text.js";
import { common, flag, progressOf, str, type Command } from "./command.js";
import { publicPlan } from "./plan.js";

export const watchCommand: Command = {
  usage: "[--apply] [--allow-shared] [--json] [--debounce MS]",
  description:
    "Plans on start and again after every change to the manifests or the files they name, printing what changed. With --apply, applies each settled change (local registries only unless --allow-shared). --json prints one JSON event per line. Ctrl-C stops.",
  options: { ...common, apply: { type: "boolean" }, "allow-shared": { type: "boolean" }, debounce: { type: "string" } },
  async run(values, _positionals, io) {
    const root = await resolveRoot(str(values, "dir"), io.cwd);
    const apply = flag(values, "apply");
    const spec = await registrySpec(root, str(values, "registry"), io.env);
    // Any URL (postgres://, oci://, also as the objects half of a split registry) is somebody else's too.
    if (apply && /[a-z][a-z0-9+.-]*:\/\//i.test(spec) && !flag(values, "allow-shared")) {
      throw new UserError("watch-shared-registry", `watch --apply would write every save to the shared registry ${redact(spec)}.`, {
        hint: "use a local registry while developing, or pass --allow-shared if that is really meant",
      });
    }
    const registry = await connectRegistry(root, str(values, "registry"), io.env, { create: apply });
    const asJson = flag(values, "json");
    const debounceMs = Number(str(values, "debounce") ?? DEFAULT_DEBOUNCE_MS);

    // Where the diagnostics' source lines are read from as they are shown: a long-lived tree stats afresh.
    const tree = new WorkTree(root);
    // `impact` and `dependents` are answered from memory while this runs (lineage-resident.ts).
    const { serveResidentQueries } = await import("./lineage-resident.js");
    const resident = await serveResidentQueries(root, io.env);
    // Ctrl-C is ours from before the first plan: one pressed while it is printed still stops cleanly.
    const stopped = new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    const git = new GitAnswers(root, io.env);
    const listing = new KeptListing(root);
    const handle = await watchRepository({
      root,
      onFile: (file, event) => {
        resident.lineage.changed();
        git.fileChanged(file);
        listing.fileEvent(event, file);
      },
      debounceMs: Number.isFinite(debounceMs) && debounceMs >= 0 ? debounceMs : DEFAULT_DEBOUNCE_MS,
      async warm() {
        const desired = await readDesired({ root, git, listing });
        if (!hasErrors(desired.state.diagnostics)) await makePlan(desired, registry);
      },
      async cycle() {
        const desired = await readDesired({ root, git, listing, ...progressOf(io) });
        const diagnostics = desired.state.diagnostics;
        if (hasErrors(diagnostics)) return { status: "invalid", diagnostics };
        if (!apply) return { status: "planned", plan: await makePlan(desired, registry) };
        const outcome = await applyDesired(desired, registry, { lock: { operation: "watch --apply", timeoutMs: 5000 }, whenMoved: "replan", allowDirty: true, ...progressOf(io) });
        if (outcome.status !== "applied") return { status: "planned", plan: outcome.plan };
        const { created, updated, archived } = outcome.result;
        return { status: "planned", plan: outcome.plan, applied: { created, updated, archived } };
      },
      emit: async (event) => {
        await (asJson ? io.out(JSON.stringify(await jsonEvent(event, tree))) : printEvent(event, tree, io));
        // The resident answers read the manifests again once a plan is out, not while it is made.
        if (event.type !== "ready" && event.type !== "error") resident.lineage.touched();
      },
    });

    await handle.ready;
    await stopped;
    await handle.close();
    await resident.close();
    await registry.close();
    if (!asJson && !io.quiet) io.out("Stopped watching.");
    return 0;
  },
};

/** The diagnostics as a person reads them, with their source lines (styled for a terminal, or plain). */
async function diagnosticsText(diagnostics: readonly Diagnostic[], tree: SourceTree, style: Style | undefined, quiet: boolean): Promise<string> {
  return renderDiagnosticsText(diagnostics, await lineSource(tree, diagnostics), style, { quiet });
}

function appliedText(applied: Applied): string {
  return `${applied.created} created, ${applied.updated} updated, ${applied.archived} archived`;
}

/** An event as `watch --json` prints it (schemas/output/watch-event.schema.json): plans as plan --json shows them. */
async function jsonEvent(event: WatchEvent, tree: SourceTree): Promise<unknown> {
  switch (event.type) {
    case "plan":
      return { ...event, plan: publicPlan(event.plan) };
    case "changed":
      return { ...event, plan: publicPlan(event.plan), added: event.added.map(({ record: _r, mutable: _m, ...rest }) => rest) };
    case "invalid":
      return { ...event, message: await diagnosticsText(event.diagnostics, tree, undefined, false) };
    case "applied": {
      const { applied, ...rest } = event;
      return { ...rest, message: appliedText(applied) };
    }
    default:
      return event;
  }
}

async function printEvent(event: WatchEvent, tree: SourceTree, io: Io): Promise<void> {
  const stamp = new Date().toISOString().slice(11, 19);
  switch (event.type) {
    case "ready":
      if (!io.quiet) io.out(io.style.dim(`[${stamp}] watching for changes (Ctrl-C to stop)`));
      return;
    case "plan":
      io.out(renderPlanText(event.plan, { style: io.style, quiet: io.quiet === true }));
      return;
    case "changed": {
      const files = event.files.length ? ` ${event.files.slice(0, 3).join(", ")}${event.files.length > 3 ? ` and ${event.files.length - 3} more` : ""}` : "";
      io.out(io.style.dim(`\n[${stamp}] changed:${files}`));
      for (const c of event.added) {
        io.out(`${symbolOf(c).padEnd(2)} ${c.address}  ${io.style.dim(c.reason)}`);
        if (!io.quiet) for (const line of patchLines(c.patch, 5)) io.out(`      ${line}`);
      }
      for (const a of event.removed) io.out(io.style.dim(`   ${a}  no longer changes`));
      if (!event.added.length && !event.removed.length) io.out(io.style.dim("   the plan is the same"));
      io.out(summaryLine(event.plan.summary));
      return;
    }
    case "invalid":
      io.out(io.style.dim(`\n[${stamp}] the manifests have errors (still watching):`));
      io.out(await diagnosticsText(event.diagnostics, tree, io.errStyle, io.quiet === true));
      return;
    case "applied":
      io.out(io.style.green(`[${stamp}] applied: ${appliedText(event.applied)}`));
      return;
    case "error":
      io.err(`[${stamp}] ${io.errStyle.red("error")} ${event.message}`);
      return;
  }
}
