// A saved plan is applied exactly or not at all: it is stale once the registry or the desired state moved.
import { UserError } from "../diagnostics.js";
import { canonicalJson } from "../digest.js";
import type { Plan } from "../plan/types.js";
import { sameRegistryAddress } from "../redact.js";

/** Why `saved` is not the plan the same inputs give now (`fresh`); empty when it is. */
export function staleReasons(saved: Plan, fresh: Plan): string[] {
  const reasons: string[] = [];
  // Who connects may differ (a read-only role plans, a writer applies); where it connects may not.
  if (!sameRegistryAddress(saved.registry.url, fresh.registry.url)) {
    reasons.push(`it was made for registry ${saved.registry.url}, not ${fresh.registry.url}`);
  }
  if (saved.registry.serial !== fresh.registry.serial) {
    reasons.push(`the registry moved from serial ${saved.registry.serial} to ${fresh.registry.serial}`);
  }
  if (saved.source.commit !== fresh.source.commit) {
    reasons.push(`it was made from commit ${saved.source.commit ?? "(none)"}, the source is now at ${fresh.source.commit ?? "(none)"}`);
  }
  if (saved.desired_digest !== fresh.desired_digest) reasons.push("the manifests or their files changed since");
  // Same inputs give the same plan; a saved plan that differs anyway was edited and is not applied.
  // Alias moves compare by what they do: how long a version has soaked grows with the clock.
  const moves = (p: Plan) => canonicalJson((p.aliases ?? []).map((a) => [a.address, a.action, a.from, a.to]));
  if (reasons.length === 0 && (canonicalJson(saved.changes) !== canonicalJson(fresh.changes) || moves(saved) !== moves(fresh))) {
    reasons.push("its changes differ from the plan the same manifests and registry give (was the file edited?)");
  }
  return reasons;
}

/** The error a stale plan is refused with; `what` names the plan ("saved plan", "plan shown"). */
export function staleError(reasons: readonly string[], what = "saved plan"): UserError {
  return new UserError("plan-stale", `The ${what} is stale: ${reasons.join("; ")}. Nothing was written.`, {
    hint: what === "saved plan" ? "run `assetctl plan --out FILE` again, review it, and apply the new file" : "run apply again to see the new plan",
  });
}

export function assertNotStale(saved: Plan, fresh: Plan, what = "saved plan"): void {
  const reasons = staleReasons(saved, fresh);
  if (reasons.length > 0) throw staleError(reasons, what);
}
