/**
 * Refusal codes raised by model (see ./codes.ts). Codes are stable: never rename or reuse one; add a new
 * code instead, and give it a zh-TW and English message in the app (src/lib/refusals/).
 */
export const MODEL_CODES = [
] as const;
