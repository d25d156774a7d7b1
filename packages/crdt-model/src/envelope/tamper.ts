import { deflateSync, unzipSync } from "fflate";
import { crc32, writeZip } from "./zip.ts";
import { SIGNATURE_PATH } from "./types.ts";

/**
 * Deliberately broken envelopes, one per bad-input class of the exchange: the model's tests, the
 * fuzzer and the server's and CLI's bad-input tests all make them the same way. Never used by the
 * product to make an envelope.
 */

export interface RawEntry {
  name: string;
  data: Uint8Array;
  store?: boolean;
}

/** The entries of an envelope we made ourselves, in order (fflate; not for untrusted input). */
export function unpackEnvelope(bytes: Uint8Array): RawEntry[] {
  return Object.entries(unzipSync(bytes)).map(([name, data]) => ({ name, data, store: name === "mimetype" || name === SIGNATURE_PATH }));
}

export function repackEnvelope(entries: readonly RawEntry[], mtime = new Date("2026-01-02T03:04:05Z")): Uint8Array {
  return writeZip(entries, mtime);
}

export interface HandEntry {
  name: string;
  data: Uint8Array;
  method?: 0 | 8;
  /** The uncompressed size both headers declare, when it should lie. */
  declared?: number;
  crc?: number;
  /** Index of an earlier stored entry whose data begins with this entry's local record (see localRecord). */
  insideEntry?: number;
}

/**
 * A ZIP of raw entries written by hand, for what fflate will not write: duplicate names, sizes that
 * lie, entries whose bytes overlap.
 */
export function handZip(entries: readonly HandEntry[]): Uint8Array {
  const enc = new TextEncoder();
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = enc.encode(e.name);
    const method = e.method ?? 0;
    const size = e.declared ?? e.data.length;
    const crc = e.crc ?? crc32(e.data);
    // An entry "inside" another has its local header at the start of that entry's data.
    const inside = e.insideEntry !== undefined ? entries[e.insideEntry]! : undefined;
    const at = inside ? offsets[e.insideEntry!]! + 30 + enc.encode(inside.name).length : offset;
    offsets.push(at);
    const header = (central: boolean) => {
      const h = new Uint8Array((central ? 46 : 30) + name.length);
      const v = new DataView(h.buffer);
      v.setUint32(0, central ? 0x02014b50 : 0x04034b50, true);
      const base = central ? 2 : 0;
      if (central) v.setUint16(4, 20, true);
      v.setUint16(4 + base, 20, true);
      v.setUint16(8 + base, method, true);
      v.setUint32(14 + base, crc, true);
      v.setUint32(18 + base, e.data.length, true);
      v.setUint32(22 + base, size, true);
      v.setUint16(26 + base, name.length, true);
      if (central) v.setUint32(42, at, true);
      h.set(name, central ? 46 : 30);
      return h;
    };
    centrals.push(header(true));
    if (!inside) {
      const local = header(false);
      locals.push(local, e.data);
      offset += local.length + e.data.length;
    }
  }
  const cd = concat(centrals);
  const end = new Uint8Array(22);
  const v = new DataView(end.buffer);
  v.setUint32(0, 0x06054b50, true);
  v.setUint16(8, entries.length, true);
  v.setUint16(10, entries.length, true);
  v.setUint32(12, cd.length, true);
  v.setUint32(16, offset, true);
  return concat([...locals, cd, end]);
}

