// The web UI's stylesheet and its one small script, kept as strings so that the build needs no copy step
// and the Content-Security-Policy can allow exactly these files ('self', no inline code).
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

export const STYLESHEET = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa; --link: #0550ae;
  --create: #1a7f37; --create-bg: #dafbe1; --update: #9a6700; --update-bg: #fff8c5;
  --conflict: #cf222e; --conflict-bg: #ffebe9; --orphan: #6e7781; --orphan-bg: #eaeef2; --focus: #0969da;
  font-family: system-ui, "DejaVu Sans", sans-serif; font-size: 15px; line-height: 1.45;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #30363d; --panel: #161b22; --link: #58a6ff;
    --create: #3fb950; --create-bg: #12361f; --update: #d29922; --update-bg: #3b2e0a;
    --conflict: #f85149; --conflict-bg: #43151a; --orphan: #9198a1; --orphan-bg: #21262d; --focus: #58a6ff;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); }
a { color: var(--link); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, summary:focus-visible {
  outline: 3px solid var(--focus); outline-offset: 2px;
}
.skip, .sr { position: absolute; left: -9999px; width: 1px; height: 1px; overflow: hidden; }
.skip:focus { left: 8px; top: 8px; width: auto; height: auto; background: var(--panel); padding: 4px 8px; z-index: 2; }
header.top { display: flex; flex-wrap: wrap; gap: 4px 16px; align-items: baseline; padding: 10px 16px;
  border-bottom: 1px solid var(--line); background: var(--panel); }
header.top .brand { font-weight: 700; text-decoration: none; color: var(--fg); }
header.top nav ul { display: flex; flex-wrap: wrap; gap: 4px 14px; list-style: none; margin: 0; padding: 0; }
header.top nav a[aria-current="page"] { font-weight: 700; color: var(--fg); }
header.top .registry { color: var(--muted); font-size: 13px; overflow-wrap: anywhere; }
main { padding: 12px 16px 40px; max-width: 1200px; }
h1 { font-size: 22px; margin: 8px 0 12px; overflow-wrap: anywhere; }
h2 { font-size: 17px; margin: 22px 0 8px; }
code, pre, .mono { font-family: "DejaVu Sans Mono", ui-monospace, monospace; font-size: 13px; }
pre { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.muted { color: var(--muted); }
.notice { border: 1px solid var(--line); border-left: 4px solid var(--update); background: var(--panel); padding: 10px 12px; margin: 10px 0; }
.notice.bad { border-left-color: var(--conflict); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
th { white-space: nowrap; overflow-wrap: normal; }
th a { color: var(--fg); }
td.num, th.num { text-align: right; white-space: nowrap; }
form.filters { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: end; margin: 8px 0 12px; }
form.filters label { display: flex; flex-direction: column; font-size: 13px; color: var(--muted); }
input, select, button { font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 5px 8px; min-height: 34px; }
button { cursor: pointer; background: var(--panel); }
.badges { display: flex; flex-wrap: wrap; gap: 6px; margin: 8px 0; padding: 0; list-style: none; }
.badge { display: inline-block; border-radius: 999px; padding: 1px 9px; font-size: 13px; border: 1px solid var(--line); white-space: nowrap; }
.a-create { color: var(--create); background: var(--create-bg); }
.a-update, .a-alias { color: var(--update); background: var(--update-bg); }
.a-conflict, .a-archive { color: var(--conflict); background: var(--conflict-bg); }
.a-orphan, .a-noop { color: var(--orphan); background: var(--orphan-bg); }
.change { border: 1px solid var(--line); border-radius: 8px; margin: 8px 0; padding: 8px 10px; }
.change > .head { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: baseline; }
.change .addr { font-weight: 600; overflow-wrap: anywhere; }
.cascade { margin-left: 18px; border-left: 3px solid var(--line); padding-left: 8px; }
.diff { margin-top: 6px; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
.diff .ln { display: block; padding: 0 8px; white-space: pre-wrap; overflow-wrap: anywhere; }
.diff .ln.add { background: var(--create-bg); }
.diff .ln.del { background: var(--conflict-bg); }
.diff .ln.chg { background: var(--update-bg); }
.diff ins { background: var(--create-bg); color: var(--create); text-decoration: underline; font-weight: 700; }
.diff del { background: var(--conflict-bg); color: var(--conflict); font-weight: 700; }
.diff details.gap > summary { padding: 2px 8px; color: var(--muted); background: var(--panel); cursor: pointer; font-size: 12px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 14px; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.pager { display: flex; gap: 12px; align-items: center; margin: 10px 0; flex-wrap: wrap; }
svg.graph, svg.timeline { max-width: 100%; height: auto; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; }
svg .node rect { fill: var(--bg); stroke: var(--muted); stroke-width: 1; }
svg .node.focus rect { stroke: var(--focus); stroke-width: 2.5; }
svg .node.missing rect { stroke-dasharray: 4 3; }
svg .node text, svg .label { fill: var(--fg); font: 12px "DejaVu Sans Mono", monospace; }
svg a:focus-visible rect { stroke: var(--focus); stroke-width: 3; }
svg .edge { fill: none; stroke: var(--muted); stroke-width: 1.2; }
svg .arrow { fill: var(--muted); }
svg .axis { stroke: var(--line); stroke-width: 1; }
svg .dot { fill: var(--create); }
svg .dot.archived { fill: var(--orphan); }
svg .tick { fill: var(--update); }
svg .move { fill: var(--update); }
.live-status { font-size: 13px; }
@media (max-width: 600px) {
  main { padding: 8px 10px 30px; }
  th, td { padding: 5px 4px; }
  .hide-narrow { display: none; }
}
`;

export const SCRIPT = `// assetctl ui: the live plan. The server says when the plan changed; htmx fetches it with the filters.
(function () {
  var live = document.querySelector("[data-live]");
  if (!live || !window.EventSource) return;
  var status = document.getElementById("live-status");
  var source = new EventSource(live.getAttribute("data-live"));
  source.addEventListener("plan", function () {
    if (window.htmx) window.htmx.trigger(document.body, "plan-changed");
    else window.location.reload();
  });
  source.onopen = function () { if (status) status.textContent = "Live: updates on every save."; };
  source.onerror = function () { if (status) status.textContent = "Not connected; reconnecting…"; };
})();
`;

let htmx: Promise<string> | undefined;

/** htmx, served from the installed package (pinned in package.json), never from a CDN. */
export function htmxSource(): Promise<string> {
  htmx ??= readFile(createRequire(import.meta.url).resolve("htmx.org/dist/htmx.min.js"), "utf8");
  return htmx;
}
