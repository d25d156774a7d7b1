import { beforeAll, describe, expect, it } from "vitest";
import { buildEnvelope, sealParts, type BuildEnvelopeInput } from "../src/envelope/build.ts";
import { openEnvelope, type OpenEnvelopeOptions } from "../src/envelope/open.ts";
import { createSampleExchange, sampleOutgoing, type SampleExchange, type SampleOutgoing } from "../src/envelope/sample.ts";
import { REFUSE } from "../src/envelope/refusals.ts";
import { DEFAULT_LIMITS, asEnvelopeId, type EnvelopeHeaderV1 } from "../src/envelope/types.ts";
import { handZip, repackEnvelope, tamperEnvelope, unpackEnvelope, type RawEntry } from "../src/envelope/tamper.ts";
import { TrustStore } from "../src/identity/trust.ts";
import { tamper } from "../src/sample/tamper.ts";
import { buildDecidedSample } from "../src/sample/document.ts";
import { asAgencyCode } from "../src/ids.ts";
import { fromUtf8, sha256Hex, utf8 } from "../src/bytes.ts";
import type { Result } from "../src/result.ts";

const must = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(r.reason);
  return r.value;
};

let x: SampleExchange;
let out: SampleOutgoing;
let input: BuildEnvelopeInput;
let valid: Uint8Array;
let entries: RawEntry[];
const at = (opts: Partial<OpenEnvelopeOptions> = {}): OpenEnvelopeOptions => ({ trust: x.trustAtB, recipient: x.b.ca.agency, ...opts });
/** The code of the last refusal(): every refusal of openEnvelope is an envelope.* code. */
let lastCode = "";
const refusal = async (bytes: Uint8Array, opts: Partial<OpenEnvelopeOptions> = {}): Promise<string> => {
  const r = await openEnvelope(bytes, at(opts));
  if (r.ok) throw new Error("the envelope was accepted");
  expect(r.reason).not.toMatch(/\n/);
  expect(r.code).toMatch(/^envelope\./);
  lastCode = r.code;
  return r.reason;
};
const part = (suffix: string) => entries.find((e) => e.name.endsWith(suffix))!;
const docPath = (file: string) => `docs/${out.doc.id}/${file}`;

/** The parts of the valid envelope (no mimetype, no META-INF), changed by `edit`, signed anew by A. */
async function resealed(edit: (parts: { path: string; bytes: Uint8Array }[]) => { path: string; bytes: Uint8Array }[], id = "env-resealed"): Promise<Uint8Array> {
  const parts = entries.filter((e) => e.name !== "mimetype" && !e.name.startsWith("META-INF/")).map((e) => ({ path: e.name, bytes: e.data }));
  return must(await sealParts(asEnvelopeId(id), edit(parts), x.a.mailRoom, new Date()));
}
function header(): EnvelopeHeaderV1 {
  return JSON.parse(fromUtf8(part("header.json").data)) as EnvelopeHeaderV1;
}
const withHeader = (h: EnvelopeHeaderV1) => (parts: { path: string; bytes: Uint8Array }[]) =>
  parts.map((p) => (p.path === "header.json" ? { path: p.path, bytes: utf8(JSON.stringify(h)) } : p));

beforeAll(async () => {
  x = await createSampleExchange();
  out = await sampleOutgoing(x);
  input = { to: x.b.ca.agency, purpose: "countersign-request", docs: [{ doc: out.doc, attachments: out.attachments, di: out.di, sw: out.sw }], sender: x.a.mailRoom, id: asEnvelopeId("env-resealed") };
  valid = must(await buildEnvelope(input));
  entries = unpackEnvelope(valid);
  expect((await openEnvelope(valid, at())).ok).toBe(true);
});

