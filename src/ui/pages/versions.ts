// One asset (its versions with provenance, sizes, mutable-field updates and a timeline), one version,
// and two versions compared: the spec as a word-level diff and the artifacts by digest.
import { html } from "hono/html";
import { shortDigest } from "../../digest.js";
import { appliedByText } from "../../apply/identity.js";
import { aliasesAt, type AliasState } from "../../registry/alias-state.js";
import { addressOf, type AliasRecord, type Artifact, type StoredVersion, type VersionUpdate } from "../../registry/types.js";
import { versionDocument, versionPatch } from "../../registry/query.js";
import { documentDiff, documentLines } from "../diff.js";
import { updateText, type VersionView } from "../../cli/views/read.js";
import { redactDocument } from "../redact.js";
import type { CommitInfo } from "../model.js";
import { addressHref, assetHref, bytes, commitText, versionHref, when, type Html } from "./layout.js";

function size(artifacts: readonly Artifact[]): number {
  return artifacts.reduce((sum, a) => sum + a.size, 0);
}

function compareHref(a: string, b: string): string {
  return `/compare?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`;
}

/** Versions on a time axis (and their updates as ticks above it), each a link to its page. */
function timeline(versions: readonly StoredVersion[], updates: ReadonlyMap<string, VersionUpdate[]>, moves: readonly AliasRecord[]): Html {
  const width = 720;
  const left = 30;
  const right = width - 30;
  const times = [
    ...versions.flatMap((v) => [Date.parse(v.record.created_at), ...(updates.get(addressOf(v.record)) ?? []).map((u) => Date.parse(u.updated_at))]),
    ...moves.map((m) => Date.parse(m.at)),
  ];
  const min = Math.min(...times);
  const max = Math.max(...times);
  const x = (iso: string): number => (max === min ? (left + right) / 2 : left + ((Date.parse(iso) - min) / (max - min)) * (right - left));
  const marks = versions.map((v, i) => {
    const cx = x(v.record.created_at).toFixed(1);
    const labelY = i % 2 === 0 ? 78 : 94;
    return html`<a href="${versionHref(v.record.kind, v.record.name, v.record.version)}" aria-label="version ${v.record.version}, ${v.record.created_at}"><title>version ${v.record.version} · ${v.record.created_at}</title><circle class="dot${v.archived ? " archived" : ""}" cx="${cx}" cy="56" r="7"></circle><text class="label" x="${cx}" y="${labelY}" text-anchor="middle">${v.record.version}</text></a>${(
      updates.get(addressOf(v.record)) ?? []
    ).map((u) => html`<rect class="tick" x="${(x(u.updated_at) - 2).toFixed(1)}" y="24" width="4" height="16"><title>${v.record.version}: ${updateText(u)} · ${u.updated_at}</title></rect>`)}`;
  });
  // Alias moves below the axis: a diamond per move, titled "@production 3 → 4".
  const moveMarks = moves.map((m) => {
    const cx = x(m.at);
    const label = `@${m.alias} ${m.from ?? "—"} → ${m.to ?? "removed"}`;
    return html`<path class="move" d="M ${cx.toFixed(1)} 104 l 6 8 l -6 8 l -6 -8 z"><title>${label} · ${m.at}${m.commit ? ` · ${m.commit.slice(0, 12)}` : ""}</title></path>`;
  });
  const height = moves.length > 0 ? 130 : 110;
  return html`<svg class="timeline" role="group" aria-labelledby="timeline-title" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" xmlns="http://www.w3.org/2000/svg"><title id="timeline-title">Timeline of ${versions.length} versions, their updates${moves.length > 0 ? ` and ${moves.length} alias moves` : ""}</title><line class="axis" x1="${left}" y1="56" x2="${right}" y2="56"></line><text class="label" x="${left}" y="16">updates</text>${marks}${moves.length > 0 ? html`<text class="label" x="${left}" y="126">alias moves</text>` : ""}${moveMarks}</svg>`;
}

/** Alias names as badges. */
function aliasNames(aliases: readonly AliasState[]): Html {
  return html`${aliases.map((a) => html` <span class="badge a-alias" title="since ${a.since}">@${a.alias}</span>`)}`;
}

