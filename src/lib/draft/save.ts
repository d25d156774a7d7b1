// Puts a newly created document into the person's local store — the same y-indexeddb copy and Dexie
// index the document page and batch sync use — so it opens at once, offline too, and its creating
// update waits in the local queue until a sync (or the page's live connection) hands it to the relay.
import { derive, indexRowOf, toBase64, TrustStore, type CountersignDocument, type Refusal } from "@countersign/crdt-model";
import type { LocalDocRow } from "$lib/local/db.ts";
import { localFacts, type LocalStore } from "$lib/local/local-store.ts";

/**
 * The index row of a draft the server has not seen: the model's (indexRowOf, the same function the
 * server indexes with), so the device and the server cannot disagree about who holds it. A new draft
 * has nothing signed, so its state derives without any certificate: an empty trust store is enough.
 */
export async function draftRow(doc: CountersignDocument, now: Date = new Date()): Promise<LocalDocRow | null> {
  if (!doc.metadata().ok) return null;
  const state = await derive(doc, new TrustStore({ cas: [] }));
  const facts = localFacts(doc);
  return { ...indexRowOf(doc, state, now), speed: facts.speed, docNumber: facts.docNumber, sv: facts.sv, access: "edit" };
}

/**
 * Writes the document into the local store as one local change (queued for the server) and indexes
 * it. Refuses an id that already holds a document here, so nothing local is ever overwritten.
 */
export async function saveNewDraft(store: LocalStore, created: CountersignDocument): Promise<{ ok: true } | Refusal> {
  const row = await draftRow(created);
  if (!row) return { ok: false, code: "schema.metadata", reason: "The new document's metadata is invalid." };
  const local = store.openDoc(created.id);
  try {
    await local.ready;
    if (local.doc.metadata().ok || (await store.db.docs.get(created.id))) return { ok: false, code: "draft.exists", reason: `A document ${created.id} already exists on this device.` };
    // Applied without an origin: the store's queue sees it as made on this device.
    const r = local.doc.applyUpdate(created.encodeState());
    if (!r.ok) return r;
    await store.db.docs.put({ ...row, sv: toBase64(local.doc.stateVector()) });
    return { ok: true };
  } finally {
    await local.release();
  }
}
