import { beforeAll, describe, expect, it } from "vitest";
import { buildEnvelope, sealParts } from "../src/envelope/build.ts";
import { openEnvelope, type OpenEnvelopeOptions, type OpenedEnvelope } from "../src/envelope/open.ts";
import { createSampleExchange, sampleOutgoing, type SampleExchange } from "../src/envelope/sample.ts";
import { unpackEnvelope } from "../src/envelope/tamper.ts";
import { asEnvelopeId } from "../src/envelope/types.ts";
import { VerifyCache } from "../src/workflow/verify.ts";
import { sha256Hex } from "../src/bytes.ts";
import type { Result } from "../src/result.ts";
import { Rng } from "./support/rng.ts";

/**
 * Seeded fuzzer over valid envelopes. Every case is replayable on its own:
 *   ENVELOPE_FUZZ_SEED=<seed> ENVELOPE_FUZZ_ONLY=<case> npx vitest run packages/crdt-model/tests/envelope-fuzz.test.ts
 * More cases: ENVELOPE_FUZZ_CASES=200000 (and ENVELOPE_FUZZ_RESEALED for the signed-garbage pass).
 */
const SEED = Number(process.env.ENVELOPE_FUZZ_SEED ?? 0x0e17e10e);
const CASES = Number(process.env.ENVELOPE_FUZZ_CASES ?? 10_000);
const RESEALED = Number(process.env.ENVELOPE_FUZZ_RESEALED ?? 300);
const ONLY = process.env.ENVELOPE_FUZZ_ONLY === undefined ? null : Number(process.env.ENVELOPE_FUZZ_ONLY);
const MAX_OPEN_MS = 2000;

const must = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};

/** The seeded generator, seeded per case from (seed, case), so one case replays without the others. */
function rngFor(seed: number, n: number): () => number {
  const rng = new Rng((Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(n + 1, 0xc2b2ae35)) >>> 0);
  return () => rng.next();
}

/** What an accepted envelope means: if a mutation is accepted, this must not have changed. */
function meaning(o: OpenedEnvelope): string {
  return JSON.stringify({
    header: o.header,
    manifest: o.manifest,
    sender: o.sender.fingerprint,
    docs: o.docs.map((d) => ({
      id: d.id,
      update: sha256Hex(d.update),
      entries: d.report.entries.map((e) => e.id),
      attachments: [...d.attachments].map(([k, v]) => [k, sha256Hex(v)]),
      di: d.di && sha256Hex(d.di),
      sw: d.sw && sha256Hex(d.sw),
    })),
  });
}

interface Layout {
  /** [start, end) of every file name, in local headers and central records. */
  names: { start: number; length: number }[];
  /** Offsets of header fields (u16 or u32) worth corrupting. */
  fields: { at: number; size: 2 | 4; content: boolean }[];
  end: number;
}

const u16 = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
const u32 = (b: Uint8Array, i: number) => (u16(b, i) | (u16(b, i + 2) << 16)) >>> 0;

/** Where things are in a valid envelope (we made it, so a plain walk is enough). */
function layout(b: Uint8Array): Layout {
  const end = b.length - 22;
  const cd = u32(b, end + 16);
  const count = u16(b, end + 10);
  const names: Layout["names"] = [];
  const fields: Layout["fields"] = [];
  for (let k = 0, p = cd; k < count; k++) {
    const n = u16(b, p + 28);
    const local = u32(b, p + 42);
    names.push({ start: p + 46, length: n }, { start: local + 30, length: n });
    // content: false marks fields that do not change what is read (times, versions, attributes).
    for (const [off, size, content] of [[4, 2, false], [6, 2, false], [8, 2, true], [10, 2, true], [12, 2, false], [14, 2, false], [16, 4, true], [20, 4, true], [24, 4, true], [28, 2, true], [30, 2, true], [32, 2, true], [34, 2, true], [36, 2, false], [38, 4, false], [42, 4, true]] as const)
      fields.push({ at: p + off, size, content });
    for (const [off, size, content] of [[4, 2, false], [6, 2, true], [8, 2, true], [10, 2, false], [12, 2, false], [14, 4, true], [18, 4, true], [22, 4, true], [26, 2, true], [28, 2, true]] as const)
      fields.push({ at: local + off, size, content });
    p += 46 + n + u16(b, p + 30) + u16(b, p + 32);
  }
  for (const [off, size] of [[4, 2], [6, 2], [8, 2], [10, 2], [12, 4], [16, 4], [20, 2]] as const) fields.push({ at: end + off, size, content: true });
  return { names, fields, end };
}

const NAME_CHARS = ["/", ".", "\\", "A", "\0", ":", " ", "é"];

