import { Inflate, deflateSync } from "fflate";
import { ok, type Result } from "../result.ts";
import { refuse } from "./refusals.ts";
import type { EnvelopeLimits } from "./types.ts";

/**
 * The ZIP layer of the envelope. Writing makes what fflate's `zipSync` makes. Reading is our own strict parser
 * rather than fflate's `unzipSync`, because an envelope comes from another agency and is hostile
 * until proven otherwise: `unzipSync` trusts the sizes the archive declares, inflates every entry
 * in full, and never compares local headers with the central directory. Here nothing is inflated
 * until the whole structure has been checked against the limits, and inflation stops at the
 * declared size, so a ZIP bomb costs at most one small chunk's worth of output beyond it.
 */

export interface ZipEntry {
  name: string;
  method: 0 | 8;
  crc: number;
  compressedSize: number;
  size: number;
  /** Offset of the compressed data in the archive. */
  dataStart: number;
  localOffset: number;
  localExtraLength: number;
}

export interface ZipArchive {
  bytes: Uint8Array;
  /** In central directory order. */
  entries: ZipEntry[];
  byName: Map<string, ZipEntry>;
}

const EOCD_SIG = 0x06054b50;
const CEN_SIG = 0x02014b50;
const LOC_SIG = 0x04034b50;
// Flag bits an envelope may use: 1-2 deflate speed hints, 3 data descriptor, 11 UTF-8 names.
// Everything else (0 encryption, 6 strong encryption, 13 masked headers, …) is refused.
const ALLOWED_FLAGS = 0b0000_1000_0000_1110;
// Compressed bytes fed to the inflater per step: a deflate stream expands at most ~1,032 times, so a
// step can overshoot a part's declared size by at most ~16 MiB before we notice and stop.
const INFLATE_CHUNK = 16 * 1024;
const NAME = /^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/;

/**
 * Node's zlib where the model runs in Node (the server, the CLI, tests and benchmarks): its CRC-32,
 * deflate and bounded inflate are native, several times faster than fflate's and our portable
 * CRC-32 on an envelope's hundred megabytes and thousands of small parts (they were over half of
 * building an envelope, and a tenth of opening one). Reached without an import, as bytes.ts reaches
 * node:crypto, so a browser bundle never asks for node:zlib; a browser takes the portable code.
 * Either way the same checks apply and the same bytes come out (deflate output may differ, and
 * any deflate is an envelope a reader accepts).
 */
type NodeZlib = {
  crc32?: (data: Uint8Array) => number;
  deflateRawSync(data: Uint8Array, o: { level: number }): Uint8Array;
  inflateRawSync(data: Uint8Array, o: { maxOutputLength: number; chunkSize: number }): Uint8Array;
};
const nodeZlib = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.("node:zlib") as NodeZlib | undefined;
const nativeCrc32 = typeof nodeZlib?.crc32 === "function" ? nodeZlib.crc32 : undefined;
/** A plain Uint8Array over a Buffer's bytes: a Buffer's slice() shares memory where Uint8Array's copies. */
const plain = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

const u16 = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8);
const u32 = (b: Uint8Array, i: number): number => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;

/** A name an envelope may hold: relative, "/"-separated, no "." or ".." segment, no backslash. */
export function isSafeEntryName(name: string): boolean {
  return name.length <= 512 && NAME.test(name) && !name.split("/").some((s) => s === "." || s === "..");
}

function findEnd(b: Uint8Array): number {
  // The end record is 22 bytes plus a comment of at most 65,535; its comment must reach the end.
  const stop = Math.max(0, b.length - 22 - 0xffff);
  for (let i = b.length - 22; i >= stop; i--) {
    if (u32(b, i) === EOCD_SIG && i + 22 + u16(b, i + 20) === b.length) return i;
  }
  return -1;
}

