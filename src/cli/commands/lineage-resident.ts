// The answers `watch` and `ui` give over the resident query socket (watch/query-server.ts): `impact` from
// the manifests kept in memory (read again, once, after the watcher saw a file change), `dependents` from
// the compact lineage kept per registry (read again when the registry's state token moves). An answer is
// made by the same functions as the one-shot commands' and printed by them: the output is the same.
import { codeFingerprint } from "../../code-fingerprint.js";
import type { Diagnostic } from "../../diagnostics.js";
import type { CompactLineage } from "../../lineage/compact.js";
import { impactIn, impactIndex, type ImpactIndex } from "../../lineage/impact.js";
import { compactLineageKept } from "../../lineage/snapshot-memo.js";
import { parseAddress } from "../../plan/address.js";
import { readManifests } from "../../reconcile.js";
import type { RegistryDriver } from "../../registry/driver.js";
import { serveQueries, type QueryServer } from "../../watch/query-server.js";
import { watchRepository } from "../../watch/watch.js";
import { connectRegistry, registrySpec } from "../context.js";
import { errorFileCount, type ImpactAnswer, type ImpactQuery } from "./impact.js";
import { dependentsAnswer, type DependentsAnswer, type DependentsQuery } from "./lineage.js";
import { cacheFolder } from "../../source/root-folder.js";

/** How long after the last file event the manifests are read again (a save is a burst of events). */
const SETTLE_MS = 50;

interface KeptRegistry {
  driver: RegistryDriver;
  token: string | undefined;
  lineage: CompactLineage | undefined;
}

export class ResidentLineage {
  #manifests: Promise<{ index: ImpactIndex; diagnostics: Diagnostic[] }> | undefined;
  #stale = true;
  #timer: NodeJS.Timeout | undefined;
  readonly #registries = new Map<string, Promise<KeptRegistry>>();

  constructor(
    private readonly root: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Files of the repository changed: the manifests are read again before the next answer (and soon). */
  touched(): void {
    this.changed();
    this.#timer = setTimeout(() => void this.#current().catch(() => undefined), SETTLE_MS);
    this.#timer.unref();
  }

  /**
   * Files changed, and whoever says so calls touched() when it is done with them: the next answer reads
   * the manifests again, but nothing does before (watch reads them after printing its plan, not while).
   */
  changed(): void {
    this.#stale = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The answer to a query, or undefined to leave it to the asker (an unknown query, a user's error). */
  async answer(query: unknown): Promise<ImpactAnswer | DependentsAnswer | undefined> {
    const q = query as Partial<ImpactQuery | DependentsQuery> | null;
    try {
      if (q?.kind === "impact") return await this.#impact(q as ImpactQuery);
      if (q?.kind === "dependents") return await this.#dependents(q as DependentsQuery);
    } catch {
      // The one-shot path says what is wrong, where, with its code.
    }
    return undefined;
  }

  async close(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    for (const kept of this.#registries.values()) await (await kept.catch(() => undefined))?.driver.close();
    this.#registries.clear();
  }

  /** The manifests as they are now: read again, once, when files changed since the last reading. */
  #current(): Promise<{ index: ImpactIndex; diagnostics: Diagnostic[] }> {
    if (this.#stale || this.#manifests === undefined) {
      this.#stale = false;
      const reading = readManifests({ root: this.root }).then(({ manifests, diagnostics }) => ({ index: impactIndex(manifests), diagnostics }));
      // A failed reading is tried again by the next query.
      reading.catch(() => {
        this.#stale = true;
      });
      this.#manifests = reading;
    }
    return this.#manifests;
  }

  async #impact(query: ImpactQuery): Promise<ImpactAnswer> {
    const { index, diagnostics } = await this.#current();
    return { errorFiles: errorFileCount(diagnostics), hits: impactIn(index, query.target) };
  }

  async #dependents(query: DependentsQuery): Promise<DependentsAnswer | undefined> {
    const address = parseAddress(query.address);
    if (address.alias !== undefined) return undefined;
    const env = { ...this.env, ASSETCTL_REGISTRY: query.envRegistry ?? undefined };
    const spec = await registrySpec(this.root, query.registry ?? undefined, env);
    let opening = this.#registries.get(spec);
    if (opening === undefined) {
      opening = connectRegistry(this.root, spec, env).then((driver) => ({ driver, token: undefined, lineage: undefined }));
      this.#registries.set(spec, opening);
      opening.catch(() => this.#registries.delete(spec));
    }
    const kept = await opening;
    // Without a state token nothing tells whether the registry moved: the asker reads it itself.
    const token = await kept.driver.stateToken?.();
    if (token === undefined) return undefined;
    if (kept.token !== token || kept.lineage === undefined) {
      kept.lineage = await compactLineageKept(kept.driver, cacheFolder(this.root));
      kept.token = token;
    }
    return dependentsAnswer(kept.lineage, address, query);
  }
}

export interface ResidentQueries {
  lineage: ResidentLineage;
  server: QueryServer;
  close(): Promise<void>;
}

/**
 * Serves `impact` and `dependents` for `root` until closed. `watch` passes its file events to
 * `lineage.touched()`; with `ownWatcher` (the web UI, whose watcher is its live plan's) it watches itself.
 */
export async function serveResidentQueries(root: string, env: NodeJS.ProcessEnv, options: { ownWatcher?: boolean } = {}): Promise<ResidentQueries> {
  const lineage = new ResidentLineage(root, env);
  // Best effort: where no socket can be made (a read-only checkout), the commands answer on their own.
  const server: QueryServer = await serveQueries(root, codeFingerprint(), (query) => lineage.answer(query)).catch(() => ({ path: undefined, close: async () => undefined }));
  const watcher =
    options.ownWatcher === true && server.path !== undefined
      ? await watchRepository({ root, onFile: () => lineage.touched() })
      : undefined;
  await watcher?.ready;
  // Read now, so that the first query finds the manifests in memory.
  if (server.path !== undefined) lineage.touched();
  return {
    lineage,
    server,
    async close() {
      await server.close();
      await watcher?.close();
      await lineage.close();
    },
  };
}
