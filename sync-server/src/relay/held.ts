import type { DocId, EntryId, WorkflowState } from "@countersign/crdt-model";
import type { DocStore } from "../storage/types.ts";
import type { HeldRoom } from "./room.ts";
import { writePending, type PendingWrites } from "./pending.ts";

/** One held room and the update the holder checked and stored for it. */
export interface HeldApply {
  doc: DocId;
  room: HeldRoom;
  update: Uint8Array;
  added: EntryId[];
  state: WorkflowState;
}

/**
 * Commits stored updates to many held rooms at once (an envelope's documents). Each room commits its
 * update (Room.commit, the same step as a live update's) and signs its receipts; then writePending
 * records every receipt of every room in one recordReceipts and writes every changed index row in
 * one putIndexes — issued together, so SQLite's group commit puts both in one transaction — and each
 * room stores its receipt update (again one group commit for all). About two fsyncs after the
 * import's own, however many documents and entries.
 *
 * Resolves with the documents that could not be fully applied and why; one room's failure does not
 * keep the others from finishing.
 */
export async function applyHeld(store: DocStore, items: readonly HeldApply[]): Promise<{ doc: DocId; error: unknown }[]> {
  const failed: { doc: DocId; error: unknown }[] = [];
  const prepared: { doc: DocId; w: PendingWrites }[] = [];
  await Promise.all(
    items.map((it) =>
      it.room.applyStored(it.update, it.added, it.state).then(
        (w) => void prepared.push({ doc: it.doc, w }),
        (error: unknown) => void failed.push({ doc: it.doc, error }),
      ),
    ),
  );

  failed.push(...(await writePending(store, prepared)));
  return failed;
}
