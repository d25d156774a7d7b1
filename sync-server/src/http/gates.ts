// Rate limits of the unauthenticated identity endpoints (challenge, enrollment) per client address,
// and of WebSocket tickets per person: the exchange's token bucket (exchange/http-gate.ts), one per
// kind, with no import slots to hold (these requests are short). One instance per server.
import { ReceiveGate, type GateOptions } from "../exchange/http-gate.ts";
import { HttpError } from "./json.ts";

export type GateKind = "challenge" | "enroll" | "ticket";

export interface GateLimits {
  /** Per address: a school behind one NAT address shares it, so the burst is generous. */
  challenge: Partial<GateOptions>;
  /** Per address: one-time codes have 80 bits, but guessing should still be slow. */
  enroll: Partial<GateOptions>;
  /** Per person: one ticket per WebSocket opened. */
  ticket: Partial<GateOptions>;
  /** Login challenges waiting unanswered at once, agency-wide (identity/login.ts). */
  maxChallenges: number;
}

export const DEFAULT_GATE_LIMITS: GateLimits = {
  challenge: { perAddressBurst: 60, perAddressPerSecond: 1 },
  enroll: { perAddressBurst: 20, perAddressPerSecond: 0.2 },
  // Generous: a person may have many documents open, and every reconnection after a relay restart
  // takes a new ticket; a ticket row lives 30 s, so this bounds one person to ~1,500 rows.
  ticket: { perAddressBurst: 1000, perAddressPerSecond: 50 },
  maxChallenges: 10_000,
};

const SENTENCE: Record<GateKind, string> = {
  challenge: "Too many login attempts from this address",
  enroll: "Too many enrollment attempts from this address",
  ticket: "Too many connection tickets for this person",
};

export class Gates {
  private readonly gates: Record<GateKind, ReceiveGate>;
  readonly maxChallenges: number;

  constructor(limits: Partial<GateLimits> = {}, now: () => number = Date.now) {
    const l = { ...DEFAULT_GATE_LIMITS, ...limits };
    // No import slots here: as many may run at once as arrive; the bucket alone bounds each caller.
    const gate = (o: Partial<GateOptions>) => new ReceiveGate({ refusalCost: 1, ...o, inFlight: Number.MAX_SAFE_INTEGER }, now);
    this.gates = { challenge: gate(l.challenge), enroll: gate(l.enroll), ticket: gate(l.ticket) };
    this.maxChallenges = l.maxChallenges;
  }

  /** Takes a token for `key` (an address or "person:ID"), or throws 429 (503 when busy) with Retry-After. */
  pass(kind: GateKind, key: string): void {
    const d = this.gates[kind].enter(key);
    if (!d.ok) {
      const status = d.code === "http.rate-limited" ? 429 : 503;
      const reason = d.code === "http.rate-limited" ? `${SENTENCE[kind]}; try again in ${d.retryAfterS} s.` : d.reason;
      throw new HttpError(status, d.code, reason, { "retry-after": String(d.retryAfterS) });
    }
    d.release();
  }
}
