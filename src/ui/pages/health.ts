// Health: where the registry is, whether it opens, who holds its lock, and what the last verify found.
import { html } from "hono/html";
import type { LockInfo } from "../../registry/types.js";
import type { VerifyRecord } from "../../registry/verify-record.js";
import type { RegistryStatus } from "../model.js";
import { when, type Html } from "./layout.js";

export function lockNotice(lock: LockInfo | undefined): Html {
  if (!lock) return html``;
  return html`<div class="notice" role="status"><p>The registry is locked by <strong>${lock.owner}</strong> on ${lock.host} (pid ${lock.pid}) for ${lock.operation}, since ${when(lock.created_at)}, until ${when(lock.expires_at)}. What is shown may change when it finishes.</p></div>`;
}

export function healthPage(status: RegistryStatus, lock: LockInfo | undefined, verify: VerifyRecord | undefined, versions: number | undefined): Html {
  const state =
    status.state === "ready"
      ? html`<dd>opens; ${versions ?? 0} version${versions === 1 ? "" : "s"}</dd>`
      : status.state === "missing"
        ? html`<dd>not created yet: <code>assetctl apply</code> creates it</dd>`
        : html`<dd>cannot be read: ${status.message} <span class="muted">[${status.code}]</span>${status.hint ? html` — ${status.hint}` : ""}</dd>`;
  return html`<h1>Health</h1>
<dl class="facts">
<dt>Registry</dt><dd class="mono">${status.url}</dd>
<dt>State</dt>${state}
<dt>Lock</dt><dd>${lock ? html`held by ${lock.owner} on ${lock.host} for ${lock.operation} (id <code>${lock.id}</code>) until ${when(lock.expires_at)}` : "free"}</dd>
<dt>Last verify</dt><dd>${
    verify
      ? html`${when(verify.at)}: ${verify.ok ? html`<span class="badge a-create">ok</span> every object and record matched its digest` : html`<span class="badge a-conflict">${verify.problems.length} problem${verify.problems.length === 1 ? "" : "s"}</span>`}`
      : html`<span class="muted">never run here: <code>assetctl verify</code> re-hashes every object and record</span>`
  }</dd>
</dl>
${verify && !verify.ok ? html`<ul>${verify.problems.map((p) => html`<li><code>${p.code}</code> <span class="mono">${p.subject}</span>: ${p.message}</li>`)}</ul>` : ""}`;
}