/** Every move of this asset's aliases, newest first: when, which alias, from → to, and the commit it came from. */
function aliasHistoryList(moves: readonly AliasRecord[]): Html {
  if (moves.length === 0) return html``;
  return html`<h2 id="aliases">Alias history</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">When</th><th scope="col">Alias</th><th scope="col">Move</th><th scope="col">Commit</th><th scope="col" class="hide-narrow">By</th></tr></thead>
<tbody>${[...moves].reverse().map(
    (m) => html`<tr><td>${when(m.at)}</td><td>@${m.alias}</td><td>${m.from ?? "—"} → ${m.to ?? "removed"}</td><td class="mono">${m.commit ? m.commit.slice(0, 12) : "(none)"}${m.message ? html`<br><span class="muted">${m.message}</span>` : ""}</td><td class="hide-narrow">${m.author ?? ""}</td></tr>`,
  )}</tbody></table></div>`;
}

export function assetPage(versions: StoredVersion[], updates: Map<string, VersionUpdate[]>, commits: Map<string, CommitInfo>, moves: readonly AliasRecord[] = []): Html {
  const first = versions[0] as StoredVersion;
  const { kind, name } = first.record;
  const newest = versions.at(-1) as StoredVersion;
  const current = [...aliasesAt(moves).values()];
  const aliasesOf = (v: StoredVersion) => current.filter((a) => a.version === v.record.version);
  return html`<h1><span class="muted">${kind}</span> ${name}</h1>
<p>${versions.length} version${versions.length === 1 ? "" : "s"}. <a href="${versionHref(kind, name, newest.record.version)}">Latest: ${newest.record.version}</a>${current.length > 0 ? html`. Aliases:${aliasNames(current.map((a) => ({ ...a, alias: `${a.alias} → ${a.version}` })))}` : ""}</p>
<h2 id="timeline">Timeline</h2>
${timeline(versions, updates, moves)}
<h2 id="versions">Versions</h2>
<div class="table-wrap"><table>
<thead><tr><th scope="col">Version</th><th scope="col">Created</th><th scope="col">Commit</th><th scope="col" class="hide-narrow">Manifest</th><th scope="col" class="hide-narrow">Tool</th><th scope="col" class="num">Size</th><th scope="col" class="hide-narrow">Digest</th><th scope="col">Updates</th><th scope="col">Compare</th></tr></thead>
<tbody>${versions.map((v, i) => {
    const c = v.record.provenance.commit;
    const info = c ? commits.get(c) : undefined;
    const previous = versions[i - 1];
    const ups = updates.get(addressOf(v.record)) ?? [];
    return html`<tr>
<td><a href="${versionHref(kind, name, v.record.version)}">${v.record.version}</a>${v.archived ? html` <span class="badge a-orphan">archived</span>` : ""}${v.deleted === true ? html` <span class="badge a-conflict">deleted by gc</span>` : ""}${aliasNames(aliasesOf(v))}</td>
<td>${when(v.record.created_at)}</td>
<td class="mono">${commitText(c, v.record.provenance.dirty)}${info ? html`<br><span class="muted">${info.author}: ${info.subject}</span>` : ""}</td>
<td class="hide-narrow mono">${v.record.provenance.manifest}</td>
<td class="hide-narrow">${v.record.provenance.tool_version}</td>
<td class="num">${bytes(size(v.record.artifacts))}</td>
<td class="hide-narrow mono">${shortDigest(v.record.digest)}</td>
<td>${ups.length === 0 ? html`<span class="muted">none</span>` : html`<ul>${ups.map((u) => html`<li>${when(u.updated_at)} ${updateText(u)}</li>`)}</ul>`}</td>
<td>${previous ? html`<a href="${compareHref(addressOf(previous.record), addressOf(v.record))}">with ${previous.record.version}</a>` : ""}</td>
</tr>`;
  })}</tbody></table></div>
<h2 id="compare">Compare two versions</h2>
<form class="filters" method="get" action="/compare" aria-label="Compare two versions">
<label>From<select name="a">${versions.map((v, i) => html`<option value="${addressOf(v.record)}"${i === Math.max(0, versions.length - 2) ? html` selected` : ""}>${v.record.version}</option>`)}</select></label>
<label>To<select name="b">${versions.map((v, i) => html`<option value="${addressOf(v.record)}"${i === versions.length - 1 ? html` selected` : ""}>${v.record.version}</option>`)}</select></label>
<button type="submit">Compare</button>
</form>
${aliasHistoryList(moves)}`;
}

