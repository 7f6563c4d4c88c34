// Commands that look after the registry itself: verify its integrity, free a dead owner's lock.
import { affectedBy } from "../../registry/query.js";
import { saveVerifyRecord } from "../../registry/verify-record.js";
import { connectRegistry, registryLocation, resolveRoot } from "../context.js";
import { UserError } from "../../diagnostics.js";
import { currentProcess, isProcessGone } from "../../registry/lock-policy.js";
import type { LockInfo } from "../../registry/types.js";
import type { Io } from "../io.js";
import { printable } from "../render/printable.js";
import { common, flag, json, progressOf, str, type Command } from "./command.js";
import { requireArg } from "./read.js";

export const verifyCommand: Command = {
  usage: "[--json]",
  description: "Re-hashes every stored object and version record and checks the journal. Exit 1 when anything is corrupt or missing.",
  options: common,
  async run(values, _positionals, io) {
    const root = await resolveRoot(str(values, "dir"), io.cwd);
    const registry = await connectRegistry(root, str(values, "registry"), io.env);
    try {
      // Re-hashing every object can take minutes: the terminal's progress line (if any) shows it move.
      const found = await registry.verify(progressOf(io));
      // Which versions and files each damaged object is; a registry whose records cannot be read still gets its problems.
      const problems = found.length === 0 ? found : await registry.snapshot().then((snapshot) => affectedBy(found, snapshot), () => found);
      // Kept for the web UI's health page; a repository that cannot keep it still gets its answer.
      await saveVerifyRecord(root, { registry: registry.url, at: new Date().toISOString(), ok: problems.length === 0, problems }).catch(() => undefined);
      if (flag(values, "json")) json(io, { ok: problems.length === 0, problems });
      else if (problems.length === 0) io.out(`Registry ${registryLocation(registry.url, root)} verified: every object and record matches its digest.`);
      else {
        for (const p of problems) {
          io.out(`${io.style.red(p.code)} ${p.subject}: ${p.message}`);
          for (const use of p.affects ?? []) io.out(printable(`  used by ${use.address} (${use.file})`));
        }
        io.out(`\n${problems.length} problem${problems.length === 1 ? "" : "s"} found in ${registryLocation(registry.url, root)}.`);
        if (!io.quiet && problems.some((p) => p.affects !== undefined && p.affects.length > 0)) {
          io.out("To put damaged objects back from the working tree's files (where they still hash right), run `assetctl apply --repair`.");
        }
      }
      return problems.length === 0 ? 0 : 1;
    } finally {
      await registry.close();
    }
  },
};

export const forceUnlockCommand: Command = {
  usage: "ID [--force]",
  description:
    "Frees the registry's lock with this ID (`assetctl lock status` shows it). Only for a lock whose owner is known to be gone: " +
    "asks first on a terminal, and refuses a lock held by a running process on this host unless --force is given. " +
    "The old holder writes nothing more once its lock is freed.",
  options: { ...common, force: { type: "boolean" } },
  async run(values, positionals, io) {
    const id = requireArg(positionals, 0, "lock ID");
    const force = flag(values, "force");
    const root = await resolveRoot(str(values, "dir"), io.cwd);
    const registry = await connectRegistry(root, str(values, "registry"), io.env);
    try {
      const held = await registry.currentLock();
      if (held?.id === id) {
        const holder = holderState(held);
        if (holder === "running here" && !force) {
          throw new UserError(
            "lock-holder-running",
            `Lock ${id} is held by ${held.owner}, pid ${held.pid} on this host, which is still running ("${held.operation}" since ${held.created_at}).`,
            { hint: `let it finish or stop it; to free its lock all the same, run \`assetctl force-unlock ${id} --force\`` },
          );
        }
        if (io.interactive && !force) {
          io.out(describeLock(held, io));
          io.out(
            "\nDo you really want to force-unlock?\n  assetctl will remove the lock on the registry. Its holder writes nothing more once it is\n" +
              "  freed; free it only when that process is gone or stuck.\n",
          );
          const answer = await io.ask("  Only 'yes' will be accepted to confirm.\n\n  Enter a value: ");
          if (answer.trim() !== "yes") {
            io.out("\nForce-unlock cancelled. The lock is still held.");
            return 1;
          }
        }
      }
      await registry.forceUnlock(id);
      io.out(`Lock ${id} released.`);
      return 0;
    } finally {
      await registry.close();
    }
  },
};

export const lockCommand: Command = {
  usage: "status [--json]",
  description: "Shows who holds the registry's apply lock, since when and for what, and the ID that `assetctl force-unlock` takes.",
  options: common,
  async run(values, positionals, io) {
    const action = positionals[0] ?? "status";
    if (action !== "status") {
      throw new UserError("usage", `Unknown lock action "${action}".`, { hint: "run `assetctl lock status`, or `assetctl force-unlock ID` to free a lock" });
    }
    const root = await resolveRoot(str(values, "dir"), io.cwd);
    const registry = await connectRegistry(root, str(values, "registry"), io.env);
    try {
      const held = await registry.currentLock();
      if (flag(values, "json")) {
        json(io, { registry: registry.url, locked: held !== undefined, lock: held === undefined ? null : { ...held, holder: holderState(held) } });
      } else if (held === undefined) {
        io.out(`The registry ${registryLocation(registry.url, root)} is not locked.`);
      } else {
        io.out(`The registry ${registryLocation(registry.url, root)} is locked.\n${describeLock(held, io)}`);
        if (!io.quiet) io.out(`\nOnce that process is gone, free the lock with:\n  assetctl force-unlock ${held.id}`);
      }
      return 0;
    } finally {
      await registry.close();
    }
  },
};

/** Whether the holder is a running process here, one known to be gone here, or on another host (cannot tell). */
function holderState(held: LockInfo): "running here" | "gone" | "on another host" {
  const here = currentProcess();
  if (held.host !== here.host) return "on another host";
  return isProcessGone(held, here) ? "gone" : "running here";
}

function describeLock(held: LockInfo, io: Io): string {
  return [
    `  ID:        ${io.style.bold(held.id)}`,
    `  Holder:    ${held.owner}, pid ${held.pid} on ${held.host} (${holderState(held)})`,
    `  Operation: ${held.operation}`,
    `  Since:     ${held.created_at}`,
    `  Expires:   ${held.expires_at}`,
  ].join("\n");
}
