// Commands that look after the registry itself: verify its integrity, free a dead owner's lock.
import { defaultProgress } from "../../progress.js";
import { saveVerifyRecord } from "../../registry/verify-record.js";
import { connectRegistry, resolveRoot } from "../context.js";
import { common, flag, json, str, type Command } from "./command.js";
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
      const problems = await registry.verify({ onProgress: defaultProgress() });
      // Kept for the web UI's health page; a repository that cannot keep it still gets its answer.
      await saveVerifyRecord(root, { registry: registry.url, at: new Date().toISOString(), ok: problems.length === 0, problems }).catch(() => undefined);
      if (flag(values, "json")) json(io, { ok: problems.length === 0, problems });
      else if (problems.length === 0) io.out(`Registry ${registry.url} verified: every object and record matches its digest.`);
      else {
        for (const p of problems) io.out(`${io.style.red(p.code)} ${p.subject}: ${p.message}`);
        io.out(`\n${problems.length} problem${problems.length === 1 ? "" : "s"} found in ${registry.url}.`);
      }
      return problems.length === 0 ? 0 : 1;
    } finally {
      await registry.close();
    }
  },
};

export const forceUnlockCommand: Command = {
  usage: "ID",
  description: "Frees the registry's lock with this ID. Only for a lock whose owner is known to be gone (assetctl names the holder when it cannot lock).",
  options: common,
  async run(values, positionals, io) {
    const id = requireArg(positionals, 0, "lock ID");
    const root = await resolveRoot(str(values, "dir"), io.cwd);
    const registry = await connectRegistry(root, str(values, "registry"), io.env);
    try {
      await registry.forceUnlock(id);
      io.out(`Lock ${id} released.`);
      return 0;
    } finally {
      await registry.close();
    }
  },
};
