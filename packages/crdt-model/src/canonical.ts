/**
 * Canonical JSON: what signatures and content hashes cover. Object keys sorted by UTF-16 code unit
 * (as RFC 8785 does), no whitespace, JSON.stringify's string escaping, integers only. Neither Yjs
 * nor Automerge produce canonical bytes (random client ids), so nothing signed is ever update bytes.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function canonicalJson(value: Json): string {
  // One string built by concatenation (no array of parts per object or array): verification and
  // signing encode every payload and content, so this runs on every entry.
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      // Only safe integers: floats have more than one textual form across platforms.
      if (!Number.isSafeInteger(value)) throw new Error(`canonical JSON allows only safe integers, got ${value}`);
      return String(value);
    case "object":
      if (value === null) return "null";
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ",";
          out += canonicalJson(value[i]!);
        }
        return out + "]";
      }
  }
  const keys = Object.keys(value).sort();
  let out = "{";
  for (const k of keys) {
    const v = value[k];
    if (v === undefined) continue;
    if (out.length > 1) out += ",";
    out += JSON.stringify(k) + ":" + canonicalJson(v);
  }
  return out + "}";
}
