// The exchange's HTTP routes, registered with the server's router (http/router.ts): the
// server-to-server receiving endpoint (no login; the envelope's signature authenticates it) and the
// app's exchange API (login token; http-api.ts).
import type { ApiContext } from "../http/context.ts";
import { HttpError } from "../http/json.ts";
import { Reply, type Router } from "../http/router.ts";
import { ENVELOPE_HEADER, ENVELOPE_MEDIA_TYPE, OUTCOME_HEADER, type DeliveryJsonV1 } from "./http-contract.ts";
import { readBytes, requireEnvelopeType } from "./http-support.ts";
import { registerExchangeApi } from "./http-api.ts";

const REFUSED = { v: 1, status: "refused" } as const;
const BUSY = { v: 1, status: "busy" } as const;

/** A sender's "come back later": 429 for this address's pace, 503 for a server busy with others'. */
function busy(code: "http.rate-limited" | "http.unavailable", reason: string, retryAfterS: number): HttpError {
  return new HttpError(code === "http.rate-limited" ? 429 : 503, code, reason, { "retry-after": String(retryAfterS), [OUTCOME_HEADER]: "busy" }, BUSY);
}

export function registerExchangeRoutes(r: Router, ctx: ApiContext): void {
  /** POST /api/exchange/envelopes: another agency's server delivers an envelope (http-contract.ts). */
  r.add("deliver", async ({ req, address, limit }) => {
    const d = ctx.delivery;
    // A token first (cheap, per address), then the whole body, bounded in size, time and pace, and
    // only then an import slot (http-gate.ts): a sender trickling its body never holds a slot.
    const admitted = d.gate.admit(address);
    if (!admitted.ok) {
      req.resume(); // drain, so the connection can be reused
      throw busy(admitted.code, admitted.reason, admitted.retryAfterS);
    }
    let bytes: Uint8Array;
    try {
      requireEnvelopeType(req);
      const g = d.gate.options;
      bytes = await readBytes(req, limit, d.limits.bodyMs, { minBytesPerSecond: g.minBytesPerSecond, graceMs: g.rateGraceMs });
    } catch (e) {
      if (!(e instanceof HttpError)) throw e; // a 500: the sender retries
      if (e.status !== 408) d.gate.penalize(address);
      throw new HttpError(e.status, e.code, e.message, { [OUTCOME_HEADER]: e.status === 408 ? "busy" : "refused", connection: "close" }, REFUSED);
    }
    const pass = d.gate.slot();
    if (!pass.ok) throw busy(pass.code, pass.reason, pass.retryAfterS);
    try {
      const imported = await d.exchange.importEnvelope(bytes, "http");
      if (!imported.ok) {
        d.gate.penalize(address);
        throw new HttpError(400, imported.code, imported.reason, { [OUTCOME_HEADER]: "refused" }, REFUSED);
      }
      const o = imported.value;
      if (o.status === "duplicate")
        return Reply.json({ v: 1, status: "duplicate", envelope: String(o.envelope), firstAt: o.firstAt } satisfies DeliveryJsonV1, 200, { [OUTCOME_HEADER]: "duplicate" });
      if (o.receipt && o.receipt.byteLength > 0)
        return Reply.file(o.receipt, ENVELOPE_MEDIA_TYPE, { headers: { [OUTCOME_HEADER]: "imported", [ENVELOPE_HEADER]: String(o.envelope) } });
      // A receipt is never answered with another receipt.
      return Reply.json({ v: 1, status: "imported", envelope: String(o.envelope), docs: o.docs.map(String) } satisfies DeliveryJsonV1, 200, { [OUTCOME_HEADER]: "imported" });
    } finally {
      pass.release();
    }
  });

  registerExchangeApi(r, ctx);
}
