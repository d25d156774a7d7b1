/**
 * The envelope benchmark's documents: agency A's 簽, each with the model benchmark's 10-entry chain
 * (submit, three reviews, a parallel countersign of four units, the deputy, 決行) and one attachment.
 * Generation is not timed. Signing uses the sample agency's WebCrypto keys (fast enough: 10,000
 * ECDSA signatures take a few seconds); the attachment bytes come from a seeded PRNG, so every
 * document's file is different (no hash or compression is shared between documents) and, like the
 * PDF or scan it stands for, does not compress.
 */
import {
  CountersignDocument,
  asDocId,
  sha256Hex,
  signAction,
  type EntryId,
  type Sha256Hex,
} from "../../../packages/crdt-model/src/index.ts";
import type { SampleAgency } from "../../../packages/crdt-model/src/sample/agency.ts";
import { sampleMetadata } from "../../../packages/crdt-model/src/sample/document.ts";
import { addModelItems } from "../model/crdt-model-side.ts";
import { BODY, S, SUBJECT, at, lifecyclePlan, unwrap, type StepSpec } from "../model/common.ts";

export interface BenchDoc {
  doc: CountersignDocument;
  attachments: Map<Sha256Hex, Uint8Array>;
}

/** Mulberry32-filled bytes: deterministic per seed, incompressible like a PDF. */
export function attachmentBytes(seed: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  const words = new Uint32Array(out.buffer, 0, size >>> 2);
  let s = (seed * 0x9e3779b1) >>> 0;
  for (let i = 0; i < words.length; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    words[i] = (t ^ (t >>> 14)) >>> 0;
  }
  for (let i = words.length * 4; i < size; i++) out[i] = (seed + i) & 0xff;
  return out;
}

async function sign(doc: CountersignDocument, a: SampleAgency, spec: StepSpec, parents: readonly EntryId[]): Promise<EntryId> {
  const r = await signAction(doc, spec.signer(a), parents, { action: spec.action, step: spec.step, opinion: spec.opinion, at: at(spec.minute) });
  return unwrap(r, `generating: signing ${spec.step ?? "submit"}`).id;
}

/** One document with a 10-entry chain, ending in 決行, and one attachment of `size` bytes. */
export async function benchDoc(a: SampleAgency, id: string, seed: number, size: number): Promise<BenchDoc> {
  const doc = unwrap(
    CountersignDocument.create({ id: asDocId(id), metadata: sampleMetadata(a), subject: SUBJECT, plan: lifecyclePlan(a) }),
    "generating: create",
  );
  doc.transact(() => {
    addModelItems(doc, "explanation", null, BODY.explanation);
    addModelItems(doc, "proposal", null, BODY.proposal);
  });
  const file = attachmentBytes(seed, size);
  const sha = sha256Hex(file);
  unwrap(doc.addAttachment({ sha256: sha, name: `附件${seed}.pdf`, size: file.length, mime: "application/pdf" }), "generating: attachment");
  const submit = await sign(doc, a, S.submit, []);
  const registry = await sign(doc, a, S.registry, [submit]);
  const clerk = await sign(doc, a, S.clerk, [registry]);
  const chief = await sign(doc, a, S.chief, [clerk]);
  const parallel: EntryId[] = [];
  for (const s of [S.personnel, S.accounting, S.secretariat, S.archives]) parallel.push(await sign(doc, a, s, [chief]));
  const deputy = await sign(doc, a, S.deputy, parallel);
  await sign(doc, a, S.decide, [deputy]);
  return { doc, attachments: new Map([[sha, file]]) };
}

/** `count` documents named `<prefix>-<n>`, generated a few at a time. */
export async function benchDocs(a: SampleAgency, prefix: string, count: number, size: number, seed0 = 0): Promise<BenchDoc[]> {
  const out: BenchDoc[] = [];
  for (let i = 0; i < count; i += 16) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(16, count - i) }, (_, k) => benchDoc(a, `${prefix}-${String(i + k).padStart(5, "0")}`, seed0 + i + k, size)),
    );
    out.push(...batch);
  }
  return out;
}
