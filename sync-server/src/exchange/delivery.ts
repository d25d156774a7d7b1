// The sending end of HTTP delivery: one POST of an envelope to a peer agency's server, and what its
// answer means (http-contract.ts). No state: the outbox (outbox.ts) decides when to call it again.
import { ENVELOPE_MEDIA_TYPE, ENCRYPTED_MEDIA_TYPE, DELIVERY_PATH, RETRYABLE_4XX, parseRetryAfter, type DeliveryAnswer } from "./http-contract.ts";
import { fail, isCode, ok, type Code, type Result } from "@countersign/crdt-model";

export interface BackoffOptions {
  /** The first retry waits up to this long. */
  baseMs: number;
  /** No wait is ever longer than this. */
  maxMs: number;
}

/** Retries start within 5 s and settle at most 10 minutes apart. */
export const DEFAULT_DELIVERY_BACKOFF: BackoffOptions = { baseMs: 5_000, maxMs: 10 * 60_000 };

/**
 * Exponential back-off with full jitter: a uniformly random wait in [0, min(max, base·2^attempt)).
 * The randomness keeps an agency whose peers were all down from hitting them in lock-step once they
 * return (the same reasoning as the app's reconnect, src/lib/sync/reconnect.ts). `attempt` counts
 * failures so far, from 0. Never below 10 ms, so a loop can never spin.
 */
export function backoffDelay(attempt: number, o: BackoffOptions, random: () => number = Math.random): number {
  const cap = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
  return Math.max(10, Math.floor(random() * cap));
}

/** `<base>/api/exchange/envelopes`, or a sentence when the peer's address cannot be used. */
export function deliveryUrl(base: string): Result<URL> {
  let u: URL;
  try {
    u = new URL(base);
  } catch {
    return fail("federation.url", `The peer's address "${base}" is not a URL.`);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return fail("federation.url", `The peer's address "${base}" is not an http(s) address.`);
  if (u.username || u.password) return fail("federation.url", "The peer's address must not carry a user name or password.");
  u.pathname = u.pathname.replace(/\/+$/, "") + DELIVERY_PATH;
  u.search = "";
  u.hash = "";
  return ok(u);
}

/** Reads at most `limit` bytes of an answer; null when it is longer (the answer is then not trusted). */
async function readLimited(res: Response, limit: number): Promise<Uint8Array | null> {
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) out.set(c, (at += c.byteLength) - c.byteLength);
  return out;
}

function reasonOf(body: Uint8Array | null, status: number): string {
  return answerOf(body, status).reason;
}

/** The peer's refusal: its sentence, and its code when it sent one this server knows (a newer peer may send others). */
function answerOf(body: Uint8Array | null, status: number): { reason: string; code?: Code } {
  if (body) {
    try {
      const j = JSON.parse(new TextDecoder().decode(body)) as { reason?: unknown; error?: unknown; code?: unknown };
      const r = typeof j.reason === "string" ? j.reason : typeof j.error === "string" ? j.error : null;
      if (r) return isCode(j.code) ? { reason: r.slice(0, 500), code: j.code } : { reason: r.slice(0, 500) };
    } catch {
      // not JSON: a proxy's page, say
    }
  }
  return { reason: `The peer answered HTTP ${status}.` };
}

export interface PushOptions {
  /** Give up on one attempt after this long (a half-dead link must not hold the worker). */
  timeoutMs: number;
  /** The largest answer read (a receipt envelope is small). */
  maxAnswerBytes: number;
  encrypted: boolean;
  fetch?: typeof fetch;
  now?: () => Date;
}

/** POSTs the envelope once and classifies the answer. Never throws: every failure is an answer. */
export async function pushEnvelope(url: URL, bytes: Uint8Array, o: PushOptions): Promise<DeliveryAnswer> {
  const doFetch = o.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(url, {
      method: "POST",
      headers: { "content-type": o.encrypted ? ENCRYPTED_MEDIA_TYPE : ENVELOPE_MEDIA_TYPE, accept: `${ENVELOPE_MEDIA_TYPE}, application/json` },
      body: bytes as Uint8Array<ArrayBuffer>,
      // A redirect would turn the POST into a GET somewhere else: the address is wrong, say so.
      redirect: "manual",
      signal: AbortSignal.timeout(o.timeoutMs),
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string } };
    const why = err.name === "TimeoutError" ? `no answer within ${Math.round(o.timeoutMs / 1000)} s` : (err.cause?.code ?? err.message);
    return { kind: "retry", reason: `The peer's server could not be reached (${why}).`, retryAfterMs: null };
  }
  const now = o.now?.() ?? new Date();
  let body: Uint8Array | null;
  try {
    body = await readLimited(res, o.maxAnswerBytes);
  } catch (e) {
    return { kind: "retry", reason: `The peer's answer broke off (${(e as Error).message}).`, retryAfterMs: null };
  }
  const status = res.status;
  if (status >= 300 && status < 400)
    return { kind: "refused", code: "federation.url", reason: `The peer's address answers with a redirect (HTTP ${status}); correct the address in the trust list.` };
  if (status >= 500 || RETRYABLE_4XX.has(status))
    return { kind: "retry", reason: reasonOf(body, status), retryAfterMs: parseRetryAfter(res.headers.get("retry-after"), now) };
  if (status >= 400) return { kind: "refused", ...answerOf(body, status) };
  if (status !== 200) return { kind: "retry", reason: `The peer answered HTTP ${status}, which delivery does not use.`, retryAfterMs: null };
  if (!body) return { kind: "retry", reason: `The peer's answer is larger than ${o.maxAnswerBytes} bytes.`, retryAfterMs: null };
  const type = (res.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === ENVELOPE_MEDIA_TYPE) return { kind: "delivered", receipt: body };
  if (type === "application/json") {
    let j: { status?: unknown };
    try {
      j = JSON.parse(new TextDecoder().decode(body)) as { status?: unknown };
    } catch {
      return { kind: "retry", reason: "The peer's answer is not valid JSON.", retryAfterMs: null };
    }
    if (j.status === "imported") return { kind: "delivered", receipt: null };
    if (j.status === "duplicate") return { kind: "duplicate" };
  }
  // A 200 from something that is not a Countersign server (a captive portal, a default page).
  return { kind: "retry", reason: "The peer's answer is not a Countersign delivery answer; is the address right?", retryAfterMs: null };
}
