import {
  PURPOSES,
  buildEnvelope,
  encryptEnvelope,
  fail,
  newEnvelopeId,
  ok,
  parseCertificate,
  sha256Hex,
  type EnvelopeDocInput,
  type Code,
  type Result,
} from "@countersign/crdt-model";
import type { ExportedEnvelope, ExportRequest, ExchangeContext } from "./types.ts";
import { activePeer } from "./federation.ts";
import { agencySigner } from "./signer.ts";
import { currentDoc, diFor, hasDi, heldAttachments } from "./docs.ts";
import { knownPeerState } from "./known-state.ts";

export const EXPORT_REFUSALS = {
  noDocs: "An envelope needs at least one document.",
  receiptDocs: "A receipt carries no documents.",
  self: "An envelope cannot be addressed to this agency itself.",
  purpose: (p: string) => `The purpose ${JSON.stringify(p)} is not one an envelope may have.`,
  noDoc: (id: string) => `There is no document ${id} here.`,
  recipientCert: (why: string) => `The recipient's CA certificate in the trust list does not parse: ${why}`,
} as const;

/** Each refusal's code: the class the app explains and a caller decides by (the sentence keeps the detail). */
export const EXPORT_CODES = {
  noDocs: "exchange.request",
  receiptDocs: "exchange.request",
  self: "exchange.self",
  purpose: "exchange.request",
  noDoc: "exchange.no-doc",
  recipientCert: "exchange.recipient-cert",
} as const satisfies Record<keyof typeof EXPORT_REFUSALS, Code>;

/**
 * Builds the envelope for one or more documents to a peer agency: each document's current state
 * (only what the peer lacks when we know what it holds, see known-state.ts), its chain, the
 * attachments it references that we hold, and for a 函 or 簽 its DI and SW; signed by the agency CA;
 * encrypted for the peer's CA certificate when asked (always for 密 and above: buildEnvelope refuses
 * a classified document otherwise). Logs an "exported" line keeping the signed envelope's bytes.
 */
export async function exportEnvelope(ctx: ExchangeContext, o: ExportRequest): Promise<Result<ExportedEnvelope>> {
  const { store, agency } = ctx;
  if (!PURPOSES.includes(o.purpose)) return fail(EXPORT_CODES.purpose, EXPORT_REFUSALS.purpose(o.purpose));
  if (o.purpose === "receipt" ? o.docs.length > 0 : o.docs.length === 0) return fail(EXPORT_CODES.noDocs, o.purpose === "receipt" ? EXPORT_REFUSALS.receiptDocs : EXPORT_REFUSALS.noDocs);
  if (o.to === agency.code) return fail(EXPORT_CODES.self, EXPORT_REFUSALS.self);
  const peer = await activePeer(store, o.to);
  if (!peer.ok) return peer;
  const now = ctx.now();

  const docs: EnvelopeDocInput[] = [];
  for (const id of o.docs) {
    const doc = await currentDoc(store, ctx.rooms, id);
    if (!doc) return fail(EXPORT_CODES.noDoc, EXPORT_REFUSALS.noDoc(id));
    const input: EnvelopeDocInput = { doc, attachments: await heldAttachments(store, doc) };
    if (hasDi(doc, agency.code)) {
      const xml = diFor(doc, { agencyName: agency.name, to: { code: peer.value.code, name: peer.value.name }, now });
      if (!xml.ok) return xml;
      input.di = xml.value.di;
      input.sw = xml.value.sw;
    }
    const since = o.full ? undefined : await knownPeerState(store, peer.value.code, id);
    if (since) input.sinceStateVector = since;
    docs.push(input);
  }

  const id = newEnvelopeId();
  const built = await buildEnvelope({
    id,
    to: o.to,
    purpose: o.purpose,
    answers: o.answers ?? null,
    createdAt: now,
    docs,
    sender: agencySigner(agency),
    willEncrypt: o.encrypt ?? false,
  });
  if (!built.ok) return built;
  let bytes = built.value;
  if (o.encrypt) {
    const cert = parseCertificate(peer.value.caPem);
    if (!cert.ok) return fail(EXPORT_CODES.recipientCert, EXPORT_REFUSALS.recipientCert(cert.reason), cert);
    const sealed = await encryptEnvelope(bytes, cert.value);
    if (!sealed.ok) return sealed;
    bytes = sealed.value;
  }
  // The log keeps the signed envelope itself (not the encrypted file, which only the peer can
  // open): what we sent is then readable here, e.g. to know what the peer holds once it answers.
  await store.logExchange(
    {
      envelope: id,
      direction: "out",
      peer: o.to,
      purpose: o.purpose,
      answers: o.answers ?? null,
      docs: [...o.docs],
      sha256: sha256Hex(built.value),
      size: built.value.length,
      status: "exported",
      detail: o.encrypt ? `encrypted for ${peer.value.fingerprint}` : null,
      at: now.toISOString(),
    },
    built.value,
  );
  ctx.log.info({ envelope: id, to: o.to, purpose: o.purpose, docs: o.docs.length, bytes: bytes.length, encrypted: !!o.encrypt, delta: docs.filter((d) => d.sinceStateVector).length }, "envelope exported");
  return ok({ id, bytes });
}