/** A local header and data as handZip writes them, to be quoted inside another entry. */
export function localRecord(e: HandEntry): Uint8Array {
  const zip = handZip([e]);
  return zip.subarray(0, 30 + new TextEncoder().encode(e.name).length + e.data.length);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * A raw deflate stream that inflates to at least `bytes` zero bytes at deflate's ceiling of ~1,032
 * to 1: one dynamic-Huffman block whose only codes are literal 0, end of block, and "length 258 at
 * distance 1", the last two a single bit each — 2 bits for every 258 bytes out. So 1 MiB of stream
 * is 1 GiB inflated, and making it costs nothing like that.
 */
export function deflateBomb(bytes: number): Uint8Array {
  const reps = Math.ceil(Math.max(0, bytes - 1) / 258);
  const out = new Uint8Array(Math.ceil((reps * 2 + 256) / 8));
  let bit = 0;
  const put = (value: number, n: number) => {
    for (let i = 0; i < n; i++, bit++) if ((value >> i) & 1) out[bit >> 3]! |= 1 << (bit & 7);
  };
  const code = (c: string) => {
    for (const ch of c) put(ch === "1" ? 1 : 0, 1); // Huffman codes go most significant bit first
  };
  put(1, 1); // BFINAL
  put(2, 2); // BTYPE = dynamic
  put(29, 5); // HLIT: 286 literal/length codes
  put(0, 5); // HDIST: 1 distance code
  put(14, 4); // HCLEN: 18 code length codes
  // Code length code lengths, in the order 16 17 18 0 8 7 9 6 10 5 11 4 12 3 13 2 14 1: 18 → 1 bit, 2 and 1 → 2 bits.
  for (const len of [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2]) put(len, 3);
  // Code-length codes: 18 = "0", 1 = "10", 2 = "11". Literal 0 gets 2, 255 zeros, 256 gets 2, 28 zeros, 285 gets 1, distance 0 gets 1.
  code("11");
  code("0");
  put(138 - 11, 7);
  code("0");
  put(117 - 11, 7);
  code("11");
  code("0");
  put(28 - 11, 7);
  code("10");
  code("10");
  // Literal/length codes: 285 = "0", 0 = "10", 256 = "11"; distance 0 = "0".
  code("10");
  for (let i = 0; i < reps; i++) put(0, 2);
  code("11");
  return out.subarray(0, Math.ceil(bit / 8));
}

export const ENVELOPE_TAMPER_KINDS = [
  "truncated",
  "changed-byte",
  "missing-part",
  "extra-part",
  "dot-dot-name",
  "absolute-name",
  "backslash-name",
  "duplicate-name",
  "zip-bomb-ratio",
  "zip-bomb-lying-size",
  "zip-bomb-overlap",
  "mimetype-not-first",
] as const;
export type EnvelopeTamperKind = (typeof ENVELOPE_TAMPER_KINDS)[number];

/** A broken copy of a valid envelope, for one bad-input class. */
export function tamperEnvelope(valid: Uint8Array, kind: EnvelopeTamperKind): Uint8Array {
  const entries = unpackEnvelope(valid);
  const parts = entries.filter((e) => e.name !== "mimetype" && !e.name.startsWith("META-INF/"));
  const target = parts.find((e) => e.name.endsWith("/update.bin")) ?? parts[0]!;
  const others = (without: string) => entries.filter((e) => e.name !== without);
  // 16 MiB of zeros deflate to about 16 KiB; made once per call, and only for the bomb kinds.
  let kernel: Uint8Array | undefined;
  const bombKernel = () => (kernel ??= deflateSync(new Uint8Array(16 * 1024 * 1024)));
  switch (kind) {
    case "truncated":
      return valid.subarray(0, Math.floor(valid.length * 0.6));
    case "changed-byte": {
      // Rewritten with a fresh CRC, so it is the manifest's hash that catches the change.
      const data = target.data.slice();
      data[data.length >> 1]! ^= 0x20;
      return repackEnvelope(entries.map((e) => (e === target ? { ...e, data } : e)));
    }
    case "missing-part":
      return repackEnvelope(others(target.name));
    case "extra-part":
      return repackEnvelope([...entries, { name: target.name.replace(/[^/]+$/, "extra.bin"), data: new Uint8Array([1, 2, 3]) }]);
    case "dot-dot-name":
      return repackEnvelope([...entries, { name: "docs/../../etc/cron.d/evil", data: new Uint8Array([1]) }]);
    case "absolute-name":
      return repackEnvelope([...entries, { name: "/etc/passwd", data: new Uint8Array([1]) }]);
    case "backslash-name":
      return repackEnvelope([...entries, { name: "docs\\..\\evil", data: new Uint8Array([1]) }]);
    case "duplicate-name":
      return handZip([...entries, { ...target, data: new Uint8Array([9]) }].map((e) => ({ name: e.name, data: e.data })));
    case "zip-bomb-ratio":
      // 16 KiB that inflate to 16 MiB, forty times: 640 KiB declaring 640 MiB.
      return handZip([
        ...entries.map((e) => ({ name: e.name, data: e.data })),
        ...Array.from({ length: 40 }, (_, i) => ({ name: `docs/bomb/attachments/${String(i).padStart(64, "0")}`, data: bombKernel(), method: 8 as const, declared: 16 * 1024 * 1024 })),
      ]);
    case "zip-bomb-lying-size": {
      // A listed part whose 1 MiB of deflate would inflate to 1 GiB while it declares the size the
      // signed manifest gives: the one bomb that gets past every check made before inflating.
      const bomb = deflateBomb(1024 ** 3);
      return handZip(entries.map((e) => (e === target ? { name: e.name, data: bomb, method: 8 as const, declared: e.data.length } : { name: e.name, data: e.data })));
    }
    case "zip-bomb-overlap": {
      // Fifield's non-recursive bomb: a stored entry quotes the next one's local header and data, so
      // one compressed kernel is read by both (and, chained, by as many entries as one likes).
      const inner: HandEntry = { name: "docs/bomb/update.bin", data: bombKernel(), method: 8, declared: 16 * 1024 * 1024 };
      const outer: HandEntry = { name: "docs/bomb/chain.json", data: localRecord(inner) };
      const n = entries.length;
      return handZip([...entries.map((e) => ({ name: e.name, data: e.data })), outer, { ...inner, insideEntry: n }]);
    }
    case "mimetype-not-first":
      return repackEnvelope([...others("mimetype"), entries.find((e) => e.name === "mimetype")!]);
  }
}
