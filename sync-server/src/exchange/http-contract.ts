// The server-to-server delivery contract (docs/envelope.md, "Delivery"), version 1, in one place so
// the receiving route (http-routes.ts) and the sending worker (delivery.ts) cannot drift apart.
//
//   POST <peer>/api/exchange/envelopes
//   Content-Type: application/vnd.countersign.envelope+zip   (or application/pkcs7-mime when encrypted)
//   body: the envelope file's bytes; no login token — the envelope's own CMS signature, checked
//   against the receiver's federation trust list, is the authentication.
//
//   200 + application/vnd.countersign.envelope+zip   imported; the body is the signed receipt (回執)
//   200 + JSON {v:1, status:"imported", …}            imported; no receipt (a receipt is never answered)
//   200 + JSON {v:1, status:"duplicate", …}           already imported earlier; nothing changed
//   4xx + JSON {ok:false, code, reason, v:1, status:"refused"}   refused for good: do not send these bytes again
//   408, 429, 503, 5xx (+ Retry-After)                 trouble on the way or at the receiver: retry later
//                                                      (JSON {ok:false, code, reason, v:1, status:"busy"} from us)
//
// Every answer carries `X-Countersign-Outcome: imported | duplicate | refused | busy`.
import { ENVELOPE_MIMETYPE, type Code } from "@countersign/crdt-model";

export const DELIVERY_PATH = "/api/exchange/envelopes";
export const ENVELOPE_MEDIA_TYPE = ENVELOPE_MIMETYPE;
/** An envelope encrypted for its recipient (CMS EnvelopedData, docs/envelope.md "Encryption"). */
export const ENCRYPTED_MEDIA_TYPE = "application/pkcs7-mime";
/** Media types the receiving route accepts. A browser form cannot send these without CORS preflight. */
export const ACCEPTED_MEDIA_TYPES: readonly string[] = [ENVELOPE_MEDIA_TYPE, ENCRYPTED_MEDIA_TYPE, "application/octet-stream"];
export const OUTCOME_HEADER = "x-countersign-outcome";
export const ENVELOPE_HEADER = "x-countersign-envelope";

/** Suggested file extension of an envelope file. */
export const ENVELOPE_EXTENSION = ".csenv";

export type DeliveryJsonV1 =
  | { v: 1; status: "imported"; envelope: string; docs: string[] }
  | { v: 1; status: "duplicate"; envelope: string; firstAt: string }
  | { v: 1; status: "refused"; ok: false; code: string; reason: string }
  | { v: 1; status: "busy"; ok: false; code: string; reason: string };

/**
 * What the sender makes of an answer. "retry" is temporary trouble (the peer is down, busy or
 * failing); "refused" is final: the same bytes would be refused again.
 */
export type DeliveryAnswer =
  | { kind: "delivered"; receipt: Uint8Array | null }
  | { kind: "duplicate" }
  | { kind: "refused"; reason: string; code?: Code } // code: the peer's (or ours, when we refuse to send), when known
  | { kind: "retry"; reason: string; retryAfterMs: number | null };

/** HTTP statuses a sender retries although they are 4xx: a timeout and "slow down". */
export const RETRYABLE_4XX: ReadonlySet<number> = new Set([408, 425, 429]);

/** Retry-After in seconds or as an HTTP date, in milliseconds from `now`; null when absent or unusable. */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (!value) return null;
  if (/^\d{1,9}$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}
