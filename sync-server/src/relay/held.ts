import type { DocId, EntryId, WorkflowState } from "@countersign/crdt-model";
import type { DocStore, EntryReceipt } from "../storage/types.ts";
import type { HeldRoom, HeldWrites } from "./room.ts";

/** One held room and the update the holder checked and stored for it. */
export interface HeldApply {
  doc: DocId;
  room: HeldRoom;
  update: Uint8Array;
  added: EntryId[];
  state: WorkflowState;
}

/**
 * Applies stored updates to many held rooms at once (an envelope's documents). Each room applies its
 * update and signs its receipts; then writePending records every receipt of every room in one
 * recordReceipts and writes every changed index row in one putIndexes — issued together, so SQLite's
 * group commit puts both in one transaction — and each room stores its receipt update (again one
 * group commit for all). About two fsyncs after the import's own, however many documents and entries.
 *
 * What stays true: a room puts into its document only receipts the store has durably recorded, and
 * the first sighting of each (what recordReceipts returned); a room counts its row as indexed only
 * once it is durable. Resolves with the documents that could not be fully applied and why; one
 * room's failure does not keep the others from finishing.
 */
export async function applyHeld(store: DocStore, items: readonly HeldApply[]): Promise<{ doc: DocId; error: unknown }[]> {
  const failed: { doc: DocId; error: unknown }[] = [];
  const prepared: { doc: DocId; w: HeldWrites }[] = [];
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

/**
 * Writes what rooms have left after storing their updates: every receipt in one recordReceipts and
 * every index row in one putIndexes, issued together (SQLite's group commit puts both in one
 * transaction), then each room's finish — its kept receipts into the document as one update (again
 * one group commit for all rooms). Used by applyHeld for an envelope's rooms and by Room.ingest for
 * one room's update. Resolves with the documents something failed for, and why.
 */
export async function writePending(store: DocStore, prepared: readonly { doc: DocId; w: HeldWrites }[]): Promise<{ doc: DocId; error: unknown }[]> {
  const failed: { doc: DocId; error: unknown }[] = [];
  const signed = prepared.flatMap((p) => p.w.receipts);
  const rows = prepared.flatMap((p) => (p.w.index ? [p.w.index] : []));
  // Most updates (typing) have neither: then no store call at all.
  const [recorded, indexed] = await Promise.allSettled([signed.length ? store.recordReceipts(signed) : [], rows.length ? store.putIndexes(rows) : undefined]);

  let at = 0;
  await Promise.all(
    prepared.map(({ doc, w }) => {
      const count = w.receipts.length;
      const kept: readonly EntryReceipt[] | undefined = recorded.status === "fulfilled" ? recorded.value.slice(at, at + count) : undefined;
      at += count;
      const problem = count && recorded.status === "rejected" ? recorded.reason : w.index && indexed.status === "rejected" ? indexed.reason : undefined;
      if (problem !== undefined) failed.push({ doc, error: problem });
      return w.finish(kept, indexed.status === "fulfilled").catch((error: unknown) => {
        if (problem === undefined) failed.push({ doc, error });
      });
    }),
  );
  return failed;
}
