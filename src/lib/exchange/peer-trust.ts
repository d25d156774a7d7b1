// The peer agencies' CA certificates and delegation tables, so that documents signed at other
// agencies (a countersign by 高雄, a decision by the ministry) verify on this device as they do on
// the server — offline too: the last list fetched is kept per agency in localStorage.
import type { Api } from "./api.ts";

export interface PeerTrust {
  pems: string[];
  delegations: unknown[];
}

interface Kept extends PeerTrust {
  /** When the list was fetched (ms since the epoch); 0 when unknown. */
  at: number;
}

const KEY = (agency: string) => `countersign:peer-trust:${agency}`;
/** A page waits at most this long for the list before using the one it kept. */
const WAIT_MS = 3000;
/**
 * A list kept for less than this is used at once and refreshed behind the page: the federation
 * changes rarely (an administrator adds an agency), and opening a document must not wait on the
 * network for it every time.
 */
const FRESH_MS = 10 * 60_000;

function parse(json: string | null | undefined): unknown[] {
  if (!json) return [];
  try {
    return [JSON.parse(json) as unknown];
  } catch {
    return [];
  }
}

function kept(agency: string): Kept {
  try {
    const raw = localStorage.getItem(KEY(agency));
    const t = raw ? (JSON.parse(raw) as Kept) : null;
    if (t && Array.isArray(t.pems) && Array.isArray(t.delegations)) return { pems: t.pems, delegations: t.delegations, at: typeof t.at === "number" ? t.at : 0 };
  } catch {
    // storage disabled or damaged: nothing kept
  }
  return { pems: [], delegations: [], at: 0 };
}

const trustOf = (k: Kept): PeerTrust => ({ pems: k.pems, delegations: k.delegations });

export async function peerTrust(agency: string, api: Api, now: number = Date.now()): Promise<PeerTrust> {
  const before = kept(agency);
  if (typeof navigator !== "undefined" && !navigator.onLine) return trustOf(before);
  const fetched = api<{ peers: { ca?: string; delegation?: string | null }[] }>("/api/exchange/peers").then((r) => {
    const t: PeerTrust = { pems: r.peers.flatMap((p) => (p.ca ? [p.ca] : [])), delegations: r.peers.flatMap((p) => parse(p.delegation)) };
    try {
      localStorage.setItem(KEY(agency), JSON.stringify({ ...t, at: Date.now() } satisfies Kept));
    } catch {
      // storage full or disabled: used for this page only
    }
    return t;
  });
  if (before.at > 0 && now - before.at < FRESH_MS) {
    fetched.catch(() => undefined); // refreshed for the next page; a failure keeps the kept list
    return trustOf(before);
  }
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), WAIT_MS));
  try {
    return (await Promise.race([fetched, timeout])) ?? trustOf(kept(agency));
  } catch {
    return trustOf(kept(agency)); // unreachable or refused: the list kept from last time
  }
}
