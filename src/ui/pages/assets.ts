// The assets list: searchable, sortable by column, paged, so 10,000 assets cost one page of rows.
import { html, raw } from "hono/html";
import { ASSET_KINDS } from "../../manifest/types.js";
import type { AliasState } from "../../registry/alias-state.js";
import type { AssetQuery, AssetRow, CommitInfo, SortKey } from "../model.js";
import { assetHref, commitText, versionHref, when, type Html } from "./layout.js";

const COLUMNS: [SortKey | undefined, string, string][] = [
  ["kind", "Kind", ""],
  ["name", "Name", ""],
  [undefined, "Latest", ""],
  ["versions", "Versions", "num"],
  [undefined, "Aliases", "hide-narrow"],
  [undefined, "Last commit", "hide-narrow"],
  [undefined, "Author", "hide-narrow"],
  ["created", "Created", "hide-narrow"],
];

export function queryString(query: AssetQuery, change: Partial<AssetQuery>): string {
  const q = { ...query, ...change };
  const params = new URLSearchParams();
  if (q.q) params.set("q", q.q);
  if (q.kind) params.set("kind", q.kind);
  if (q.sort !== "name") params.set("sort", q.sort);
  if (q.desc) params.set("desc", "1");
  if (q.page > 1) params.set("page", String(q.page));
  const text = params.toString();
  return text ? `/assets?${text}` : "/assets";
}

/** An asset's aliases as badges, each linking to the version it names. */
export function aliasBadges(aliases: readonly AliasState[] | undefined): Html {
  if (!aliases || aliases.length === 0) return html`<span class="muted">—</span>`;
  return html`<ul class="badges">${aliases.map((a) => html`<li><a class="badge" href="${versionHref(a.kind, a.name, a.version)}" title="since ${a.since}">@${a.alias} → ${a.version}</a></li>`)}</ul>`;
}

export function assetsTable(found: { total: number; rows: AssetRow[] }, query: AssetQuery, commits: Map<string, CommitInfo>, aliases: ReadonlyMap<string, AliasState[]> = new Map()): Html {
  const pages = Math.max(1, Math.ceil(found.total / query.perPage));
  const header = COLUMNS.map(([key, label, cls]) => {
    if (key === undefined) return html`<th scope="col" class="${cls}">${label}</th>`;
    const active = query.sort === key;
    const sortAttr = active ? raw(` aria-sort="${query.desc ? "descending" : "ascending"}"`) : "";
    const href = queryString(query, { sort: key, desc: active ? !query.desc : false, page: 1 });
    return html`<th scope="col" class="${cls}"${sortAttr}><a href="${href}" hx-get="${href}" hx-target="#assets-table" hx-select="#assets-table" hx-swap="outerHTML" hx-push-url="true">${label}${active ? (query.desc ? " ↓" : " ↑") : ""}</a></th>`;
  });
  const pager = (label: string, page: number, rel: string): Html =>
    page < 1 || page > pages
      ? html``
      : html`<a href="${queryString(query, { page })}" rel="${rel}" hx-get="${queryString(query, { page })}" hx-target="#assets-table" hx-select="#assets-table" hx-swap="outerHTML" hx-push-url="true">${label}</a>`;
  return html`<div id="assets-table">
<p class="muted" role="status">${found.total} asset${found.total === 1 ? "" : "s"}${query.q || query.kind ? " match" : ""}; page ${query.page} of ${pages}.</p>
<div class="table-wrap"><table>
<caption class="skip">Assets, sorted by ${query.sort}${query.desc ? " descending" : ""}</caption>
<thead><tr>${header}</tr></thead>
<tbody>${found.rows.map((r) => {
    const c = r.latest.record.provenance.commit;
    const info = c ? commits.get(c) : undefined;
    return html`<tr>
<td>${r.kind}</td>
<td><a href="${assetHref(r.kind, r.name)}">${r.name}</a>${r.archived ? html` <span class="badge a-orphan">archived</span>` : ""}</td>
<td><a href="${versionHref(r.kind, r.name, r.latest.record.version)}">${r.latest.record.version}</a></td>
<td class="num">${r.versions}</td>
<td class="hide-narrow">${aliasBadges(aliases.get(`${r.kind}:${r.name}`))}</td>
<td class="hide-narrow mono"${info ? html` title="${info.subject}"` : ""}>${commitText(c, r.latest.record.provenance.dirty)}${info ? html`<br><span class="muted">${info.subject}</span>` : ""}</td>
<td class="hide-narrow">${info?.author ?? ""}</td>
<td class="hide-narrow">${when(r.latest.record.created_at)}</td>
</tr>`;
  })}</tbody>
</table></div>
<nav class="pager" aria-label="Pages">${pager("← Previous", query.page - 1, "prev")}${pager("Next →", query.page + 1, "next")}</nav>
</div>`;
}

export function assetsPage(table: Html, query: AssetQuery): Html {
  return html`<h1>Assets</h1>
<form class="filters" method="get" action="/assets" role="search" aria-label="Search assets" hx-get="/assets" hx-target="#assets-table" hx-select="#assets-table" hx-swap="outerHTML" hx-push-url="true" hx-trigger="input changed delay:200ms from:input, change from:select, submit">
<label>Search<input type="search" name="q" value="${query.q}" placeholder="name, commit or manifest path" autocomplete="off"></label>
<label>Kind<select name="kind">${["", ...ASSET_KINDS].map((k) => html`<option value="${k}"${k === query.kind ? html` selected` : ""}>${k === "" ? "all" : k}</option>`)}</select></label>
<button type="submit">Search</button>
</form>
${table}`;
}
