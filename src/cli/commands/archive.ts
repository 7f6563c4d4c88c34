// `assetctl archive ADDR…` / `assetctl unarchive ADDR…`: archive or restore versions out of band, under
// the registry's lock and journaled, as `apply --prune` and a re-declared manifest do.
import { setArchived } from "../../apply/archive.js";
import { appliedBy } from "../../apply/identity.js";
import { parseAddress } from "../../plan/address.js";
import { addressOf } from "../../registry/types.js";
import { connectRegistry, parseDuration, resolveRoot } from "../context.js";
import { common, flag, json, str, type Command } from "./command.js";
import { aliasHistoryFor, findVersion } from "./read.js";
import { UserError } from "../../diagnostics.js";

function archiveCommand(archived: boolean): Command {
  const verb = archived ? "archive" : "unarchive";
  return {
    usage: "ADDR… [--lock-timeout DUR] [--json]",
    description: archived
      ? "Archives versions (KIND:NAME:VERSION; KIND:NAME is the latest): hidden from `list` and `@latest`, kept whole, and reversible with `assetctl unarchive`. Journaled, under the registry's lock."
      : "Restores archived versions (KIND:NAME:VERSION; KIND:NAME is the latest). Journaled, under the registry's lock. A manifest that declares an archived version plans the same.",
    options: { ...common, "lock-timeout": { type: "string" } },
    async run(values, positionals, io) {
      if (positionals.length === 0) {
        throw new UserError("usage", `${verb} needs at least one address.`, { hint: `run \`assetctl ${verb} KIND:NAME:VERSION\`` });
      }
      const addresses = positionals.map(parseAddress);
      const lockTimeoutMs = parseDuration(str(values, "lock-timeout") ?? "0s");
      const root = await resolveRoot(str(values, "dir"), io.cwd);
      const registry = await connectRegistry(root, str(values, "registry"), io.env);
      try {
        const snapshot = await registry.snapshot();
        // Every address is resolved before anything is written: a typo in the third changes nothing.
        const aliases = await aliasHistoryFor(registry, ...addresses);
        const targets = addresses.map((a) => findVersion(snapshot, a, aliases).record);
        const results: { address: string; outcome: "changed" | "unchanged" }[] = [];
        for (const t of targets) {
          const outcome = await setArchived(registry, { kind: t.kind, name: t.name, version: t.version, archived, lockTimeoutMs, appliedBy: appliedBy(io.env) });
          results.push({ address: addressOf(t), outcome });
        }
        if (flag(values, "json")) json(io, { [archived ? "archived" : "unarchived"]: results });
        else {
          for (const r of results) {
            io.out(r.outcome === "changed" ? `${r.address} ${archived ? "archived" : "restored"}.` : `${r.address} was already ${archived ? "archived" : "live (not archived)"}; nothing written.`);
          }
        }
        return 0;
      } finally {
        await registry.close();
      }
    },
  };
}

export const archiveVersionsCommand = archiveCommand(true);
export const unarchiveVersionsCommand = archiveCommand(false);
