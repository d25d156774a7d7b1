import { deflateSync } from "fflate";
import type { CountersignDocument } from "../schema/document.ts";
import type { Signer } from "../identity/certs.ts";
import { agencyCodeSchema } from "../schema/metadata.ts";
import { randomId, type AgencyCode, type Sha256Hex } from "../ids.ts";
import { toBase64, utf8 } from "../bytes.ts";
import { errorMessage, fail, ok, type Result } from "../result.ts";
import { issueSentence } from "../schema/reason.ts";
import { signManifest } from "./cms-signed.ts";
import { attachmentRefs, digestHex, encodeChainPart } from "./docparts.ts";
import { writeZip, type ZipInput } from "./zip.ts";
import {
  DEFAULT_LIMITS,
  ENVELOPE_MIMETYPE,
  MANIFEST_PATH,
  PURPOSES,
  SIGNATURE_PATH,
  asEnvelopeId,
  headerSchema,
  isPathSegment,
  partPath,
  type EnvelopeDocV1,
  type EnvelopeHeaderV1,
  type EnvelopeId,
  type ManifestV1,
  type Purpose,
} from "./types.ts";

export interface EnvelopeDocInput {
  doc: CountersignDocument;
  /** The recipient's last known state vector: only what it lacks is sent. Omitted: the full state. */
  sinceStateVector?: Uint8Array;
  /** Attachment bytes by their SHA-256 (lower-case hex); each must be one the document references. */
  attachments?: ReadonlyMap<string, Uint8Array>;
  /** DI XML of a 函 or 簽, and its SW roster, as the DI exporter made them; carried as they are. */
  di?: Uint8Array;
  sw?: Uint8Array;
}

export interface BuildEnvelopeInput {
  /** Chosen by the caller when it must log the id before sending; otherwise a random one. */
  id?: EnvelopeId;
  to: AgencyCode;
  purpose: Purpose;
  answers?: EnvelopeId | null;
  createdAt?: Date;
  docs: readonly EnvelopeDocInput[];
  /** The sending agency's signer: its key and a certificate issued by (or being) the agency CA. */
  sender: Signer;
  /**
   * Documents classified 密 or above never travel in the clear: they are refused unless the caller
   * says it will encrypt the envelope for the recipient (encryptEnvelope) before it leaves.
   */
  willEncrypt?: boolean;
}

export const newEnvelopeId = (): EnvelopeId => asEnvelopeId(randomId("env-"));

interface Part {
  path: string;
  bytes: Uint8Array;
  /** Already computed (attachments are hashed to check their names). */
  sha256?: Sha256Hex;
}

function json(value: unknown): Uint8Array {
  return utf8(JSON.stringify(value, null, 2) + "\n");
}

/** The parts of one document and its header record. */
async function documentParts(input: EnvelopeDocInput, willEncrypt: boolean): Promise<Result<{ record: EnvelopeDocV1; parts: Part[] }>> {
  const { doc } = input;
  const id = doc.id;
  if (!isPathSegment(id)) return fail("envelope.build-input", `The document id ${JSON.stringify(id)} cannot name a folder in an envelope.`);
  const meta = doc.metadata();
  if (!meta.ok) return fail("envelope.build-input", `Document ${id}: ${meta.reason}`, meta);
  if (meta.value.secrecy !== "none" && !willEncrypt)
    return fail("envelope.classified", `Document ${id} is classified; it may leave only in an encrypted envelope.`);

  let update: Uint8Array;
  try {
    update = doc.encodeState(input.sinceStateVector);
  } catch (e) {
    return fail("envelope.build-input", `The state vector given for document ${id} is malformed: ${errorMessage(e)}.`);
  }
  const parts: Part[] = [
    { path: partPath({ kind: "update", doc: id }), bytes: update },
    { path: partPath({ kind: "chain", doc: id }), bytes: encodeChainPart(doc) },
  ];
  const refs = attachmentRefs(doc);
  const hashes: Sha256Hex[] = [];
  for (const [name, bytes] of input.attachments ?? new Map<string, Uint8Array>()) {
    const hash = await digestHex(bytes);
    if (hash !== name) return fail("envelope.build-input", `The attachment bytes given as ${name} do not hash to that name.`);
    if (refs.get(hash) !== bytes.length) return fail("envelope.build-input", `The attachment ${hash} is not one document ${id} references with that size.`);
    hashes.push(hash);
    parts.push({ path: partPath({ kind: "attachment", doc: id, sha256: hash }), bytes, sha256: hash });
  }
  if (input.di) parts.push({ path: partPath({ kind: "di", doc: id }), bytes: input.di });
  if (input.sw) parts.push({ path: partPath({ kind: "sw", doc: id }), bytes: input.sw });
  const record: EnvelopeDocV1 = {
    doc: id,
    update: input.sinceStateVector ? { kind: "delta", since: toBase64(input.sinceStateVector) } : { kind: "full" },
    attachments: hashes.sort(),
    di: !!input.di,
    sw: !!input.sw,
  };
  return ok({ record, parts });
}

const SAMPLE_BYTES = 64 * 1024;
const ENTROPY_BYTES = 16 * 1024;
// Bits per byte above which a sample is taken for compressed already (PDF streams, JPEG, ZIP):
// Huffman coding could save at most 1/80 of it, far below the tenth deflating must save.
const INCOMPRESSIBLE_BITS = 7.9;

