import { createSampleAgency, type SampleAgency } from "../sample/agency.ts";
import { SAMPLE_STEPS, act, createSampleDocument } from "../sample/document.ts";
import { TrustStore } from "../identity/trust.ts";
import { VerifyCache } from "../workflow/verify.ts";
import type { CountersignDocument } from "../schema/document.ts";
import { sha256Hex, utf8 } from "../bytes.ts";
import type { Sha256Hex } from "../ids.ts";

/**
 * Two sample agencies that trust each other, and a document of the first with an attachment, for
 * the envelope tests, the fuzzer and the benchmark. Every key is freshly made.
 */
export interface SampleExchange {
  /** The sender (臺南市政府教育局). */
  a: SampleAgency;
  /** The recipient (高雄市政府教育局). */
  b: SampleAgency;
  /** B's federation trust: both agency CAs and A's delegation table. */
  trustAtB: TrustStore;
  trustAtA: TrustStore;
}

export async function createSampleExchange(): Promise<SampleExchange> {
  const [a, b] = await Promise.all([createSampleAgency(), createSampleAgency({ code: "A-KH-EDU", name: "高雄市政府教育局" })]);
  const trust = () => new TrustStore({ cas: [a.ca.cert, b.ca.cert], delegation: [a.delegation, b.delegation] });
  return { a, b, trustAtB: trust(), trustAtA: trust() };
}

export interface SampleOutgoing {
  doc: CountersignDocument;
  attachments: Map<Sha256Hex, Uint8Array>;
  /** Stand-ins for the DI exporter's output; the envelope carries them as opaque bytes. */
  di: Uint8Array;
  sw: Uint8Array;
}

/**
 * A document of A with one attachment, submitted and approved by the section chief (ready to ask
 * another agency), or decided as well when `decided` is set. `attachmentBytes` sets its size.
 */
export async function sampleOutgoing(x: SampleExchange, opts: { decided?: boolean; attachmentBytes?: number; cache?: VerifyCache } = {}): Promise<SampleOutgoing> {
  const { a } = x;
  const cache = opts.cache ?? new VerifyCache();
  const doc = createSampleDocument(a);
  const file = new Uint8Array(opts.attachmentBytes ?? 2048);
  for (let i = 0; i < file.length; i++) file[i] = (i * 31 + (i >> 7)) & 0xff;
  const sha = sha256Hex(file);
  const added = doc.addAttachment({ sha256: sha, name: "獎懲實施要點修正草案.pdf", size: file.length, mime: "application/pdf" });
  if (!added.ok) throw new Error(added.reason); // fixed sample data: failing here is a bug
  const t0 = Date.now() - 3600_000;
  const at = (m: number) => new Date(t0 + m * 60_000);
  await act(doc, a.officer, x.trustAtA, { action: { kind: "submit" }, step: null, opinion: "陳請核示。", at: at(0) }, cache);
  await act(doc, a.chief, x.trustAtA, { action: { kind: "approve" }, step: SAMPLE_STEPS.review, opinion: "擬陳。", at: at(10) }, cache);
  if (opts.decided) {
    await act(doc, a.personnel, x.trustAtA, { action: { kind: "countersign" }, step: SAMPLE_STEPS.personnel, opinion: "敬會。", at: at(20) }, cache);
    await act(doc, a.accounting, x.trustAtA, { action: { kind: "countersign" }, step: SAMPLE_STEPS.accounting, opinion: "敬會。", at: at(21) }, cache);
    await act(doc, a.director, x.trustAtA, { action: { kind: "decide" }, step: SAMPLE_STEPS.decide, opinion: "如擬。", at: at(40) }, cache);
  }
  return {
    doc,
    attachments: new Map([[sha, file]]),
    di: utf8(`<?xml version="1.0" encoding="utf-8"?>\n<!-- DI of ${doc.id} (stand-in) -->\n<簽/>\n`),
    sw: utf8(`<?xml version="1.0" encoding="utf-8"?>\n<!-- SW of ${doc.id} (stand-in) -->\n<交換表/>\n`),
  };
}
