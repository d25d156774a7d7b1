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

/** JSON, attachments, /healthz, /metrics: nothing to run, style or frame. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";
