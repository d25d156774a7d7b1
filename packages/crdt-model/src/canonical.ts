/**
 * Canonical JSON: what signatures and content hashes cover. Object keys sorted by UTF-16 code unit
 * (as RFC 8785 does), no whitespace, JSON.stringify's string escaping, integers only. Neither Yjs
 * nor Automerge produce canonical bytes (random client ids), so nothing signed is ever update bytes.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function canonicalJson(value: Json): string {
  if (value === null || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "number") {
    // Only safe integers: floats have more than one textual form across platforms.
    if (!Number.isSafeInteger(value)) throw new Error(`canonical JSON allows only safe integers, got ${value}`);
    return String(value);
  }
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "[" + value.map(canonicalJson).join(",") + "]";
  const keys = Object.keys(value).sort();
  const parts: string[] = [];
  for (const k of keys) {
    const v = value[k];
    if (v === undefined) continue;
    parts.push(JSON.stringify(k) + ":" + canonicalJson(v));
  }
  return "{" + parts.join(",") + "}";
}
