// The live plan: badges with counts, a filter by action and address, each change with its document diff
// (unchanged lines folded), cascades under their root where the plan says what caused them, and every
// error linked to its file and line (and an editor, where one is configured).
import { createRequire } from "node:module";
import type * as JsonPatch from "fast-json-patch";
import { html } from "hono/html";
import type { Diagnostic } from "../../diagnostics.js";
import type { Action, Change, Plan } from "../../plan/types.js";
import { versionDocument } from "../../registry/query.js";
import { addressOf, type JsonObject, type RegistrySnapshot, type StoredVersion } from "../../registry/types.js";
import { documentDiff } from "../diff.js";
import type { LiveState } from "../live.js";
import { addressHref, type Html } from "./layout.js";

const ACTIONS: Action[] = ["create", "update", "conflict", "archive", "unarchive", "orphan", "noop"];
const LABEL: Record<Action, string> = { create: "create", update: "update", conflict: "conflict", archive: "archive", unarchive: "unarchive", orphan: "orphan", noop: "unchanged" };

export interface PlanFilter {
  action: string;
  q: string;
}

/** `vscode://file/{path}:{line}:{column}`-style templates; anything but a plain URL scheme is refused. */
export function editorLink(template: string | undefined, root: string, file: string, line: number, column: number): string | undefined {
  if (!template || !/^[a-z][a-z0-9+.-]*:/i.test(template) || /^(javascript|data|vbscript):/i.test(template)) return undefined;
  const absolute = `${root.replace(/\/$/, "")}/${file}`;
  return template.replaceAll("{path}", encodeURI(absolute)).replaceAll("{file}", encodeURI(file)).replaceAll("{line}", String(line)).replaceAll("{column}", String(Math.max(1, column)));
}

export interface PlanView {
  state: LiveState;
  filter: PlanFilter;
  root: string;
  editor: string | undefined;
}

export function planPage(view: PlanView): Html {
  const { filter } = view;
  return html`<h1>Live plan</h1>
<p id="live-status" class="live-status muted" role="status">The plan of the working tree against the registry.</p>
<form class="filters" method="get" action="/plan" hx-get="/plan/fragment" hx-target="#plan" hx-trigger="input changed delay:150ms, change, submit" role="search" aria-label="Filter the plan">
<label>Action<select name="action">${["", ...ACTIONS].map((a) => html`<option value="${a}"${a === filter.action ? html` selected` : ""}>${a === "" ? "all" : LABEL[a as Action]}</option>`)}</select></label>
<label>Address contains<input type="search" name="q" value="${filter.q}" placeholder="model:credit" autocomplete="off"></label>
<button type="submit">Filter</button>
</form>
<div id="plan" data-live="/plan/events" hx-get="/plan/fragment" hx-trigger="plan-changed from:body" hx-include="form.filters">${planFragment(view)}</div>`;
}

let patchLibrary: typeof JsonPatch | undefined;

/** The document a change leads to: the previous version's, with the change's patch applied. */
function afterDocument(before: JsonObject, change: Change): unknown {
  patchLibrary ??= createRequire(import.meta.url)("fast-json-patch") as typeof JsonPatch;
  try {
    return patchLibrary.applyPatch(structuredClone(before), change.patch, false, false).newDocument;
  } catch {
    return undefined;
  }
}

function diagnosticsList(diagnostics: readonly Pick<Diagnostic, "code" | "message" | "file" | "line" | "column">[], view: PlanView): Html {
  return html`<ul class="errors">${diagnostics.map((d) => {
    const where = d.file ? `${d.file}${d.line > 0 ? `:${d.line}:${d.column}` : ""}` : "assetctl";
    const link = d.file ? editorLink(view.editor, view.root, d.file, d.line, d.column) : undefined;
    return html`<li>${link ? html`<a href="${link}" class="mono">${where}</a>` : html`<code>${where}</code>`} <span>${d.message}</span> <span class="muted">[${d.code}]</span></li>`;
  })}</ul>`;
}

