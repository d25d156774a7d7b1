import type { Code } from "./refusal/codes.ts";

/**
 * Validation and trust-boundary outcomes. A refusal carries a stable machine `code` from the
 * catalogue (`refusal/codes.ts`) and a whole English sentence `reason` for people, logs and test
 * names. Programs decide by the code, never by the sentence: rewording a sentence must break nothing.
 *
 * A refusal that wraps another ("The update adds an invalid entry: <inner sentence>") keeps its OWN
 * code — the class the caller acts on — and may keep the wrapped one in `inner`, for a reader that
 * wants the finer class (e.g. an envelope refused as `envelope.untrusted` whose inner is
 * `trust.revoked`). `inner` is optional and informative only: the outer code alone must be enough to
 * explain the refusal, and the outer `reason` already contains the inner sentence.
 */
export type Refusal = { ok: false; code: Code; reason: string; inner?: { code: Code; reason: string } };
export type Result<T> = { ok: true; value: T } | Refusal;

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
/** A refusal with its code and sentence; `inner`, when given, is the refusal it wraps (its own `inner` is dropped: one level). */
export const fail = <T = never>(code: Code, reason: string, inner?: Refusal): Result<T> =>
  inner ? { ok: false, code, reason, inner: { code: inner.code, reason: inner.reason } } : { ok: false, code, reason };

/** Message of an unknown thrown value, for the rare places that catch at a trust boundary. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
