// `assetctl watch [--apply] [--json]`: plans on start and after every settled change of the repository.
import { applyDesired } from "../../apply-workflow.js";
import { UserError } from "../../diagnostics.js";
import { makePlan, readDesired } from "../../reconcile.js";
import { watchRepository, type WatchEvent } from "../../watch/watch.js";
import { redact } from "../../registry/open.js";
import { connectRegistry, registrySpec, resolveRoot } from "../context.js";
import type { Io } from "../io.js";
import { lineSource } from "../lines.js";
import { renderDiagnosticsText } from "../render/diagnostics.js";
import { patchLines, renderPlanText, summaryLine, symbolOf } from "../render/plan-text.js";
import { common, flag, str, type Command } from "./command.js";
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
    const debounceMs = Number(str(values, "debounce") ?? "50");

    // `impact` and `dependents` are answered from memory while this runs (lineage-resident.ts).
    const { serveResidentQueries } = await import("./lineage-resident.js");
    const resident = await serveResidentQueries(root, io.env);
    const handle = await watchRepository({
      root,
      onFile: () => resident.lineage.touched(),
      debounceMs: Number.isFinite(debounceMs) && debounceMs >= 0 ? debounceMs : 50,
      async cycle() {
        const desired = await readDesired({ root });
        const diagnostics = desired.state.diagnostics;
        if (diagnostics.some((d) => d.severity === "error")) {
          const text = renderDiagnosticsText(diagnostics, await lineSource(desired.tree, diagnostics), asJson ? undefined : io.errStyle);
          return { invalid: text, diagnostics };
        }
        if (!apply) return { plan: await makePlan(desired, registry) };
        const outcome = await applyDesired(desired, registry, { lock: { operation: "watch --apply", timeoutMs: 5000 }, whenMoved: "replan", allowDirty: true });
        if (outcome.status !== "applied") return { plan: outcome.plan };
        const { created, updated, archived } = outcome.result;
        return { plan: outcome.plan, applied: `${created} created, ${updated} updated, ${archived} archived` };
      },
      emit: (event) => (asJson ? io.out(JSON.stringify(jsonEvent(event))) : printEvent(event, io)),
    });

    await handle.ready;
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    await handle.close();
    await resident.close();
    await registry.close();
    if (!asJson) io.out("Stopped watching.");
    return 0;
  },
};

function jsonEvent(event: WatchEvent): unknown {
  return {
    ...event,
    ...(event.plan ? { plan: publicPlan(event.plan) } : {}),
    ...(event.added ? { added: event.added.map(({ record: _r, mutable: _m, ...rest }) => rest) } : {}),
  };
}

function printEvent(event: WatchEvent, io: Io): void {
  const stamp = new Date().toISOString().slice(11, 19);
  switch (event.type) {
    case "ready":
      io.out(io.style.dim(`[${stamp}] watching for changes (Ctrl-C to stop)`));
      return;
    case "plan":
      if (event.plan) io.out(renderPlanText(event.plan, { style: io.style }));
      return;
    case "changed": {
      const files = event.files?.length ? ` ${event.files.slice(0, 3).join(", ")}${event.files.length > 3 ? ` and ${event.files.length - 3} more` : ""}` : "";
      io.out(io.style.dim(`\n[${stamp}] changed:${files}`));
      for (const c of event.added ?? []) {
        io.out(`${symbolOf(c).padEnd(2)} ${c.address}  ${io.style.dim(c.reason)}`);
        for (const line of patchLines(c.patch, 5)) io.out(`      ${line}`);
      }
      for (const a of event.removed ?? []) io.out(io.style.dim(`   ${a}  no longer changes`));
      if (!event.added?.length && !event.removed?.length) io.out(io.style.dim("   the plan is the same"));
      if (event.plan) io.out(summaryLine(event.plan.summary));
      return;
    }
    case "invalid":
      io.out(io.style.dim(`\n[${stamp}] the manifests have errors (still watching):`));
      io.out(event.message ?? "");
      return;
    case "applied":
      io.out(io.style.green(`[${stamp}] applied: ${event.message ?? ""}`));
      return;
    case "error":
      io.err(`[${stamp}] ${io.errStyle.red("error")} ${event.message ?? ""}`);
      return;
  }
}
