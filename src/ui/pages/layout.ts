// The frame every page shares (navigation, registry line, scripts from this server only) and the small
// formatters the pages use. Everything interpolated goes through hono/html, which escapes it.
import { html, raw } from "hono/html";

export type Html = ReturnType<typeof html>;

export type Section = "plan" | "assets" | "health" | "none";

export interface Frame {
  title: string;
  section: Section;
  registry: string;
  body: Html;
}

const NAV: [Section, string, string][] = [
  ["plan", "/plan", "Live plan"],
  ["assets", "/assets", "Assets"],
  ["health", "/health", "Health"],
];

export function page(frame: Frame): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,"selfRequestsOnly":true}'>
<title>${frame.title} · assetctl</title>
<link rel="stylesheet" href="/static/app.css">
<script src="/static/htmx.min.js" defer></script>
<script src="/static/app.js" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<a class="brand" href="/">assetctl</a>
<nav aria-label="Main"><ul>${NAV.map(
    ([section, href, label]) => html`<li><a href="${href}"${section === frame.section ? raw(' aria-current="page"') : ""}>${label}</a></li>`,
  )}</ul></nav>
<span class="registry">registry: <span class="mono">${frame.registry}</span></span>
</header>
<main id="main">
${frame.body}
</main>
</body>
</html>`;
}

export function versionHref(kind: string, name: string, version: string): string {
  return `/asset/${encodeURIComponent(kind)}/${encodeURIComponent(name)}/${encodeURIComponent(version)}`;
}

export function assetHref(kind: string, name: string): string {
  return `/asset/${encodeURIComponent(kind)}/${encodeURIComponent(name)}`;
}

/** `kind:name:version` → its page, or undefined when it is not such an address. */
export function addressHref(address: string): string | undefined {
  const match = /^([a-z_]+):([^:]+):([^:]+)$/.exec(address);
  return match ? versionHref(match[1] as string, match[2] as string, match[3] as string) : undefined;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function when(iso: string): Html {
  return html`<time datetime="${iso}">${iso.replace("T", " ").replace(/\.\d+Z$/, "Z")}</time>`;
}

export function commitText(commit: string | null, dirty: boolean): string {
  return commit ? `${commit.slice(0, 12)}${dirty ? "+dirty" : ""}` : "(no commit)";
}

/** A page for a state that is not an error of this server: no registry yet, an unreadable one, a bad link. */
export function problem(title: string, message: string, hint?: string): Html {
  return html`<h1>${title}</h1><div class="notice bad" role="alert"><p>${message}</p>${hint ? html`<p class="muted">${hint}</p>` : ""}</div>`;
}
