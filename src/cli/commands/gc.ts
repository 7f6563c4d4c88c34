// `assetctl gc [--apply | --restore]`: the garbage collector. A dry run by default (what would be deleted,
// every kept version with its reasons in --json); --apply deletes under the registry's lock; --restore
// brings back what the trash still holds.
import type { GcState } from "../../apply/gc.js";
import { UserError, hasErrors } from "../../diagnostics.js";
import { aliasHistoryKept } from "../../lineage/snapshot-memo.js";
import { readRetention } from "../../manifest/config.js";
import type { RegistryDriver } from "../../registry/driver.js";
import type { AliasRecord, RegistrySnapshot } from "../../registry/types.js";
import { defaultBranchRef, openSourceTree } from "../../source/index.js";
import { connectRegistry, parseDuration, resolveRoot } from "../context.js";
import type { OnProgress } from "../../progress.js";
import { common, flag, json, outputFormat, progressOf, str, type Command } from "./command.js";
import { cacheFolder } from "../../source/root-folder.js";

/** What a registry without its own sweep says about its objects. */
function objectsNote(registry: RegistryDriver): string {
  if (registry.url.includes("oci://")) return "Objects live in an OCI registry: its own garbage collection frees the bytes no manifest references; assetctl deletes no blobs.";
  if (registry.url.startsWith("azureml://")) return "Azure ML keeps the objects in its own storage: a version gc deletes is archived there, and assetctl sweeps no bytes.";
  return "This registry's storage keeps the objects; assetctl sweeps none.";
}

/**
 * The versions the manifests of `ref` declare (as a plan of that ref against `snapshot` sees them) and
 * what those need. The snapshot is the one gc judges: the registry is read once.
 */
async function declaredAt(
  root: string,
  ref: string,
  registry: RegistryDriver,
  snapshot: RegistrySnapshot,
  aliasHistory: () => Promise<AliasRecord[]>,
  progress: { onProgress?: OnProgress },
): Promise<Set<string>> {
  const [{ readDesired }, { plan: computePlan }] = await Promise.all([import("../../reconcile.js"), import("../../plan/plan.js")]);
  const desired = await readDesired({ root, ref, cache: false, ...progress });
  if (hasErrors(desired.state.diagnostics)) {
    const first = desired.state.diagnostics.find((d) => d.severity === "error");
    // Without a clean reading of the default branch, gc cannot tell what is in use: it does nothing.
    throw new UserError("gc-manifests-invalid", `The manifests on ${ref} have errors, so gc cannot tell what they declare${first ? ` (${first.file}:${first.line}: ${first.message})` : ""}.`, {
      hint: `fix them on ${ref}, or name another ref with --ref`,
    });
  }
  // As planAgainst does: the alias journal is read only when the manifests name an alias.
  const usesAliases = desired.state.aliases !== undefined || desired.state.assets.some((a) => a.references.some((r) => /^azureml:[^:@/]+@(?!latest$)[^@:/\s]+$/.test(r.raw)));
  const plan = computePlan(desired.state, snapshot, { registryUrl: registry.url, aliasHistory: usesAliases ? await aliasHistory() : [], now: new Date().toISOString() });
  const declared = new Set<string>();
  for (const change of plan.changes) {
    if (change.action === "orphan" || change.action === "archive") continue;
    declared.add(change.address);
    for (const dependency of change.record?.dependencies ?? []) declared.add(dependency);
  }
  return declared;
}

export const gcCommand: Command = {
  usage: "[--apply | --restore] [--ref REF] [--format text|json|markdown] [--detailed-exitcode] [--lock-timeout DUR]",
  description:
    "Deletes versions no retention rule keeps (the latest, those the default branch declares, aliased now or within alias_history, depended on, keep_last, keep_within) and sweeps objects no live version uses into a trash. A dry run unless --apply; --restore brings back what the trash holds. Exit 0 (or 2 with --detailed-exitcode when there is work), 1 on errors.",
  options: {
    ...common,
    apply: { type: "boolean" },
    restore: { type: "boolean" },
    ref: { type: "string" },
    format: { type: "string" },
    "detailed-exitcode": { type: "boolean" },
    "lock-timeout": { type: "string" },
  },
  async run(values, _positionals, io) {
    const format = outputFormat(values, ["text", "json", "markdown"]);
    if (flag(values, "apply") && flag(values, "restore")) throw new UserError("usage", "--apply and --restore cannot be combined.");
    const lockTimeoutMs = parseDuration(str(values, "lock-timeout") ?? "0s");
    const root = await resolveRoot(str(values, "dir"), io.cwd);
    const registry = await connectRegistry(root, str(values, "registry"), io.env);
    try {
      const { applyGc, readGcState, restoreGc } = await import("../../apply/gc.js");
      const render = await import("../render/gc.js");
      if (flag(values, "restore")) {
        const outcome = await restoreGc(registry, { lockTimeoutMs });
        if (format === "json") json(io, { restored: outcome });
        else io.out(render.renderRestore(outcome));
        return 0;
      }
      const ref = str(values, "ref") ?? (await defaultBranchRef(root));
      if (ref === undefined) {
        throw new UserError("gc-ref-unknown", "gc keeps what the default branch declares, and this repository has no origin/HEAD, main or master.", {
          hint: "name the branch with --ref BRANCH",
        });
      }
      const retention = await readRetention(await openSourceTree(root, ref));
      const { planGc, gcHasWork } = await import("../../gc/plan.js");
      // The alias journal through the cache: on the fs registry it is one file per journal entry.
      const cacheDir = cacheFolder(root);
      const aliasHistory = (): Promise<AliasRecord[]> => aliasHistoryKept(registry, cacheDir);
      const note = objectsNote(registry);
      const planOf = (declared: ReadonlySet<string>) => (state: GcState) =>
        planGc({ ...state, registryUrl: registry.url, declared, ref, retention, now: new Date(), objectsNote: note });

      if (flag(values, "apply")) {
        const declared = await declaredAt(root, ref, registry, await registry.snapshot(), aliasHistory, progressOf(io));
        const plan = planOf(declared);
        const outcome = await applyGc(registry, { plan, aliasHistory, trashDays: retention.trashDays, lockTimeoutMs });
        if (format === "json") json(io, { ...outcome, plan: undefined, summary: outcome.plan.summary });
        else io.out(render.renderGcOutcome(outcome, retention.trashDays));
        return 0;
      }
      // A dry run reads the registry once: the declared ref is planned against the snapshot gc judges.
      const snapshot = await registry.snapshot();
      const [declared, state] = await Promise.all([declaredAt(root, ref, registry, snapshot, aliasHistory, progressOf(io)), readGcState(registry, { snapshot, aliasHistory })]);
      const result = planOf(declared)(state);
      if (format === "json") json(io, result);
      else if (format === "markdown") io.out(render.renderGcMarkdown(result));
      else {
        io.out(render.renderGcText(result, io.style));
        if (gcHasWork(result) && !io.quiet) io.err(`\nThis was a dry run. To delete and sweep, run:\n  assetctl gc --apply`);
      }
      return flag(values, "detailed-exitcode") && gcHasWork(result) ? 2 : 0;
    } finally {
      await registry.close();
    }
  },
};
