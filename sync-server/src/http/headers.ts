import type { ServerResponse } from "node:http";

/**
 * Sent with every answer of the agency server. The app's pages get their Content-Security-Policy
 * from SvelteKit (svelte.config.js, `kit.csp`: script hashes, no inline script, `frame-ancestors
 * 'none'`); this baseline covers everything else. No Strict-Transport-Security: this server speaks
 * plain HTTP only, so HSTS belongs to the TLS terminator in front of it (README, "Security headers").
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  // For browsers without CSP frame-ancestors: the signing page must never be framed.
  "x-frame-options": "DENY",
  // The baseline; SvelteKit replaces it on the pages with the full policy (which also forbids framing).
  "content-security-policy": "frame-ancestors 'none'",
};

/**
 * A 304 replaces the headers the browser stored with the page (RFC 9111 §4.3.4). With the baseline
 * policy on it, a revalidated page — and every later start of it from the service worker's copy — ran
 * under `frame-ancestors 'none'` alone, without the page's script-src and connect-src. So a page's 304
 * carries no policy at all, and the full one stored from its 200 stays. What must stay true: only a
 * 304 loses the baseline; every other answer keeps it.
 */
export function keepStoredPolicyOnNotModified(res: ServerResponse): void {
  const writeHead = res.writeHead;
  // Node writes implicit headers through writeHead too (res.end without it), so this sees every answer.
  res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse["writeHead"]>) {
    if (args[0] === 304) this.removeHeader("content-security-policy");
    return writeHead.apply(this, args);
  } as ServerResponse["writeHead"];
}

/** JSON, attachments, /healthz, /metrics: nothing to run, style or frame. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";
