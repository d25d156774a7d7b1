import type { Code } from "./refusal/codes.ts";

/**
 * Validation and trust-boundary outcomes. A refusal carries a stable machine `code` from the
 * catalogue (`refusal/codes.ts`) and a whole English sentence `reason` for people, logs and test
 * names. Programs decide by the code, never by the sentence: rewording a sentence must break nothing.
 */
export type Refusal = { ok: false; code: Code; reason: string };
export type Result<T> = { ok: true; value: T } | Refusal;

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(code: Code, reason: string): Result<T> => ({ ok: false, code, reason });

/** Message of an unknown thrown value, for the rare places that catch at a trust boundary. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
