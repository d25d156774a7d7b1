// 發文 to other agencies (issue 9): once a valid 發文 entry is committed (relay/room.ts calls
// `onDispatched`, server side — the client is never trusted to ask), each 正本/副本 recipient of the
// letter (its signed metadata's `recipients`) that is an agency in the federation trust list gets a
// signed envelope with purpose "dispatch": queued in the outbox when its server has an address, else
// left as an exported file the mail room hands over. Recipients that are not in the trust list (a
// person, a unit, an agency we do not exchange with) are for paper dispatch: GET /api/dispatch/:id/files.
//
// What must stay true:
// - one envelope per document × recipient agency: an agency the exchange log already shows a
//   "dispatch" of this document to is skipped, so a retried or repeated call sends nothing twice
//   (two server processes racing on the same entry could both send; the receiver's import of the
//   second is a no-op on a document it already holds);
// - a classified (密) letter leaves only encrypted for the recipient (the envelope builder refuses
//   it otherwise);
// - nothing here throws into the relay: failures are logged per recipient and the others go on;
// - a stop between the commit and the queueing loses nothing: when the server starts it runs
//   `resumeDispatches` over the letters dispatched in the last RESUME_DAYS days that were never
//   gone through (`dispatch:sent:<doc>`); a letter gone through is never sent again by itself.
import type { BaseLogger as Logger } from "pino";
import { errorMessage, parseAgencyCode, type AgencyCode, type CountersignDocument, type DocId } from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";
import type { Exchange } from "../exchange/service.ts";
import type { OutboxWorker } from "../exchange/outbox.ts";
import type { Rooms } from "../relay/rooms.ts";
import { currentDoc } from "../exchange/docs.ts";
import { envelopeMediaType } from "../exchange/http-support.ts";

export interface DispatchSendDeps {
  store: Store;
  rooms: Rooms;
  exchange: Exchange;
  outbox: OutboxWorker;
  agency: AgencyCode;
  log: Logger;
}

/** What became of one recipient agency. */
export interface DispatchOutcome {
  agency: AgencyCode;
  outcome: "queued" | "file" | "already-sent" | "not-a-peer" | "failed";
  envelope?: string;
  detail?: string;
}

/** The agencies (by code, once each, not ourselves) a letter is addressed to, 正本 and 副本. */
export function recipientAgencies(doc: CountersignDocument, us: AgencyCode): AgencyCode[] {
  const meta = doc.metadata();
  if (!meta.ok) return [];
  const out = new Set<AgencyCode>();
  for (const r of meta.value.recipients ?? []) {
    if (r.kind !== "agency" || !r.agencyCode) continue;
    const code = parseAgencyCode(r.agencyCode);
    if (code.ok && code.value !== us) out.add(code.value);
  }
  return [...out];
}

/** Sends a dispatched document to every recipient agency in the trust list; see the module comment. */
export async function sendDispatch(d: DispatchSendDeps, id: DocId): Promise<DispatchOutcome[]> {
  const doc = await currentDoc(d.store, d.rooms, id);
  if (!doc) return [];
  const meta = doc.metadata();
  // Only this agency's own letters: another agency's dispatched document we hold is never forwarded.
  if (!meta.ok || meta.value.agency !== d.agency) return [];
  const encrypt = meta.value.secrecy !== "none";
  const out: DispatchOutcome[] = [];
  for (const agency of recipientAgencies(doc, d.agency)) {
    try {
      out.push(await sendTo(d, id, agency, encrypt));
    } catch (e) {
      out.push({ agency, outcome: "failed", detail: errorMessage(e) });
    }
  }
  for (const o of out) {
    if (o.outcome === "failed") d.log.error({ doc: id, agency: o.agency, detail: o.detail }, "dispatch: the envelope to a recipient agency could not be made");
    else d.log.info({ doc: id, agency: o.agency, outcome: o.outcome, envelope: o.envelope }, "dispatch: recipient agency");
  }
  // Done with this letter: a later start does not send it again — not even to an agency that has
  // become a peer since, which got it on paper.
  await d.store.setSetting(sentKey(id), JSON.stringify({ at: new Date().toISOString(), outcomes: out.map((o) => [o.agency, o.outcome]) }));
  return out;
}

/** Set once `sendDispatch` went through a letter's recipients (dispatch/README.md). */
export const sentKey = (doc: DocId): string => `dispatch:sent:${doc}`;

/** How far back `resumeDispatches` looks when the server starts. */
export const RESUME_DAYS = 14;

/**
 * When the server starts: sends what a stop cut short — every letter of ours dispatched in the last
 * RESUME_DAYS days (by its index row) that `sendDispatch` never finished (no `dispatch:sent:<doc>`)
 * goes through it again, which sends only to the recipient agencies the exchange log shows nothing
 * for. Returns how many documents it sent again.
 */
export async function resumeDispatches(d: DispatchSendDeps, now: Date): Promise<number> {
  const since = new Date(now.getTime() - RESUME_DAYS * 86400_000).toISOString();
  const rows = await d.store.queryIndex({ status: ["dispatched"], limit: 20_000 });
  let n = 0;
  for (const row of rows) {
    if (!row.dispatchedAt || row.dispatchedAt < since || (await d.store.getSetting(sentKey(row.doc)))) continue;
    n++;
    await sendDispatch(d, row.doc).catch((e: unknown) => d.log.error({ doc: row.doc, err: errorMessage(e) }, "dispatch: resuming failed"));
  }
  return n;
}

async function sendTo(d: DispatchSendDeps, doc: DocId, agency: AgencyCode, encrypt: boolean): Promise<DispatchOutcome> {
  const peer = await d.store.peer(agency);
  if (!peer || peer.removedAt) return { agency, outcome: "not-a-peer" };
  const sent = (await d.store.exchanges({ doc, peer: agency, direction: "out", limit: 500 })).find(
    (r) => r.purpose === "dispatch" && (r.status === "exported" || r.status === "queued" || r.status === "delivered"),
  );
  if (sent) return { agency, outcome: "already-sent", envelope: sent.envelope ?? undefined };
  const made = await d.exchange.exportEnvelope({ docs: [doc], to: agency, purpose: "dispatch", answers: null, encrypt });
  if (!made.ok) return { agency, outcome: "failed", detail: `${made.code}: ${made.reason}` };
  const { id, bytes } = made.value;
  if (!peer.url) return { agency, outcome: "file", envelope: id };
  await d.outbox.enqueue({
    envelope: id,
    peer: agency,
    bytes,
    purpose: "dispatch",
    answers: null,
    docs: [doc],
    encrypted: envelopeMediaType(bytes) !== "application/vnd.countersign.envelope+zip",
  });
  return { agency, outcome: "queued", envelope: id };
}
