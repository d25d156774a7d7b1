// What a federation peer may change in this agency's documents (issue 12, finding 5). An envelope
// from a trusted peer is authentic — its agency signed it and every entry in it verifies — but that
// makes it a statement by that peer, not a right to write anything. What must stay true:
// - a document we hold changes through a peer only if the exchange log shows we exchanged it with
//   that peer (we sent it there, or imported it from there);
// - a peer adds to a document that is not its own only entries its own people signed (its
//   countersign, return or decision, its opinions), the versions they signed and its server's
//   receipts: never the text, the metadata (unit, case officer, 密等), the plan or attachments;
// - a peer's own document (one it sent us) is its to change, but it never becomes another agency's;
// - a document new to us is the sender's own, comes as a request (會辦, 陳核) or as a dispatch
//   (發文, of a decided document), and addresses this agency as an agency: it reaches our people
//   only through the registry desk's 分文, never by naming one of our officers or units directly.
import {
  type AgencyCode,
  allSteps,
  type Code,
  type CountersignDocument,
  type DocId,
  type DocumentPart,
  type EntryId,
  type EnvelopeHeader,
  fail,
  ok,
  type Purpose,
  type Result,
  type WorkflowState,
} from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";

export const PEER_REFUSALS = {
  self: "The envelope comes from this agency itself; only another agency's envelopes are imported.",
  notExchanged: (doc: string, peer: string) =>
    `Document ${doc} was never sent to ${peer} nor received from it; an agency may change only documents exchanged with it.`,
  notOwn: (doc: string, peer: string) => `Document ${doc} is new here and is not ${peer}'s own document; an agency sends a new document only of its own.`,
  newPurpose: (doc: string, purpose: string) =>
    `Document ${doc} is new here, and an envelope with purpose ${purpose} brings no new documents (a countersign or review request or a dispatch does).`,
  notDecided: (doc: string) => `Document ${doc} is sent as a dispatch (發文) but it is not decided.`,
  namesOurs: (doc: string, step: string) =>
    `Document ${doc} assigns its step ${step} to a person or unit of this agency directly; another agency addresses this agency, whose registry desk assigns it (分文).`,
  agencyChanged: (doc: string) => `Document ${doc}: the envelope changes the agency the document belongs to.`,
  parts: (doc: string, peer: string, parts: readonly string[]) =>
    `Document ${doc} is not ${peer}'s own, and ${peer} may only add its own signed entries to it; the envelope also changes its ${parts.join(", ")}.`,
  foreignSigner: (doc: string, peer: string, entry: string) =>
    `Document ${doc}: the entry ${entry} was not signed by someone of ${peer}; an agency sends back only what its own people signed.`,
} as const;

/** Each refusal's code: the class the app explains and a caller decides by (the sentence keeps the detail). */
export const PEER_CODES = {
  self: "peer.self",
  notExchanged: "peer.not-exchanged",
  notOwn: "peer.not-own",
  newPurpose: "peer.purpose",
  notDecided: "peer.not-decided",
  namesOurs: "peer.names-ours",
  agencyChanged: "peer.agency",
  parts: "peer.parts",
  foreignSigner: "peer.signer",
} as const satisfies Record<keyof typeof PEER_REFUSALS, Code>;

/** Purposes that may bring a document this agency does not hold yet. */
const NEW_DOC_PURPOSES: readonly Purpose[] = ["countersign-request", "review-request", "dispatch"];
/** What a peer may add to a document that is not its own: signed entries, their versions, receipts. */
const ANSWER_PARTS: ReadonlySet<DocumentPart> = new Set(["chain", "versions", "receipts"]);

/** What the import knows of one document before the relay's rules are checked. */
export interface PeerTouch {
  header: EnvelopeHeader;
  /** Our copy before the import. */
  ours: CountersignDocument;
  /** The parts of our copy the update changes. */
  touched: ReadonlySet<DocumentPart>;
}

export interface PeerChange {
  header: EnvelopeHeader;
  /** Our copy before the import; undefined when we do not hold the document. */
  ours: CountersignDocument | undefined;
  /** The document as it will be after the import. */
  after: CountersignDocument;
  state: WorkflowState;
  added: readonly EntryId[];
}