/** Parses and checks the archive's structure and declared sizes; inflates nothing. */
export function readZip(b: Uint8Array, limits: EnvelopeLimits): Result<ZipArchive> {
  if (b.length > limits.maxEnvelopeBytes) return refuse("tooLarge", limits.maxEnvelopeBytes);
  if (b.length < 22) return refuse("notZip");
  const end = findEnd(b);
  if (end < 0) return refuse("notZip");
  const count = u16(b, end + 10);
  const cdSize = u32(b, end + 12);
  const cdOffset = u32(b, end + 16);
  if (u16(b, end + 4) !== 0 || u16(b, end + 6) !== 0 || u16(b, end + 8) !== count) return refuse("zip64");
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) return refuse("zip64");
  if (count > limits.maxEntries) return refuse("tooManyEntries", limits.maxEntries);
  // The central directory must end exactly where the end record starts: nothing hides between them.
  if (cdOffset + cdSize !== end) return refuse("centralDirectory");

  const entries: ZipEntry[] = [];
  const byName = new Map<string, ZipEntry>();
  const folded = new Set<string>();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let total = 0;
  let p = cdOffset;
  for (let k = 0; k < count; k++) {
    if (p + 46 > end || u32(b, p) !== CEN_SIG) return refuse("centralDirectory");
    const flags = u16(b, p + 8);
    const method = u16(b, p + 10);
    const crc = u32(b, p + 16);
    const compressedSize = u32(b, p + 20);
    const size = u32(b, p + 24);
    const nameLength = u16(b, p + 28);
    const next = p + 46 + nameLength + u16(b, p + 30) + u16(b, p + 32);
    const localOffset = u32(b, p + 42);
    if (next > end) return refuse("centralDirectory");
    const rawName = b.subarray(p + 46, p + 46 + nameLength);
    let name: string;
    try {
      name = decoder.decode(rawName);
    } catch {
      return refuse("badName", "(not UTF-8)");
    }
    if (!isSafeEntryName(name)) return refuse("badName", name);
    // Case-folded too: two names that differ only in case are one file on some file systems.
    if (byName.has(name) || folded.has(name.toLowerCase())) return refuse("duplicate", name);
    if (flags & ~ALLOWED_FLAGS) return refuse("encrypted", name);
    if (method !== 0 && method !== 8) return refuse("method", name);
    if (u16(b, p + 34) !== 0) return refuse("zip64");
    if (size === 0xffffffff || compressedSize === 0xffffffff || localOffset === 0xffffffff) return refuse("zip64");
    if (method === 0 && compressedSize !== size) return refuse("localHeader", name);
    // Declared sizes are checked before anything is inflated; inflation then holds them to it.
    if (size > limits.maxPartBytes) return refuse("partTooLarge", name, limits.maxPartBytes);
    total += size;
    if (total > limits.maxTotalBytes) return refuse("totalTooLarge", limits.maxTotalBytes);
    if (size > limits.ratioFloorBytes && size > compressedSize * limits.maxRatio) return refuse("ratio", name, limits.maxRatio);

    const local = checkLocal(b, { flags, method, crc, compressedSize, size, localOffset, rawName, name, cdOffset });
    if (!local.ok) return local;
    const entry: ZipEntry = { name, method, crc, compressedSize, size, localOffset, ...local.value };
    entries.push(entry);
    byName.set(name, entry);
    folded.add(name.toLowerCase());
    p = next;
  }
  if (p !== end) return refuse("centralDirectory");

  // No two entries may share bytes: overlapping entries are how non-recursive ZIP bombs multiply
  // one compressed kernel into many parts.
  const byOffset = [...entries].sort((x, y) => x.localOffset - y.localOffset);
  let last = 0;
  for (const e of byOffset) {
    if (e.localOffset < last) return refuse("overlap", e.name);
    last = e.dataStart + e.compressedSize;
  }
  return ok({ bytes: b, entries, byName });
}

function checkLocal(
  b: Uint8Array,
  c: { flags: number; method: number; crc: number; compressedSize: number; size: number; localOffset: number; rawName: Uint8Array; name: string; cdOffset: number },
): Result<{ dataStart: number; localExtraLength: number }> {
  const o = c.localOffset;
  if (o + 30 > c.cdOffset || u32(b, o) !== LOC_SIG) return refuse("localHeader", c.name);
  const nameLength = u16(b, o + 26);
  const extra = u16(b, o + 28);
  if (u16(b, o + 6) !== c.flags || u16(b, o + 8) !== c.method || nameLength !== c.rawName.length) return refuse("localHeader", c.name);
  for (let i = 0; i < nameLength; i++) if (b[o + 30 + i] !== c.rawName[i]) return refuse("localHeader", c.name);
  // With a data descriptor (flag 3) the local sizes may be zero; the central directory rules then.
  if (!(c.flags & 8) && (u32(b, o + 14) !== c.crc || u32(b, o + 18) !== c.compressedSize || u32(b, o + 22) !== c.size))
    return refuse("localHeader", c.name);
  const dataStart = o + 30 + nameLength + extra;
  if (dataStart + c.compressedSize > c.cdOffset) return refuse("overlap", c.name);
  return ok({ dataStart, localExtraLength: extra });
}

