import * as Y from "yjs";
import {
  CountersignDocument,
  exportDiContent,
  exportSw,
  fail,
  ok,
  parseEntry,
  utf8,
  type DocId,
  type Recipient,
  type Result,
  type Sha256Hex,
} from "@countersign/crdt-model";
import type { Store } from "../storage/types.ts";
import type { Rooms } from "../relay/rooms.ts";
import { validateXml } from "./dtd.ts";
import { taipeiDate } from "../http/taipei.ts";

/** Today in Taiwan as YYYY-MM-DD, the date a DI is written with (http/taipei.ts). */
export { taipeiDate };

/**
 * A document as this agency holds it now: the loaded room's copy when there is one (it may hold
 * updates a client sent a moment ago), else the store's updates merged. A copy: reading it changes
 * nothing, and the caller may keep it while the room moves on.
 */
export async function currentDoc(store: Store, rooms: Rooms | undefined, id: DocId): Promise<CountersignDocument | undefined> {
  const room = await rooms?.ifLoaded(id);
  if (room && !room.closed && room.exists) return copy(room.doc.encodeState());
  const stored = await store.readUpdates(id);
  if (stored.length === 0) return undefined;
  return copy(stored.length === 1 ? stored[0]!.data : Y.mergeUpdates(stored.map((u) => u.data)));
}

function copy(update: Uint8Array): CountersignDocument | undefined {
  const d = CountersignDocument.fromUpdate(update);
  return d.ok ? d.value : undefined;
}

/** The attachments the document references that the store holds, by SHA-256. */
export async function heldAttachments(store: Store, doc: CountersignDocument): Promise<Map<Sha256Hex, Uint8Array>> {
  const refs = doc.attachments();
  const held = await store.hasBlobs(refs.map((r) => r.sha256));
  const out = new Map<Sha256Hex, Uint8Array>();
  for (const r of refs) {
    if (!held.has(r.sha256) || out.has(r.sha256)) continue;
    const data = await store.getBlob(r.sha256);
    // Carried only with the size the document gives: the envelope builder refuses any other.
    if (data && data.length === r.size) out.set(r.sha256, data);
  }
  return out;
}

/**
 * Whether we send this document's DI: a 函, 書函 or 簽, not classified, that this agency drafted.
 * The DI names its 發文機關; another agency's document going back to it (a countersign reply)
 * travels without one rather than under our name.
 */
export function hasDi(doc: CountersignDocument, ourAgency: string): boolean {
  const m = doc.metadata();
  return m.ok && m.value.agency === ourAgency && m.value.secrecy === "none" && (m.value.kind === "letter" || m.value.kind === "brief-letter" || m.value.kind === "memo");
}

/**
 * The 發文字號 and 發文日期 the document's 發文 entry signed, if it has one. Read from the chain
 * without verifying it again: every entry of a document of ours was verified by the relay on its way
 * in, and its 發文字號 is one this server reserved for it (relay/dispatch-check.ts).
 */
export function signedDispatch(doc: CountersignDocument): { number: string; date: string } | undefined {
  for (const [key, raw] of doc.rawEntries()) {
    const e = parseEntry(raw, key);
    const a = e.ok ? e.value.entry.payload.action : undefined;
    if (a?.kind === "dispatch" && a.number && a.date) return { number: a.number, date: a.date };
  }
  return undefined;
}

/**
 * The DI XML and SW roster of a 函 or 簽 addressed to `to`, both checked against the official DTDs
 * before they leave: we never send what we would refuse on import.
 */
export function diFor(
  doc: CountersignDocument,
  o: { agencyName: string; to: { code: string; name: string }; now: Date },
): Result<{ di: Uint8Array; sw: Uint8Array }> {
  const recipients: Recipient[] = [{ delivery: "original", kind: "agency", name: o.to.name, agencyCode: o.to.code }];
  // A dispatched letter carries the 發文字號 and 發文日期 its 發文 entry signed (the content, fixed at
  // the decision, has the 文號 it was drafted with, often none).
  const content = doc.content();
  if (!content.ok) return fail(content.code, `Document ${doc.id} cannot be exported as DI: ${content.reason}`);
  const dispatched = signedDispatch(doc);
  const numbered = dispatched ? { ...content.value, metadata: { ...content.value.metadata, docNumber: dispatched.number } } : content.value;
  const di = exportDiContent(numbered, { agencyName: o.agencyName, recipients, date: dispatched?.date ?? taipeiDate(o.now) });
  if (!di.ok) return fail(di.code, `Document ${doc.id} cannot be exported as DI: ${di.reason}`);
  const sw = exportSw(recipients);
  if (!sw.ok) return fail(sw.code, `Document ${doc.id}: its SW roster cannot be written: ${sw.reason}`);
  const diBytes = utf8(di.value.xml);
  const swBytes = utf8(sw.value.xml);
  const checkedDi = validateXml("DI", diBytes, doc.id);
  if (!checkedDi.ok) return checkedDi;
  const checkedSw = validateXml("SW", swBytes, doc.id);
  if (!checkedSw.ok) return checkedSw;
  return ok({ di: diBytes, sw: swBytes });
}