/** One random mutation; returns the mutated bytes and what was done, for the failure message. */
function mutate(base: Uint8Array, l: Layout, other: Uint8Array, rnd: () => number): { bytes: Uint8Array; what: string } {
  const int = (n: number) => Math.floor(rnd() * n);
  const kind = int(10);
  const b = base.slice();
  switch (kind) {
    case 0:
    case 1: {
      const flips = 1 + int(4);
      for (let i = 0; i < flips; i++) b[int(b.length)]! ^= 1 << int(8);
      return { bytes: b, what: `flip ${flips} bits` };
    }
    case 2: {
      const n = int(base.length);
      return { bytes: base.subarray(0, n), what: `truncate to ${n}` };
    }
    case 3: {
      const at = int(base.length + 1);
      const ins = crypto.getRandomValues(new Uint8Array(1 + int(16)));
      for (let i = 0; i < ins.length; i++) ins[i] = int(256);
      const out = new Uint8Array(base.length + ins.length);
      out.set(base.subarray(0, at));
      out.set(ins, at);
      out.set(base.subarray(at), at + ins.length);
      return { bytes: out, what: `insert ${ins.length} bytes at ${at}` };
    }
    case 4: {
      const n = Math.min(1 + int(16), base.length);
      const at = int(base.length - n + 1);
      const out = new Uint8Array(base.length - n);
      out.set(base.subarray(0, at));
      out.set(base.subarray(at + n), at);
      return { bytes: out, what: `delete ${n} bytes at ${at}` };
    }
    case 5:
    case 6: {
      const name = l.names[int(l.names.length)]!;
      const enc = new TextEncoder();
      const variant = int(4);
      if (variant === 0 && name.length >= 3) b.set(enc.encode("../"), name.start);
      else if (variant === 1) b[name.start] = 0x2f; // absolute
      else if (variant === 2) b.set(enc.encode(NAME_CHARS[int(NAME_CHARS.length)]!).subarray(0, name.length), name.start + int(name.length));
      else b[name.start + int(name.length)]! ^= 0x20; // case change or worse
      return { bytes: b, what: `name at ${name.start} variant ${variant}` };
    }
    case 7: {
      const f = l.fields[int(l.fields.length)]!;
      const choices = [0, 1, 0xffff, 0xffffffff, (f.size === 2 ? u16(b, f.at) : u32(b, f.at)) + (rnd() < 0.5 ? 1 : -1), int(2 ** 32)];
      const v = choices[int(choices.length)]! >>> 0;
      if (f.size === 2) {
        b[f.at] = v & 0xff;
        b[f.at + 1] = (v >> 8) & 0xff;
      } else for (let i = 0; i < 4; i++) b[f.at + i] = (v >>> (8 * i)) & 0xff;
      return { bytes: b, what: `field at ${f.at} (${f.content ? "content" : "metadata"}) = ${v}` };
    }
    case 8: {
      // A ZIP comment: changes no part, so the envelope must still open, and mean the same.
      const comment = new Uint8Array(int(64));
      for (let i = 0; i < comment.length; i++) comment[i] = int(256);
      const out = new Uint8Array(base.length + comment.length);
      out.set(base);
      out.set(comment, base.length);
      out[l.end + 20] = comment.length;
      return { bytes: out, what: `comment of ${comment.length} bytes` };
    }
    default: {
      const from = int(other.length);
      const n = Math.min(1 + int(256), other.length - from);
      const at = int(Math.max(1, base.length - n));
      b.set(other.subarray(from, from + n), at);
      return { bytes: b, what: `splice ${n} bytes of another envelope at ${at}` };
    }
  }
}

let x: SampleExchange;
let bases: { bytes: Uint8Array; layout: Layout; meaning: string }[];
let opts: OpenEnvelopeOptions;

beforeAll(async () => {
  x = await createSampleExchange();
  const cache = new VerifyCache();
  const [one, two, three] = await Promise.all([sampleOutgoing(x, { cache }), sampleOutgoing(x, { cache, decided: true }), sampleOutgoing(x, { cache, attachmentBytes: 300 })]);
  const envelopes = [
    must(await buildEnvelope({ to: x.b.ca.agency, purpose: "countersign-request", docs: [{ doc: one.doc, attachments: one.attachments, di: one.di, sw: one.sw }], sender: x.a.mailRoom })),
    must(await buildEnvelope({ to: x.b.ca.agency, purpose: "dispatch", docs: [{ doc: two.doc, di: two.di }, { doc: three.doc, attachments: three.attachments }], sender: x.a.registry })),
  ];
  opts = { trust: x.trustAtB, recipient: x.b.ca.agency, cache };
  bases = [];
  for (const bytes of envelopes) bases.push({ bytes, layout: layout(bytes), meaning: meaning(must(await openEnvelope(bytes, opts))) });
});