/** An entry's bytes: inflated no further than its declared size, and checked against its CRC-32. */
export function extract(zip: ZipArchive, e: ZipEntry): Result<Uint8Array> {
  const data = zip.bytes.subarray(e.dataStart, e.dataStart + e.compressedSize);
  let out: Uint8Array;
  if (e.method === 0) {
    out = data;
  } else {
    const r = inflateBounded(data, e.size, e.name);
    if (!r.ok) return r;
    out = r.value;
  }
  return crc32(out) === e.crc ? ok(out) : refuse("crc", e.name);
}

function inflateBounded(data: Uint8Array, size: number, name: string): Result<Uint8Array> {
  if (nodeZlib) return inflateNative(nodeZlib, data, size, name);
  const out = new Uint8Array(size);
  let n = 0;
  let over = false;
  const inflater = new Inflate((chunk) => {
    if (over) return;
    if (n + chunk.length > size) {
      over = true;
      return;
    }
    out.set(chunk, n);
    n += chunk.length;
  });
  try {
    if (data.length === 0) inflater.push(new Uint8Array(0), true);
    for (let i = 0; i < data.length && !over; i += INFLATE_CHUNK) {
      const j = Math.min(i + INFLATE_CHUNK, data.length);
      inflater.push(data.subarray(i, j), j === data.length);
    }
  } catch {
    return over ? refuse("inflatesPast", name) : refuse("corrupt", name);
  }
  if (over) return refuse("inflatesPast", name);
  if (n !== size) return refuse("inflateShort", name);
  return ok(out);
}

const INFLATE_ONE_BUFFER = 64 * 1024 * 1024;

/**
 * inflateBounded with Node's zlib, with the same outcomes: output past the declared size stops the
 * inflater there (maxOutputLength) and is "inflates past"; a stream that ends early or is not
 * deflate is corrupt; fewer bytes than declared is "inflates short". An empty stream is read as
 * fflate reads it, as no bytes at all (zlib calls it truncated).
 */
function inflateNative(z: NodeZlib, data: Uint8Array, size: number, name: string): Result<Uint8Array> {
  if (data.length === 0) return size === 0 ? ok(new Uint8Array(0)) : refuse("inflateShort", name);
  let out: Uint8Array;
  try {
    // One output buffer of the declared size (plus the byte that tells the end), up to 64 MiB: no
    // chunks to concatenate, so an honest part is allocated once; a larger one comes in chunks.
    out = z.inflateRawSync(data, { maxOutputLength: Math.max(1, size), chunkSize: Math.min(Math.max(size + 1, 64), INFLATE_ONE_BUFFER) });
  } catch (e) {
    return (e as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" ? refuse("inflatesPast", name) : refuse("corrupt", name);
  }
  if (out.length > size) return refuse("inflatesPast", name);
  if (out.length !== size) return refuse("inflateShort", name);
  return ok(plain(out));
}

// Slicing-by-8 (Intel's method): eight 256-entry tables, so the loop consumes 8 bytes per step
// instead of one. Every part of an envelope passes through here, a hundred megabytes for a large
// one, and byte at a time that was a tenth of opening it.
let tables: Uint32Array[] | undefined;
function crcTables(): Uint32Array[] {
  if (tables) return tables;
  const t0 = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t0[i] = c >>> 0;
  }
  const ts = [t0];
  for (let k = 1; k < 8; k++) {
    const prev = ts[k - 1]!;
    const t = new Uint32Array(256);
    for (let i = 0; i < 256; i++) t[i] = (prev[i]! >>> 8) ^ t0[prev[i]! & 0xff]!;
    ts.push(t);
  }
  tables = ts;
  return ts;
}