/**
 * First, before any signature is checked: may the peer touch this document of ours at all (the
 * exchange log), and only in the parts it may change? Cheap, and the answer that matters most.
 */
export async function peerMayTouch(store: Store, us: AgencyCode, doc: DocId, c: PeerTouch): Promise<Result<void>> {
  const peer = c.header.from;
  if (peer === us) return fail(PEER_CODES.self, PEER_REFUSALS.self);
  if (!(await exchanged(store, peer, doc))) return fail(PEER_CODES.notExchanged, PEER_REFUSALS.notExchanged(doc, peer));
  const meta = c.ours.metadata();
  if (meta.ok && meta.value.agency === peer) return ok(undefined); // its own document
  const extra = [...c.touched].filter((p) => !ANSWER_PARTS.has(p)).sort();
  if (extra.length) return fail(PEER_CODES.parts, PEER_REFUSALS.parts(doc, peer, extra));
  return ok(undefined);
}

/** Then, on the verified result: whether the peer `header.from` may make this change; the refusal says why not. */
export async function peerMayChange(us: AgencyCode, doc: DocId, c: PeerChange): Promise<Result<void>> {
  const peer = c.header.from;
  if (peer === us) return fail(PEER_CODES.self, PEER_REFUSALS.self);
  const afterMeta = c.after.metadata();
  if (!c.ours) {
    if (!NEW_DOC_PURPOSES.includes(c.header.purpose)) return fail(PEER_CODES.newPurpose, PEER_REFUSALS.newPurpose(doc, c.header.purpose));
    if (!afterMeta.ok || afterMeta.value.agency !== peer) return fail(PEER_CODES.notOwn, PEER_REFUSALS.notOwn(doc, peer));
    // A dispatch (發文) brings a decided letter: sent by its mail room once its 發文 entry is signed
    // (status dispatched, dispatch/send.ts), or — as before issue 9 — decided and sent by hand.
    if (c.header.purpose === "dispatch" && !c.state.decision && !c.state.dispatch) return fail(PEER_CODES.notDecided, PEER_REFUSALS.notDecided(doc));
    return addressesUsAsAgency(doc, c.after, c.state, us);
  }
  const beforeMeta = c.ours.metadata();
  const owner = beforeMeta.ok ? beforeMeta.value.agency : null;
  if (!afterMeta.ok || afterMeta.value.agency !== owner) return fail(PEER_CODES.agencyChanged, PEER_REFUSALS.agencyChanged(doc));
  // The peer's own document, which it sent us: it may go on changing it as its relay allows.
  if (owner === peer) return addressesUsAsAgency(doc, c.after, c.state, us);
  for (const id of c.added) {
    const signer = c.state.timeline.find((t) => t.id === id)?.signer;
    if (!signer || signer.agency !== peer) return fail(PEER_CODES.foreignSigner, PEER_REFUSALS.foreignSigner(doc, peer, id));
  }
  return ok(undefined);
}

/** The exchange log shows this document went to the peer, or came from it. */
async function exchanged(store: Store, peer: AgencyCode, doc: DocId): Promise<boolean> {
  const lines = await store.exchanges({ peer, doc, limit: 500 });
  return lines.some((r) => (r.direction === "out" && (r.status === "exported" || r.status === "queued" || r.status === "delivered")) || (r.direction === "in" && r.status === "imported"));
}

/**
 * Another agency's document names this agency only as an agency (`{kind: "agency"}`): a step for one
 * of our people or units by id would put it straight into their inbox, past the registry desk.
 */
function addressesUsAsAgency(doc: DocId, after: CountersignDocument, state: WorkflowState, us: AgencyCode): Result<void> {
  const live = after.plan();
  for (const plan of [state.plan, live.ok ? live.value : null]) {
    if (!plan) continue;
    for (const s of allSteps(plan)) {
      const a = s.assignee;
      if ((a.kind === "person" || a.kind === "unit") && a.agency === us) return fail(PEER_CODES.namesOurs, PEER_REFUSALS.namesOurs(doc, s.id));
    }
  }
  return ok(undefined);
}
