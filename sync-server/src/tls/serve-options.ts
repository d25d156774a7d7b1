// The TLS and proxy flags of `countersign serve`, checked together before the store is opened:
// --tls-cert FILE --tls-key FILE, --http-redirect-port N, --trust-proxy ADDR,….
//
// What must stay true: any of them wrong is one sentence and the server does not start at all (no
// plain-HTTP server left running because the certificate was bad, no redirect to a port that
// serves nothing).
import { fail, ok, type Result } from "@countersign/crdt-model";
import { loadTlsMaterial, type TlsMaterial } from "./load.ts";
import { TrustedProxies } from "./forwarded.ts";

export interface ServeTlsFlags {
  "tls-cert"?: string | undefined;
  "tls-key"?: string | undefined;
  "http-redirect-port"?: string | undefined;
  "trust-proxy"?: string | undefined;
}

export interface ServeTls {
  tls?: TlsMaterial;
  redirectPort?: number;
  trustProxy?: TrustedProxies;
}

/** Usage mistakes (exit 2) are `tls.usage`; a certificate or key that will not serve is its own code (exit 1). */
export async function serveTlsOptions(flags: ServeTlsFlags, now: Date = new Date()): Promise<Result<ServeTls>> {
  const certFile = flags["tls-cert"];
  const keyFile = flags["tls-key"];
  if ((certFile === undefined) !== (keyFile === undefined)) return fail("tls.usage", "--tls-cert and --tls-key go together: give both files.");
  const out: ServeTls = {};
  if (flags["http-redirect-port"] !== undefined) {
    if (certFile === undefined) return fail("tls.usage", "--http-redirect-port redirects to HTTPS: it needs --tls-cert and --tls-key.");
    const text = flags["http-redirect-port"];
    const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
    if (!(port >= 0 && port <= 65535)) return fail("tls.usage", "--http-redirect-port must be a port number.");
    out.redirectPort = port;
  }
  if (flags["trust-proxy"] !== undefined) {
    const t = TrustedProxies.parse(flags["trust-proxy"]);
    if (!t.ok) return fail("tls.usage", t.reason);
    out.trustProxy = t.value;
  }
  if (certFile !== undefined && keyFile !== undefined) {
    const m = await loadTlsMaterial(certFile, keyFile, now);
    if (!m.ok) return m;
    out.tls = m.value;
  }
  return ok(out);
}