function changeBlock(change: Change, previous: StoredVersion | undefined, children: Html[]): Html {
  const before = previous ? versionDocument(previous) : {};
  const showDiff = change.action !== "noop" && change.patch.length > 0;
  const href = change.action === "create" ? undefined : addressHref(change.previous ? addressOf({ kind: change.kind, name: change.name, version: change.previous }) : change.address);
  return html`<section class="change" aria-label="${LABEL[change.action]} ${change.address}">
<div class="head"><span class="badge a-${change.action}">${LABEL[change.action]}</span><span class="addr mono">${change.address}</span>
<span class="muted">${change.reason}</span>${change.manifest ? html`<span class="muted mono">${change.manifest.file}:${change.manifest.line}</span>` : ""}
${href ? html`<a href="${href}">registry version</a>` : ""}</div>
${change.fields?.length ? html`<p>Differs in: <span class="mono">${change.fields.join(", ")}</span></p>` : ""}
${showDiff ? documentDiff(previous ? before : undefined, afterDocument(before, change)) : ""}
${children.length ? html`<div class="cascade" role="group" aria-label="caused by ${change.address}">${children}</div>` : ""}
</section>`;
}

function causeOf(change: Change): string | undefined {
  const cause = (change as Change & { caused_by?: unknown }).caused_by;
  return typeof cause === "string" ? cause : undefined;
}

function planBody(plan: Plan, snapshot: RegistrySnapshot, view: PlanView): Html {
  const counts = new Map<Action, number>(ACTIONS.map((a) => [a, 0]));
  for (const c of plan.changes) counts.set(c.action, (counts.get(c.action) ?? 0) + 1);
  const q = view.filter.q.trim().toLowerCase();
  const shown = plan.changes.filter((c) => (view.filter.action === "" || c.action === view.filter.action) && (q === "" || c.address.toLowerCase().includes(q)));
  const byAddress = new Map(snapshot.versions.map((v) => [addressOf(v.record), v]));
  const previousOf = (c: Change): StoredVersion | undefined => (c.previous === null ? undefined : byAddress.get(addressOf({ kind: c.kind, name: c.name, version: c.previous })));
  // Cascades: a change whose cause is shown too goes under it; the rest are roots.
  const shownAddresses = new Set(shown.map((c) => c.address));
  const children = new Map<string, Change[]>();
  for (const c of shown) {
    const cause = causeOf(c);
    if (cause !== undefined && cause !== c.address && shownAddresses.has(cause)) children.set(cause, [...(children.get(cause) ?? []), c]);
  }
  const render = (c: Change, depth: number): Html =>
    changeBlock(c, previousOf(c), depth > 8 ? [] : (children.get(c.address) ?? []).map((child) => render(child, depth + 1)));
  const roots = shown.filter((c) => {
    const cause = causeOf(c);
    return cause === undefined || cause === c.address || !shownAddresses.has(cause);
  });
  const active = roots.filter((c) => c.action !== "noop" || c.adopt === true);
  const unchanged = roots.filter((c) => c.action === "noop" && c.adopt !== true);
  return html`<ul class="badges" aria-label="Changes by action">${ACTIONS.map(
    (a) => html`<li><span class="badge a-${a}">${LABEL[a]}: <strong>${counts.get(a) ?? 0}</strong></span></li>`,
  )}</ul>
${plan.errors.length ? html`<h2>Errors</h2>${diagnosticsList(plan.errors, view)}` : ""}
${shown.length === 0 ? html`<p class="muted">${plan.changes.length === 0 ? "No assets declared." : "No change matches the filter."}</p>` : ""}
${active.length === 0 && unchanged.length > 0 && view.filter.action === "" ? html`<p>No changes. The registry matches the manifests.</p>` : ""}
${active.map((c) => render(c, 0))}
${unchanged.length ? html`<details class="unchanged"><summary>⋯ ${unchanged.length} unchanged asset${unchanged.length === 1 ? "" : "s"}</summary>${unchanged.map((c) => render(c, 0))}</details>` : ""}`;
}

export function planFragment(view: PlanView): Html {
  const { state } = view;
  switch (state.status) {
    case "starting":
      return html`<p class="muted">Planning…</p>`;
    case "error":
      return html`<div class="notice bad" role="alert"><p>${state.message}</p></div>`;
    case "invalid":
      return html`<div class="notice bad" role="alert"><p>The manifests have errors; the plan waits for them to be fixed.</p></div>${diagnosticsList(
        state.diagnostics.filter((d) => d.severity === "error"),
        view,
      )}`;
    case "plan":
      return planBody(state.plan, state.snapshot, view);
  }
}
