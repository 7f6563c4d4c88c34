// What every request to the UI passes first: the Host header must name the listening address (against DNS
// rebinding), then the per-run token (from the printed URL, exchanged for an HttpOnly cookie) must match.
// Every answer carries a strict Content-Security-Policy: scripts and styles from this server only.
import { timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";

export interface Guard {
  /** Host header values accepted, e.g. `127.0.0.1:4848` and `localhost:4848`. */
  hosts: readonly string[];
  token: string;
  /** Cookies are shared by every port of a host: the name carries the port. */
  cookie: string;
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

/** The Host values that mean this server, for a listening host and port. */
export function allowedHosts(host: string, port: number): string[] {
  const bracketed = host.includes(":") ? `[${host}]` : host;
  const hosts = [`${bracketed}:${port}`];
  // `localhost` cannot be pointed elsewhere by a web page, unlike a name the attacker's DNS answers.
  if (host === "127.0.0.1" || host === "::1") hosts.push(`localhost:${port}`);
  return hosts;
}

function sameToken(given: string | undefined, token: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("X-Frame-Options", "DENY");
    // The token travels in the first URL only; never pass any URL of this server on.
    c.header("Referrer-Policy", "no-referrer");
    c.header("Cross-Origin-Opener-Policy", "same-origin");
    c.header("Cross-Origin-Resource-Policy", "same-origin");
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  };
}

export function guard(options: Guard, refuse: (status: 401 | 421, title: string, text: string) => Response): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header("host")?.toLowerCase();
    if (host === undefined || !options.hosts.includes(host)) {
      return refuse(421, "Wrong address", "This server answers only under the address it printed. Another name pointing here (DNS rebinding) is refused.");
    }
    const url = new URL(c.req.url);
    const fromUrl = url.searchParams.get("token") ?? undefined;
    if (fromUrl !== undefined) {
      if (!sameToken(fromUrl, options.token)) return refuse(401, "Wrong token", "The token in this address is not this run's. Open the address `assetctl ui` printed.");
      setCookie(c, options.cookie, options.token, { httpOnly: true, sameSite: "Strict", path: "/" });
      // The token leaves the address bar (and the history) at once.
      url.searchParams.delete("token");
      return c.redirect(`${url.pathname}${url.search}`, 303);
    }
    if (!sameToken(getCookie(c, options.cookie), options.token)) {
      return refuse(401, "Token needed", "Open the address `assetctl ui` printed: it carries this run's token.");
    }
    await next();
  };
}
