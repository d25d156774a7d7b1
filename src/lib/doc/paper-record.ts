// 線上補登 of a document handled on paper: its scans are attached through the page's attachment
// list before the entry is signed (the entry signs the content with them). The list opens for
// whoever the model's rules would let sign the 線上補登 now — the case officer or the registry desk
// — and only until it is signed; the relay refuses any change to the content after it.
import { accepts, offerContext, type SignerProfile, type TrustStore, type VerificationReport, type WorkflowState } from "@countersign/crdt-model";
import type { CountersignDocument } from "@countersign/crdt-model";

export function mayAttachScans(doc: CountersignDocument, ws: WorkflowState & { report: VerificationReport }, trust: TrustStore | null, me: SignerProfile | null): boolean {
  if (!trust || !me) return false;
  const ctx = offerContext(doc, ws.report, trust);
  return ctx.ok && accepts(me, ctx.value, { kind: "paper-record", reason: "—" }, null);
}