export function crc32(data: Uint8Array): number {
  if (nativeCrc32) return nativeCrc32(data) >>> 0;
  const [t0, t1, t2, t3, t4, t5, t6, t7] = crcTables() as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  let c = 0xffffffff;
  let i = 0;
  const n8 = data.length - (data.length % 8);
  for (; i < n8; i += 8) {
    const lo = (c ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))) >>> 0;
    c =
      t7[lo & 0xff]! ^
      t6[(lo >>> 8) & 0xff]! ^
      t5[(lo >>> 16) & 0xff]! ^
      t4[lo >>> 24]! ^
      t3[data[i + 4]!]! ^
      t2[data[i + 5]!]! ^
      t1[data[i + 6]!]! ^
      t0[data[i + 7]!]!;
  }
  for (; i < data.length; i++) c = t0[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export interface ZipInput {
  name: string;
  data: Uint8Array;
  /** Stored rather than deflated (the mimetype, and parts that deflate too well; see build.ts). */
  store?: boolean;
  /** Deflate level, 6 unless given. */
  level?: 1 | 6 | 9;
}

const encoder = new TextEncoder();

function put16(b: Uint8Array, i: number, v: number): void {
  b[i] = v & 0xff;
  b[i + 1] = (v >>> 8) & 0xff;
}
function put32(b: Uint8Array, i: number, v: number): void {
  put16(b, i, v & 0xffff);
  put16(b, i + 2, v >>> 16);
}

/**
 * Writes the entries in the order given; the same input and time give the same bytes — the very
 * bytes fflate's `zipSync` writes (its headers, its local-time DOS timestamps; its deflate in a
 * browser, zlib's in Node), with
 * the CRC-32 computed by our `crc32`: `zipSync`'s own, a byte at a time, was a sixth of building an
 * envelope with a hundred megabytes of attachments. Throws, as `zipSync` does, for a time outside
 * 1980–2099.
 */
export function writeZip(files: readonly ZipInput[], mtime: Date): Uint8Array {
  const y = mtime.getFullYear() - 1980;
  if (y < 0 || y > 119) throw new Error("the date is outside what a ZIP file can hold (1980–2099)");
  const dosTime = ((y << 25) | ((mtime.getMonth() + 1) << 21) | (mtime.getDate() << 16) | (mtime.getHours() << 11) | (mtime.getMinutes() << 5) | (mtime.getSeconds() >> 1)) >>> 0;
  const entries = files.map((f) => {
    const name = encoder.encode(f.name);
    if (name.length > 0xffff) throw new Error(`the entry name ${f.name.slice(0, 40)}… is too long`);
    const level = f.store ? 0 : (f.level ?? 6);
    const data = level === 0 ? f.data : nodeZlib ? plain(nodeZlib.deflateRawSync(f.data, { level })) : deflateSync(f.data, { level });
    // Bit 11 (UTF-8 names) only when the name is not ASCII, as zipSync does.
    return { name, utf8: name.length !== f.name.length, method: level === 0 ? 0 : 8, data, crc: crc32(f.data), size: f.data.length };
  });
  let localSize = 0;
  let centralSize = 0;
  for (const e of entries) {
    localSize += 30 + e.name.length + e.data.length;
    centralSize += 46 + e.name.length;
  }
  const out = new Uint8Array(localSize + centralSize + 22);
  // The fields a local header and a central record share, from "version needed" to the name length.
  const common = (at: number, e: (typeof entries)[number]) => {
    put16(out, at, 20);
    put16(out, at + 2, e.utf8 ? 0x0800 : 0);
    put16(out, at + 4, e.method);
    put32(out, at + 6, dosTime);
    put32(out, at + 10, e.crc);
    put32(out, at + 14, e.data.length);
    put32(out, at + 18, e.size);
    put16(out, at + 22, e.name.length);
  };
  let o = 0;
  let c = localSize;
  for (const e of entries) {
    put32(out, c, CEN_SIG);
    put16(out, c + 4, 20);
    common(c + 6, e);
    // Extra and comment lengths, disk, attributes: all zero (the array starts zeroed).
    put32(out, c + 42, o);
    out.set(e.name, c + 46);
    c += 46 + e.name.length;

    put32(out, o, LOC_SIG);
    common(o + 4, e);
    out.set(e.name, o + 30);
    out.set(e.data, o + 30 + e.name.length);
    o += 30 + e.name.length + e.data.length;
  }
  put32(out, c, EOCD_SIG);
  put16(out, c + 8, entries.length);
  put16(out, c + 10, entries.length);
  put32(out, c + 12, centralSize);
  put32(out, c + 16, localSize);
  return out;
}
