// What keeps a stranger from exhausting the receiving endpoint (POST /api/exchange/envelopes, which
// needs no login): a token bucket per client address, a refusal costing more than a success, and a
// cap on imports in flight. One instance per server (no module-level state).
//
// The address is the TCP peer's: X-Forwarded-For is not trusted, since anyone can send it. Behind a
// reverse proxy every peer shares the proxy's bucket, so raise `perAddressBurst` there.

export interface GateOptions {
  /** Requests an address may make at once before it is slowed down. */
  perAddressBurst: number;
  /** Requests per second an address regains. */
  perAddressPerSecond: number;
  /** Tokens a refused envelope costs (garbage should run out of tokens sooner than honest traffic). */
  refusalCost: number;
  /** Imports running at once, from everyone together. */
  inFlight: number;
  /** Addresses remembered; the least recently seen are forgotten first. */
  maxAddresses: number;
}

export const DEFAULT_GATE: GateOptions = { perAddressBurst: 60, perAddressPerSecond: 1, refusalCost: 5, inFlight: 4, maxAddresses: 10_000 };

interface Bucket {
  tokens: number;
  at: number;
}

export type GateDecision = { ok: true; release: () => void } | { ok: false; reason: string; retryAfterS: number };

export class ReceiveGate {
  readonly options: GateOptions;
  private readonly buckets = new Map<string, Bucket>();
  private running = 0;

  constructor(
    options: Partial<GateOptions> = {},
    private readonly now: () => number = Date.now,
  ) {
    this.options = { ...DEFAULT_GATE, ...options };
  }

  private bucket(address: string): Bucket {
    const t = this.now();
    let b = this.buckets.get(address);
    if (b) {
      this.buckets.delete(address); // re-inserted below: Map order is recency order
      b.tokens = Math.min(this.options.perAddressBurst, b.tokens + ((t - b.at) / 1000) * this.options.perAddressPerSecond);
      b.at = t;
    } else {
      b = { tokens: this.options.perAddressBurst, at: t };
      if (this.buckets.size >= this.options.maxAddresses) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    }
    this.buckets.set(address, b);
    return b;
  }

  /** Takes a token and an import slot, or says why not and when to come back. */
  enter(address: string): GateDecision {
    const b = this.bucket(address);
    if (b.tokens < 1) {
      const wait = Math.ceil((1 - b.tokens) / this.options.perAddressPerSecond);
      return { ok: false, reason: `Too many envelopes from ${address}; try again in ${wait} s.`, retryAfterS: wait };
    }
    if (this.running >= this.options.inFlight) return { ok: false, reason: "The server is busy importing other envelopes; try again shortly.", retryAfterS: 5 };
    b.tokens -= 1;
    this.running++;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.running--;
      },
    };
  }

  /** Charges an address for a refused envelope, on top of the token its request took. */
  penalize(address: string): void {
    const b = this.bucket(address);
    b.tokens -= this.options.refusalCost - 1;
  }
}