describe("container", () => {
  it("truncated ZIP", async () => {
    expect(await refusal(tamperEnvelope(valid, "truncated"))).toBe(REFUSE.notZip);
    expect(lastCode).toBe("envelope.damaged");
    for (const n of [0, 1, 21, 22, valid.length - 23, valid.length - 1]) expect(await refusal(valid.subarray(0, n))).toBe(REFUSE.notZip);
  });

  it("bytes that are not a ZIP at all", async () => {
    expect(await refusal(utf8("PK\u0005\u0006 not really"))).toBe(REFUSE.notZip);
    expect(await refusal(crypto.getRandomValues(new Uint8Array(4096)))).toBe(REFUSE.notZip);
  });

  it("a changed byte in any part", async () => {
    const parts = entries.filter((e) => e.name !== "mimetype" && !e.name.startsWith("META-INF/"));
    expect(parts.length).toBe(6);
    for (const p of parts) {
      const data = p.data.slice();
      data[data.length >> 1]! ^= 0x20;
      const changed = repackEnvelope(entries.map((e) => (e === p ? { ...e, data } : e)));
      expect(await refusal(changed)).toBe(REFUSE.hash(p.name));
    }
    expect(await refusal(tamperEnvelope(valid, "changed-byte"))).toBe(REFUSE.hash(docPath("update.bin")));
  });

  it("a changed byte in the stored bytes of the archive (CRC not fixed up)", async () => {
    const sha = [...out.attachments.keys()][0]!;
    const stored = repackEnvelope(entries.map((e) => ({ ...e, store: true })));
    const at = indexOf(stored, part(`attachments/${sha}`).data);
    const changed = stored.slice();
    changed[at + 5]! ^= 1;
    expect(await refusal(changed)).toBe(REFUSE.crc(docPath(`attachments/${sha}`)));
  });

  it("a changed manifest, and a signature taken from another envelope", async () => {
    const m = JSON.parse(fromUtf8(part("manifest.json").data)) as { parts: { size: number }[] };
    m.parts[0]!.size += 1;
    const edited = repackEnvelope(entries.map((e) => (e.name === "META-INF/manifest.json" ? { ...e, data: utf8(JSON.stringify(m)) } : e)));
    expect(await refusal(edited)).toBe(REFUSE.signatureDigest);
    const other = unpackEnvelope(must(await buildEnvelope({ ...input, purpose: "dispatch" })));
    const swapped = repackEnvelope(entries.map((e) => (e.name === "META-INF/signature.p7s" ? other.find((o) => o.name === e.name)! : e)));
    expect(await refusal(swapped)).toBe(REFUSE.signatureDigest);
    const garbage = repackEnvelope(entries.map((e) => (e.name === "META-INF/signature.p7s" ? { ...e, data: utf8("not CMS") } : e)));
    expect(await refusal(garbage)).toMatch(/^The envelope's signature is not a CMS signature we accept: /);
  });

  it("manifest listing a missing part", async () => {
    expect(await refusal(tamperEnvelope(valid, "missing-part"))).toBe(REFUSE.missingPart(docPath("update.bin")));
    expect(await refusal(repackEnvelope(entries.filter((e) => e.name !== "META-INF/signature.p7s")))).toBe(REFUSE.noSignature);
    expect(await refusal(repackEnvelope(entries.filter((e) => e.name !== "META-INF/manifest.json")))).toBe(REFUSE.noManifest);
  });

  it("an extra part not in the manifest", async () => {
    expect(await refusal(tamperEnvelope(valid, "extra-part"))).toBe(REFUSE.extraPart(docPath("extra.bin")));
    const meta = repackEnvelope([...entries, { name: "META-INF/container.xml", data: utf8("<x/>") }]);
    expect(await refusal(meta)).toBe(REFUSE.extraPart("META-INF/container.xml"));
  });

  it("entry names with ..", async () => {
    expect(await refusal(tamperEnvelope(valid, "dot-dot-name"))).toBe(REFUSE.badName("docs/../../etc/cron.d/evil"));
    expect(await refusal(repackEnvelope([...entries, { name: "..", data: utf8("x") }]))).toBe(REFUSE.badName(".."));
  });

  it("absolute entry names", async () => {
    expect(await refusal(tamperEnvelope(valid, "absolute-name"))).toBe(REFUSE.badName("/etc/passwd"));
    expect(await refusal(repackEnvelope([...entries, { name: "C:/Windows/evil.dll", data: utf8("x") }]))).toBe(REFUSE.badName("C:/Windows/evil.dll"));
  });

  it("backslashes, directories and duplicate names", async () => {
    expect(await refusal(tamperEnvelope(valid, "backslash-name"))).toBe(REFUSE.badName("docs\\..\\evil"));
    expect(await refusal(repackEnvelope([...entries, { name: "docs/", data: new Uint8Array() }]))).toBe(REFUSE.badName("docs/"));
    expect(await refusal(tamperEnvelope(valid, "duplicate-name"))).toBe(REFUSE.duplicate(docPath("update.bin")));
    const upper = handZip([...entries, { name: "HEADER.json", data: utf8("{}") }]);
    expect(await refusal(upper)).toBe(REFUSE.duplicate("HEADER.json"));
  });

  it("mimetype first, stored, and exact", async () => {
    expect(await refusal(tamperEnvelope(valid, "mimetype-not-first"))).toBe(REFUSE.mimetypeFirst);
    expect(await refusal(repackEnvelope(entries.map((e) => (e.name === "mimetype" ? { ...e, store: false } : e))))).toBe(REFUSE.mimetypeFirst);
    expect(await refusal(repackEnvelope(entries.map((e) => (e.name === "mimetype" ? { ...e, data: utf8("application/zip") } : e))))).toBe(REFUSE.mimetype);
  });

  it("entry count and envelope size limits", async () => {
    expect(await refusal(valid, { limits: { maxEntries: 5 } })).toBe(REFUSE.tooManyEntries(5));
    expect(await refusal(valid, { limits: { maxEnvelopeBytes: 1000 } })).toBe(REFUSE.tooLarge(1000));
    expect(await refusal(valid, { limits: { maxPartBytes: 100 } })).toMatch(/^The part .* declares more than 100 bytes\.$/);
  });
});

describe("ZIP bomb", () => {
  const bounded = async (bytes: Uint8Array, opts: Partial<OpenEnvelopeOptions> = {}) => {
    const before = process.memoryUsage().arrayBuffers;
    const t0 = performance.now();
    const reason = await refusal(bytes, opts);
    const ms = performance.now() - t0;
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(ms).toBeLessThan(1500);
    expect(grown).toBeLessThan(64 * 1024 * 1024);
    return reason;
  };

  it("a few hundred KB declaring hundreds of MB at a 1,000:1 ratio is refused before inflating anything", async () => {
    const bomb = tamperEnvelope(valid, "zip-bomb-ratio");
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect(await bounded(bomb)).toBe(REFUSE.ratio(`docs/bomb/attachments/${"0".repeat(64)}`, DEFAULT_LIMITS.maxRatio));
  });

  it("a part declaring GBs is refused from the central directory alone", async () => {
    const bomb = handZip([...entries, { name: docPath("attachments/" + "f".repeat(64)), data: new Uint8Array(100), method: 8, declared: 0xfffffff0 }]);
    expect(await bounded(bomb)).toBe(REFUSE.partTooLarge(docPath("attachments/" + "f".repeat(64)), DEFAULT_LIMITS.maxPartBytes));
    const many = handZip([...entries, ...Array.from({ length: 8 }, (_, i) => ({ name: `docs/b${i}/update.bin`, data: new Uint8Array(3_000_000), method: 0 as const, declared: 3_000_000 }))]);
    expect(await bounded(many, { limits: { maxTotalBytes: 16 * 1024 * 1024 } })).toBe(REFUSE.totalTooLarge(16 * 1024 * 1024));
  });

  it("a listed part whose 1 MiB of deflate would inflate to 1 GiB stops at its declared size, without allocating it", async () => {
    const bomb = tamperEnvelope(valid, "zip-bomb-lying-size");
    expect(bomb.length).toBeLessThan(1.2 * 1024 * 1024);
    expect(await bounded(bomb)).toBe(REFUSE.inflatesPast(docPath("update.bin")));
  });

  it("overlapping entries (one kernel read by several entries) are refused even under generous limits", async () => {
    const bomb = tamperEnvelope(valid, "zip-bomb-overlap");
    expect(await bounded(bomb, { limits: { maxRatio: 5000 } })).toBe(REFUSE.overlap("docs/bomb/update.bin"));
  });
});

describe("sender and recipient", () => {
  it("untrusted sender", async () => {
    const onlyB = new TrustStore({ cas: [x.b.ca.cert] });
    expect(await refusal(valid, { trust: onlyB })).toBe(REFUSE.untrusted("The signer's certificate is not issued by a trusted authority."));
    expect(lastCode).toBe("envelope.untrusted");
  });

  it("revoked sender", async () => {
    const revoked = x.trustAtB.withRevoked(x.a.ca.cert, x.a.mailRoom.cert.serialNumber);
    expect(await refusal(valid, { trust: revoked })).toBe(REFUSE.untrusted("The signer's certificate has been revoked."));
    expect(lastCode).toBe("envelope.revoked");
  });

  it("a sender whose certificate is not valid now", async () => {
    expect(await refusal(valid, { now: new Date(Date.now() + 20 * 365 * 86400_000) })).toBe(REFUSE.untrusted("its certificate is not valid now."));
    expect(lastCode).toBe("envelope.expired");
  });

  it("envelope for another agency", async () => {
    expect(await refusal(valid, { recipient: asAgencyCode("A-TC-EDU") })).toBe(REFUSE.recipient);
    expect(lastCode).toBe("envelope.wrong-recipient");
  });

  it("a header naming another sender than the agency that signed", async () => {
    expect(await refusal(await resealed(withHeader({ ...header(), from: x.b.ca.agency })))).toBe(REFUSE.sender);
  });

  it("a header naming another envelope than the manifest", async () => {
    expect(await refusal(await resealed(withHeader({ ...header(), id: asEnvelopeId("env-other") })))).toBe(REFUSE.headerId);
  });
});

describe("parts and documents (signed by a trusted but careless sender)", () => {
  it("a header that calls for other parts than the manifest lists", async () => {
    expect(await refusal(await resealed(withHeader({ ...header(), docs: [{ ...header().docs[0]!, di: false }] })))).toBe(REFUSE.headerParts);
  });

  it("a manifest listing a path that is no part of an envelope", async () => {
    expect(await refusal(await resealed((p) => [...p, { path: "notes.txt", bytes: utf8("hi") }]))).toBe(REFUSE.unknownPart("notes.txt"));
  });

  it("a malformed header", async () => {
    expect(await refusal(await resealed((p) => p.map((q) => (q.path === "header.json" ? { ...q, bytes: utf8("{") } : q))))).toBe(REFUSE.header("it is not UTF-8 JSON."));
    expect(await refusal(await resealed(withHeader({ ...header(), purpose: "gossip" as "dispatch" })))).toMatch(/^The header is malformed: /);
  });

  it("a document whose chain does not verify", async () => {
    const { doc } = await buildDecidedSample(x.a);
    await tamper(doc, x.a, "signature");
    const bad = must(await buildEnvelope({ ...input, docs: [{ doc }] }));
    expect(await refusal(bad)).toBe(REFUSE.chain(doc.id, "The signature does not verify against the signer's certificate."));
    expect(lastCode).toBe("envelope.chain");
  });

  it("a chain.json that tells another story than the update", async () => {
    const chain = JSON.parse(fromUtf8(part("chain.json").data)) as { entries: Record<string, unknown> };
    const first = Object.keys(chain.entries)[0]!;
    delete chain.entries[first];
    const edited = await resealed((p) => p.map((q) => (q.path.endsWith("chain.json") ? { ...q, bytes: utf8(JSON.stringify(chain)) } : q)));
    expect(await refusal(edited)).toBe(REFUSE.chainMismatch(out.doc.id));
  });

  it("a chain.json that is not JSON, or not a chain of this document", async () => {
    const withChain = (bytes: Uint8Array) => resealed((p) => p.map((q) => (q.path.endsWith("chain.json") ? { ...q, bytes } : q)));
    expect(await refusal(await withChain(utf8("[")))).toBe(REFUSE.chainPart(out.doc.id, "it is not UTF-8 JSON."));
    const reason = await refusal(await withChain(utf8(JSON.stringify({ format: "countersign-chain", v: 1, doc: out.doc.id, entries: [] }))));
    expect(reason).toMatch(new RegExp(`^The chain.json of document ${out.doc.id} is malformed: .*\\.$`));
    const other = await withChain(utf8(JSON.stringify({ format: "countersign-chain", v: 1, doc: "d-other", entries: {}, versions: {} })));
    expect(await refusal(other)).toBe(REFUSE.chainPart(out.doc.id, "it names another document."));
  });

  it("an update that does not decode, and one that holds another document", async () => {
    const garbage = await resealed((p) => p.map((q) => (q.path.endsWith("update.bin") ? { ...q, bytes: utf8("not yjs") } : q)));
    expect(await refusal(garbage)).toMatch(new RegExp(`^The update of document ${out.doc.id} does not decode: `));
    const other = await sampleOutgoing(x);
    const swapped = await resealed((p) => p.map((q) => (q.path.endsWith("update.bin") ? { ...q, bytes: other.doc.encodeState() } : q)));
    expect(await refusal(swapped)).toBe(REFUSE.updateDoc(out.doc.id));
  });

  it("an attachment the document does not reference, or whose bytes do not hash to its name", async () => {
    const blob = utf8("not referenced");
    const sha = sha256Hex(blob);
    const h = header();
    const withBlob = await resealed((p) => withHeader({ ...h, docs: [{ ...h.docs[0]!, attachments: [...h.docs[0]!.attachments, sha].sort() }] })([...p, { path: docPath(`attachments/${sha}`), bytes: blob }]));
    expect(await refusal(withBlob)).toBe(REFUSE.attachment(out.doc.id, sha));
    const real = [...out.attachments.keys()][0]!;
    const wrong = await resealed((p) => p.map((q) => (q.path.endsWith(real) ? { ...q, bytes: blob } : q)));
    expect(await refusal(wrong)).toBe(REFUSE.attachmentHash(out.doc.id, real));
  });
});

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error("not found");
}