function artifactRows(artifacts: readonly Artifact[]): Html {
  return html`<div class="table-wrap"><table><thead><tr><th scope="col">Field</th><th scope="col">Source</th><th scope="col">Type</th><th scope="col" class="num">Files</th><th scope="col" class="num">Size</th><th scope="col" class="hide-narrow">Git</th><th scope="col" class="hide-narrow">Digest</th></tr></thead>
<tbody>${artifacts.map(
    (a) => html`<tr><td class="mono">${a.pointer}</td><td class="mono">${a.source}</td><td>${a.type}</td><td class="num">${a.files.length}</td><td class="num">${bytes(a.size)}</td><td class="hide-narrow">${a.git}</td><td class="hide-narrow mono">${shortDigest(a.digest)}</td></tr>`,
  )}</tbody></table></div>`;
}

function addressList(addresses: readonly string[], empty: string): Html {
  if (addresses.length === 0) return html`<p class="muted">${empty}</p>`;
  return html`<ul>${addresses.map((a) => {
    const href = addressHref(a);
    return html`<li>${href ? html`<a class="mono" href="${href}">${a}</a>` : html`<span class="mono">${a}</span>`}</li>`;
  })}</ul>`;
}

/** One version, from the view model `show` prints (cli/views/read.ts). */
export function versionPage(v: VersionView, previous: StoredVersion | undefined, dependents: string[], updates: VersionUpdate[], commit: CommitInfo | undefined, aliases: readonly AliasState[] = []): Html {
  const r = v;
  const p = r.provenance;
  const tags = Object.entries(v.mutable.tags ?? {});
  return html`<h1><span class="muted">${r.kind}</span> <a href="${assetHref(r.kind, r.name)}">${r.name}</a> <span class="muted">version</span> ${r.version}${aliasNames(aliases)}</h1>
${v.archived ? html`<p class="notice">This version is archived.</p>` : ""}
${v.deleted !== undefined ? html`<p class="notice">This version was deleted by gc: its record and number stay, its files may be gone (<code>assetctl gc --restore</code> brings back what the trash holds).</p>` : ""}
<p><a href="/lineage/${encodeURIComponent(r.kind)}/${encodeURIComponent(r.name)}/${encodeURIComponent(r.version)}">Lineage</a>${previous ? html` · <a href="${compareHref(addressOf(previous.record), addressOf(v))}">Compare with ${previous.record.version}</a>` : ""}</p>
<h2>Provenance</h2>
<dl class="facts">
<dt>Digest</dt><dd class="mono">${r.digest}</dd>
<dt>Created</dt><dd>${when(r.created_at)}</dd>
<dt>Commit</dt><dd class="mono">${p.commit ?? "(none)"}${p.dirty ? " (dirty working tree)" : ""}</dd>
${commit ? html`<dt>Author</dt><dd>${commit.author}</dd><dt>Message</dt><dd>${commit.subject}</dd>` : p.author ? html`<dt>Author</dt><dd>${p.author}</dd>` : ""}
${p.applied_by ? html`<dt>Applied by</dt><dd>${appliedByText(p.applied_by)}</dd>` : ""}
${p.branch ? html`<dt>Branch</dt><dd class="mono">${p.branch}</dd>` : ""}
<dt>Manifest</dt><dd class="mono">${p.manifest}</dd>
<dt>Tool</dt><dd>assetctl ${p.tool_version}</dd>
<dt>Size</dt><dd>${bytes(size(r.artifacts))}</dd>
${r.anonymous ? html`<dt>Anonymous</dt><dd>yes (versioned by digest)</dd>` : ""}
</dl>
<h2>Mutable fields</h2>
<dl class="facts">
<dt>Description</dt><dd>${v.mutable.description ?? html`<span class="muted">none</span>`}</dd>
${v.mutable.display_name !== undefined ? html`<dt>Display name</dt><dd>${v.mutable.display_name}</dd>` : ""}
<dt>Tags</dt><dd>${tags.length === 0 ? html`<span class="muted">none</span>` : html`<ul class="badges">${tags.map(([k, val]) => html`<li><span class="badge">${k}=${val}</span></li>`)}</ul>`}</dd>
</dl>
<h2>Updates</h2>
${updates.length === 0 ? html`<p class="muted">None since it was created.</p>` : html`<ul>${updates.map((u) => html`<li>${when(u.updated_at)} ${updateText(u)} <span class="mono muted">${commitText(u.provenance.commit, u.provenance.dirty)}</span>${u.provenance.applied_by ? html` <span class="muted">by ${appliedByText(u.provenance.applied_by)}</span>` : ""}</li>`)}</ul>`}
<h2>Depends on</h2>
${addressList(r.dependencies, "Nothing.")}
<h2>Used by</h2>
${addressList(dependents, "No version in the registry uses it.")}
<h2>Artifacts</h2>
${r.artifacts.length === 0 ? html`<p class="muted">No local files.</p>` : artifactRows(r.artifacts)}
${v.files_at === undefined ? "" : html`<p>Files at <span class="mono">${v.files_at}</span> (not stored in the registry).</p>`}
<h2>Spec</h2>
<pre class="diff">${documentLines(r.spec).map((l) => html`<span class="ln">${l}</span>`)}</pre>`;
}