async function check(bytes: Uint8Array, expected: string | null, where: string): Promise<{ ok: boolean; reason: string; ms: number }> {
  const t0 = performance.now();
  let r: Result<OpenedEnvelope>;
  try {
    r = await openEnvelope(bytes, opts);
  } catch (e) {
    throw new Error(`${where}: openEnvelope threw ${String(e)}`, { cause: e });
  }
  const ms = performance.now() - t0;
  if (ms > MAX_OPEN_MS) throw new Error(`${where}: openEnvelope took ${ms.toFixed(0)} ms`);
  if (r.ok) {
    if (expected !== null && meaning(r.value) !== expected) throw new Error(`${where}: a mutated envelope was accepted with another meaning`);
    return { ok: true, reason: "", ms };
  }
  if (typeof r.reason !== "string" || r.reason.length === 0 || /\n/.test(r.reason) || !/[.)]$/.test(r.reason))
    throw new Error(`${where}: the refusal is not a one-line sentence: ${JSON.stringify(r.reason)}`);
  if (r.reason.startsWith("The envelope could not be checked")) throw new Error(`${where}: an exception was caught inside: ${r.reason}`);
  return { ok: false, reason: r.reason, ms };
}

describe("envelope fuzzer", () => {
  it(`${CASES} mutated envelopes: each a clean refusal or the same envelope accepted (seed ${SEED})`, { timeout: 600_000 }, async () => {
    const reasons = new Map<string, number>();
    let accepted = 0;
    let slowest = 0;
    const t0 = performance.now();
    for (let i = ONLY ?? 0; i < (ONLY === null ? CASES : ONLY + 1); i++) {
      const rnd = rngFor(SEED, i);
      const k = Math.floor(rnd() * bases.length);
      const base = bases[k]!;
      const m = mutate(base.bytes, base.layout, bases[(k + 1) % bases.length]!.bytes, rnd);
      const where = `ENVELOPE_FUZZ_SEED=${SEED} ENVELOPE_FUZZ_ONLY=${i} (base ${k}, ${m.what})`;
      const r = await check(m.bytes, base.meaning, where);
      slowest = Math.max(slowest, r.ms);
      if (r.ok) accepted++;
      else {
        const key = r.reason.replace(/docs\/[^ ]+|[0-9a-f]{16,}|"[^"]*"|\d+/g, "…");
        reasons.set(key, (reasons.get(key) ?? 0) + 1);
      }
    }
    const ms = performance.now() - t0;
    const top = [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 12);
    console.log(JSON.stringify({ seed: SEED, cases: CASES, accepted, ms: Math.round(ms), perCaseMs: +(ms / CASES).toFixed(3), slowestMs: +slowest.toFixed(1), top }, null, 1));
    // Content-preserving mutations (comments, times, versions) do occur, and must pass.
    if (ONLY === null) expect(accepted).toBeGreaterThan(0);
  });

  it(`${RESEALED} envelopes of garbage parts signed by a trusted sender: refused cleanly (seed ${SEED})`, { timeout: 600_000 }, async () => {
    const entries = unpackEnvelope(bases[0]!.bytes).filter((e) => e.name !== "mimetype" && !e.name.startsWith("META-INF/"));
    const id = asEnvelopeId((JSON.parse(new TextDecoder().decode(entries.find((e) => e.name === "header.json")!.data)) as { id: string }).id);
    let accepted = 0;
    const acceptedParts = new Map<string, number>();
    for (let i = 0; i < RESEALED; i++) {
      const rnd = rngFor(SEED ^ 0x5ea1ed, i);
      const int = (n: number) => Math.floor(rnd() * n);
      const target = entries[int(entries.length)]!;
      const data = target.data.slice(0, rnd() < 0.2 ? int(target.data.length) : target.data.length);
      for (let f = 1 + int(3); f > 0 && data.length > 0; f--) data[int(data.length)]! ^= 1 << int(8);
      const parts = entries.map((e) => ({ path: e.name, bytes: e === target ? data : e.data }));
      const sealed = must(await sealParts(id, parts, x.a.mailRoom, new Date()));
      const r = await check(sealed, null, `resealed ENVELOPE_FUZZ_SEED=${SEED} case ${i} (${target.name})`);
      if (r.ok) {
        accepted++;
        const kind = target.name.replace(/^docs\/[^/]+\//, "").replace(/[0-9a-f]{64}/, "<sha256>");
        acceptedParts.set(kind, (acceptedParts.get(kind) ?? 0) + 1);
      }
    }
    // Accepted ones are what a trusted sender may legitimately send: other opaque DI/SW bytes, or an
    // update whose unsigned draft text differs while every signed entry still verifies.
    console.log(JSON.stringify({ resealed: RESEALED, accepted, acceptedParts: Object.fromEntries(acceptedParts) }));
  });
});
