// What keeps a stranger from exhausting the receiving endpoint (POST /api/exchange/envelopes, which
// needs no login): a token bucket per client address, a refusal costing more than a success, a cap
// on imports in flight, and a body that must keep arriving at a minimum rate. One instance per
// server (no module-level state).
//
// What must stay true: an import slot is taken only once the whole body is in (admit → read → slot),
// so a sender trickling its body holds a connection and the bytes it sent, never an import slot; and a
// body slower than `minBytesPerSecond` (averaged, after `rateGraceMs`) is cut off, so holding even
// the connection costs the sender real bandwidth.
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
  /** A body must average at least this many bytes a second once `rateGraceMs` has passed. */
  minBytesPerSecond: number;
  /** How long a body may take to get going before its rate is checked. */
  rateGraceMs: number;
}

// 1 KiB/s after 10 s: a school on a poor mobile uplink sends far faster; a byte every few seconds
// is someone holding the connection open.
export const DEFAULT_GATE: GateOptions = { perAddressBurst: 60, perAddressPerSecond: 1, refusalCost: 5, inFlight: 4, maxAddresses: 10_000, minBytesPerSecond: 1024, rateGraceMs: 10_000 };

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A "not now": `http.rate-limited` when this address (or person) asks too fast (429), `http.unavailable`
 * when the server is busy with everyone's imports (503). Callers choose the status by the code.
 */
export type GateRefusal = { ok: false; code: "http.rate-limited" | "http.unavailable"; reason: string; retryAfterS: number };
export type GateDecision = { ok: true; release: () => void } | GateRefusal;
export type Admission = { ok: true } | GateRefusal;

/** The sentence of a busy server (all import slots taken); the receiving route answers it with 503. */
export const BUSY = "The server is busy importing other envelopes; try again shortly.";

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

  /** Takes a token and an import slot, or says why not and when to come back (admit and slot at once). */
  enter(address: string): GateDecision {
    const b = this.bucket(address);
    if (b.tokens < 1) return this.tooMany(address, b);
    if (this.running >= this.options.inFlight) return { ok: false, code: "http.unavailable", reason: BUSY, retryAfterS: 5 };
    b.tokens -= 1;
    return this.slot();
  }

  /** Takes a token for a request from `address` (before its body is read), or says when to come back. */
  admit(address: string): Admission {
    const b = this.bucket(address);
    if (b.tokens < 1) return this.tooMany(address, b);
    b.tokens -= 1;
    return { ok: true };
  }

  /** Takes an import slot (once the body is in), or says the server is busy. */
  slot(): GateDecision {
    if (this.running >= this.options.inFlight) return { ok: false, code: "http.unavailable", reason: BUSY, retryAfterS: 5 };
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

  private tooMany(address: string, b: Bucket): GateRefusal {
    const wait = Math.ceil((1 - b.tokens) / this.options.perAddressPerSecond);
    return { ok: false, code: "http.rate-limited", reason: `Too many envelopes from ${address}; try again in ${wait} s.`, retryAfterS: wait };
  }

  /** Charges an address for a refused envelope, on top of the token its request took. */
  penalize(address: string): void {
    const b = this.bucket(address);
    b.tokens -= this.options.refusalCost - 1;
  }
}
