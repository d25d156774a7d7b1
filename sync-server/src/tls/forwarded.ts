// The client's address behind a reverse proxy (`countersign serve --trust-proxy ADDR,…`): what rate
// limits count and logs show. Without the flag it is the TCP peer's address, and X-Forwarded-For is
// ignored (anyone can send it).
//
// What must stay true: X-Forwarded-For is read only when the TCP peer is one of the trusted proxies,
// and then from the right: each trusted proxy appends the address it was connected from, so the
// right-most address that is not a trusted proxy is the first one no trusted party vouches for —
// everything to its left the client could have written itself. A malformed entry ends the walk at
// the last address a trusted proxy wrote.
import { BlockList, isIP } from "node:net";
import type { IncomingMessage } from "node:http";
import { fail, ok, type Result } from "@countersign/crdt-model";

/** The proxies whose X-Forwarded-For is believed: addresses or CIDR ranges (10.0.0.0/8, fd00::/8). */
export class TrustedProxies {
  private constructor(
    private readonly list: BlockList,
    /** As given, for the start line. */
    readonly entries: readonly string[],
  ) {}

  static parse(text: string): Result<TrustedProxies> {
    const list = new BlockList();
    const entries = text
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== "");
    if (entries.length === 0) return fail("tls.trust-proxy", "--trust-proxy needs at least one proxy address (e.g. 127.0.0.1 or 10.0.0.0/8).");
    for (const e of entries) {
      const [addr = "", bits, extra] = e.split("/");
      const family = isIP(addr);
      const prefix = bits === undefined ? (family === 6 ? 128 : 32) : /^\d{1,3}$/.test(bits) ? Number(bits) : -1;
      if (family === 0 || extra !== undefined || prefix < 0 || prefix > (family === 6 ? 128 : 32))
        return fail("tls.trust-proxy", `--trust-proxy: ${JSON.stringify(e)} is not an IP address or CIDR range (e.g. 127.0.0.1, 10.0.0.0/8, ::1).`);
      list.addSubnet(addr, prefix, family === 6 ? "ipv6" : "ipv4");
    }
    return ok(new TrustedProxies(list, entries));
  }

  has(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 6 ? "ipv6" : "ipv4");
  }
}

/** "::ffff:10.0.0.1" (an IPv4 peer on a dual-stack socket) as "10.0.0.1"; brackets and ports off. */
export function normalizeAddress(raw: string): string {
  let a = raw.trim();
  if (a.startsWith("[")) a = a.slice(1, a.indexOf("]") === -1 ? undefined : a.indexOf("]"));
  else if (/^\d+\.\d+\.\d+\.\d+:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(":"));
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  return mapped ? mapped[1]! : a;
}

/**
 * The client's address: the TCP peer's, or — when that peer is a trusted proxy — the right-most
 * address of X-Forwarded-For that is not a trusted proxy (the left-most one if all are).
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trusted: TrustedProxies | undefined): string {
  let current = peer === undefined ? "unknown" : normalizeAddress(peer);
  if (!trusted || !trusted.has(current) || forwardedFor === undefined) return current;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor).split(",").map(normalizeAddress);
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) return current; // written by someone untrusted: the last trusted hop stands
    current = hop;
    if (!trusted.has(hop)) return hop;
  }
  return current;
}

/**
 * The address of each request, worked out once by the server (AgencyServer sets it as the request
 * arrives, with the server's --trust-proxy list), read by http/auth.ts addressOf for rate limits
 * and by the server's logs. A request nobody set it for falls back to its TCP peer.
 */
const ADDRESSES = new WeakMap<IncomingMessage, string>();

export function resolveClientAddress(req: IncomingMessage, trusted: TrustedProxies | undefined): string {
  const address = clientAddress(req.socket.remoteAddress, req.headers["x-forwarded-for"], trusted);
  ADDRESSES.set(req, address);
  return address;
}

export function requestAddress(req: IncomingMessage): string {
  return ADDRESSES.get(req) ?? normalizeAddress(req.socket.remoteAddress ?? "unknown");
}
