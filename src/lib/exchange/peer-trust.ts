// The peer agencies' CA certificates and delegation tables, so that documents signed at other
// agencies (a countersign by 高雄, a decision by the ministry) verify on this device as they do on
// the server — offline too: the last list fetched is kept per agency in localStorage.
import type { Api } from "./api.ts";

export interface PeerTrust {
  pems: string[];
  delegations: unknown[];
}

const KEY = (agency: string) => `countersign:peer-trust:${agency}`;
/** A page waits at most this long for the list before using the one it kept. */
const WAIT_MS = 3000;

function parse(json: string | null | undefined): unknown[] {
  if (!json) return [];
  try {
    return [JSON.parse(json) as unknown];
  } catch {
    return [];
  }
}

function kept(agency: string): PeerTrust {
  try {
    const raw = localStorage.getItem(KEY(agency));
    const t = raw ? (JSON.parse(raw) as PeerTrust) : null;
    if (t && Array.isArray(t.pems) && Array.isArray(t.delegations)) return t;
  } catch {
    // storage disabled or damaged: nothing kept
  }
  return { pems: [], delegations: [] };
}

export async function peerTrust(agency: string, api: Api): Promise<PeerTrust> {
  if (typeof navigator !== "undefined" && !navigator.onLine) return kept(agency);
  const fetched = api<{ peers: { ca?: string; delegation?: string | null }[] }>("/api/exchange/peers").then((r) => {
    const t: PeerTrust = { pems: r.peers.flatMap((p) => (p.ca ? [p.ca] : [])), delegations: r.peers.flatMap((p) => parse(p.delegation)) };
    try {
      localStorage.setItem(KEY(agency), JSON.stringify(t));
    } catch {
      // storage full or disabled: used for this page only
    }
    return t;
  });
  const timeout = new Promise<null>((resolve) => setTimeout(() => resolve(null), WAIT_MS));
  try {
    return (await Promise.race([fetched, timeout])) ?? kept(agency);
  } catch {
    return kept(agency); // unreachable or refused: the list kept from last time
  }
}