/** Order-0 entropy of the bytes, in bits per byte: cheap (one pass, no allocation but a table). */
function entropyBits(bytes: Uint8Array): number {
  const counts = new Uint32Array(256);
  for (let i = 0; i < bytes.length; i++) counts[bytes[i]!]!++;
  let bits = 0;
  for (let i = 0; i < 256; i++) {
    const c = counts[i]!;
    if (c) bits -= c * Math.log2(c / bytes.length);
  }
  return bits / bytes.length;
}

/**
 * How to compress a part. Small parts (JSON, updates, XML) deflate at level 6. A large part — an
 * attachment, usually a PDF or an image that is compressed already — is judged by its first 64 KiB:
 * stored when the byte entropy of its first 16 KiB says it is compressed already (measuring that costs a twentieth
 * of deflating them, and a thousand attachments made trial deflation the largest cost of export);
 * otherwise by deflating them at level 1: stored when that saves under a tenth, stored when it
 * deflates so well that a reader's ZIP-bomb ratio limit could refuse it (a blank scan), level 1
 * otherwise, because level 6 on a hundred megabytes of attachments costs seconds for a few percent.
 * Storing is always safe: a misjudgement costs size, never an envelope a reader would refuse.
 */
function compression(bytes: Uint8Array): { store?: boolean; level?: 1 | 6 } {
  if (bytes.length <= SAMPLE_BYTES) return { level: 6 };
  const sample = bytes.subarray(0, SAMPLE_BYTES);
  // The entropy from the first 16 KiB: enough bytes for a 256-symbol estimate (its low bias there is
  // about 0.01 bit, far from the threshold's margin), at a quarter of the pass.
  if (entropyBits(bytes.subarray(0, ENTROPY_BYTES)) >= INCOMPRESSIBLE_BITS) return { store: true };
  const deflated = deflateSync(sample, { level: 1 }).length;
  if (deflated > sample.length * 0.9) return { store: true };
  if (bytes.length > DEFAULT_LIMITS.ratioFloorBytes && sample.length > deflated * (DEFAULT_LIMITS.maxRatio / 2)) return { store: true };
  return { level: 1 };
}

/**
 * Seals parts into a signed envelope: manifest over the parts, CMS signature over the manifest,
 * ZIP with the mimetype first and stored. Exported for tests that need envelopes a trusted but
 * careless sender could make; the product builds envelopes through `buildEnvelope` only.
 */
export async function sealParts(id: EnvelopeId, parts: readonly Part[], sender: Signer, at: Date): Promise<Result<Uint8Array>> {
  const sorted = [...parts].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const manifest: ManifestV1 = {
    format: "countersign-envelope-manifest",
    v: 1,
    envelope: id,
    parts: await Promise.all(sorted.map(async (p) => ({ path: p.path, sha256: p.sha256 ?? (await digestHex(p.bytes)), size: p.bytes.length }))),
  };
  const manifestBytes = json(manifest);
  const signature = await signManifest(manifestBytes, sender, at);
  if (!signature.ok) return signature;
  const files: ZipInput[] = [
    { name: "mimetype", data: utf8(ENVELOPE_MIMETYPE), store: true },
    { name: MANIFEST_PATH, data: manifestBytes },
    { name: SIGNATURE_PATH, data: signature.value, store: true },
    ...sorted.map((p) => ({ name: p.path, data: p.bytes, ...compression(p.bytes) })),
  ];
  try {
    return ok(writeZip(files, at));
  } catch (e) {
    return fail("envelope.build-failed", `The envelope could not be written: ${errorMessage(e)}.`);
  }
}

/** Builds and signs an envelope (format version 1). Never throws. */
export async function buildEnvelope(input: BuildEnvelopeInput): Promise<Result<Uint8Array>> {
  const at = input.createdAt ?? new Date();
  if (Number.isNaN(at.getTime())) return fail("envelope.build-input", "The envelope's creation time is not a valid date.");
  if (!PURPOSES.includes(input.purpose)) return fail("envelope.build-input", `The purpose ${JSON.stringify(input.purpose)} is not one an envelope may have.`);
  const to = agencyCodeSchema.safeParse(input.to);
  if (!to.success) return fail("envelope.build-input", issueSentence("The recipient agency code", to.error, "is invalid"));
  const docs: EnvelopeDocV1[] = [];
  const parts: Part[] = [];
  const seen = new Set<string>();
  for (const d of input.docs) {
    if (seen.has(d.doc.id)) return fail("envelope.build-input", `Document ${d.doc.id} is given twice.`);
    seen.add(d.doc.id);
    const r = await documentParts(d, input.willEncrypt ?? false);
    if (!r.ok) return r;
    docs.push(r.value.record);
    parts.push(...r.value.parts);
  }
  const header: EnvelopeHeaderV1 = {
    format: "countersign-envelope",
    v: 1,
    id: input.id ?? newEnvelopeId(),
    from: input.sender.profile.agency,
    to: to.data,
    purpose: input.purpose,
    createdAt: at.toISOString(),
    answers: input.answers ?? null,
    docs,
  };
  // The reader's schema, applied to what we are about to sign: we never send what we would refuse.
  const checked = headerSchema.safeParse(header);
  if (!checked.success) return fail("envelope.build-input", issueSentence("The envelope header", checked.error, "would be invalid"));
  parts.push({ path: partPath({ kind: "header" }), bytes: json(header) });
  return sealParts(header.id, parts, input.sender, at);
}
