/**
 * Validation and trust-boundary outcomes. Reasons are whole sentences meant for people (and used as
 * test names), so callers can show them as they are.
 */
export type Result<T> = { ok: true; value: T } | { ok: false; reason: string };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(reason: string): Result<T> => ({ ok: false, reason });

/** Message of an unknown thrown value, for the rare places that catch at a trust boundary. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
