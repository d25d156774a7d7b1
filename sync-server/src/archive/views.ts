// 調閱: an archives person opening an archived document. Every one is recorded (who, which, when:
// the store's archive_views, append-only), and recording one is what opens the document: the relay,
// the batch sync and the attachment download let an archives person who does not otherwise take part
// read an archived document only within VIEW_GRANT_MS of a 調閱 they recorded (relay/authz.ts
// `opens`). So no archived document is read through the archives role without a line saying so.
import type { DocId, PersonId } from "@countersign/crdt-model";
import type { ArchiveStore, ArchiveView } from "../storage/types.ts";

/** How long one recorded 調閱 lets its person read the document: a working day. */
export const VIEW_GRANT_MS = 8 * 3600_000;

/** Records a 調閱 at `now`; returns the record. */
export async function recordView(store: ArchiveStore, doc: DocId, person: PersonId, now: Date): Promise<ArchiveView> {
  const v: ArchiveView = { doc, person, at: now.toISOString() };
  const seq = await store.recordView(v);
  return { ...v, seq };
}

/** Whether `person` recorded a 調閱 of `doc` that still lets them read it at `now`. */
export async function viewGranted(store: ArchiveStore, doc: DocId, person: PersonId, now: Date): Promise<boolean> {
  const since = new Date(now.getTime() - VIEW_GRANT_MS).toISOString();
  return (await store.views({ doc, person, since, limit: 1 })).length > 0;
}