interface FileChange {
  path: string;
  before?: { digest: string; size: number };
  after?: { digest: string; size: number };
}

/** Files of two versions' artifacts matched by field and path, compared by digest. */
export function compareFiles(a: StoredVersion, b: StoredVersion): { added: FileChange[]; removed: FileChange[]; changed: FileChange[]; same: number } {
  const files = (v: StoredVersion): Map<string, { digest: string; size: number }> =>
    new Map(v.record.artifacts.flatMap((art) => art.files.map((f) => [`${art.pointer} ${art.type === "folder" ? `${art.source}/${f.path}` : art.source}`, { digest: f.digest, size: f.size }] as const)));
  const before = files(a);
  const after = files(b);
  const out = { added: [] as FileChange[], removed: [] as FileChange[], changed: [] as FileChange[], same: 0 };
  for (const [path, f] of after) {
    const old = before.get(path);
    if (!old) out.added.push({ path, after: f });
    else if (old.digest !== f.digest) out.changed.push({ path, before: old, after: f });
    else out.same++;
  }
  for (const [path, f] of before) if (!after.has(path)) out.removed.push({ path, before: f });
  for (const list of [out.added, out.removed, out.changed]) list.sort((x, y) => (x.path < y.path ? -1 : 1));
  return out;
}

function patchText(patch: ReturnType<typeof versionPatch>): Html {
  if (patch.length === 0) return html`<span class="ln muted">The two versions have the same content.</span>`;
  return html`${patch.map((op) => {
    const value = "value" in op ? ` ${JSON.stringify(redactDocument(op.value, op.path.split("/").slice(1)))}` : "";
    return html`<span class="ln">${op.op} ${op.path}${value}</span>`;
  })}`;
}

export function comparePage(a: StoredVersion, b: StoredVersion): Html {
  const files = compareFiles(a, b);
  const link = (v: StoredVersion): Html => html`<a class="mono" href="${versionHref(v.record.kind, v.record.name, v.record.version)}">${addressOf(v.record)}</a>`;
  const fileRows = (label: string, cls: string, list: FileChange[]): Html =>
    html`${list.map(
      (f) => html`<tr><td><span class="badge ${cls}">${label}</span></td><td class="mono">${f.path}</td><td class="num">${f.before ? bytes(f.before.size) : ""}</td><td class="num">${f.after ? bytes(f.after.size) : ""}</td><td class="hide-narrow mono">${f.before ? shortDigest(f.before.digest as `sha256:${string}`) : ""} → ${f.after ? shortDigest(f.after.digest as `sha256:${string}`) : ""}</td></tr>`,
    )}`;
  const same = a.record.digest === b.record.digest;
  return html`<h1>Compare</h1>
<p>${link(a)} → ${link(b)}</p>
${same ? html`<p class="notice">The two versions have the same content digest.</p>` : ""}
<h2>Spec, dependencies and mutable fields</h2>
${documentDiff(versionDocument(a), versionDocument(b))}
<details><summary>As a JSON patch (what <code>assetctl diff</code> prints)</summary><pre class="diff">${patchText(versionPatch(a, b))}</pre></details>
<h2>Artifacts by digest</h2>
<p>${files.added.length} added, ${files.removed.length} removed, ${files.changed.length} changed, ${files.same} unchanged file${files.same === 1 ? "" : "s"}.</p>
${files.added.length + files.removed.length + files.changed.length === 0
    ? ""
    : html`<div class="table-wrap"><table><thead><tr><th scope="col">Change</th><th scope="col">File</th><th scope="col" class="num">Before</th><th scope="col" class="num">After</th><th scope="col" class="hide-narrow">Digest</th></tr></thead><tbody>
${fileRows("added", "a-create", files.added)}${fileRows("removed", "a-conflict", files.removed)}${fileRows("changed", "a-update", files.changed)}</tbody></table></div>`}`;
}
