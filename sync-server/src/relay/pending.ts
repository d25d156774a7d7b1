import type { DocId, TimeFacts } from "@countersign/crdt-model";
import type { DocIndexRow, DocStore, EntryReceipt, TimeFactsStore } from "../storage/types.ts";

/**
 * What a room has left to write after it committed a checked, stored update (Room.commit, for the
 * live path and the envelope path alike): nothing of it is written yet.
 */
export interface PendingWrites {
  /** Signed receipts for the new entries, to record (recordReceipts). */
  readonly receipts: readonly EntryReceipt[];
  /** The document's index row, when it changed. */
  readonly index: DocIndexRow | undefined;
  /** The document's time facts (RoomDeps.timeFacts), when derived: written with the receipts and the row. */
  readonly facts?: TimeFacts;
  /**
   * Once written: `kept` is what recordReceipts returned for `receipts` (undefined: they were not
   * recorded), `indexed` whether `index` is durable. Puts the kept receipts into the document and
   * stores that update; compacts when due.
   */
  finish(kept: readonly EntryReceipt[] | undefined, indexed: boolean): Promise<void>;
}

/**
 * Writes what rooms have left after committing their updates: every receipt in one recordReceipts
 * and every index row in one putIndexes, issued together (SQLite's group commit puts both in one
 * transaction), then each room's finish — its kept receipts into the document as one update (again
 * one group commit for all rooms). Used by Room.ingest for one room's update and by applyHeld
 * (held.ts) for an envelope's rooms. Resolves with the documents something failed for, and why.
 *
 * What stays true: a room puts into its document only receipts the store has durably recorded, and
 * the first sighting of each (what recordReceipts returned); a room counts its row as indexed only
 * once it is durable.
 */
export async function writePending(store: DocStore & Partial<Pick<TimeFactsStore, "putTimeFacts">>, prepared: readonly { doc: DocId; w: PendingWrites }[]): Promise<{ doc: DocId; error: unknown }[]> {
  const failed: { doc: DocId; error: unknown }[] = [];
  const signed = prepared.flatMap((p) => p.w.receipts);
  const rows = prepared.flatMap((p) => (p.w.index ? [p.w.index] : []));
  const facts = prepared.flatMap((p) => (p.w.facts ? [p.w.facts] : []));
  // Time facts ride in the same group commit (SQLite) as the receipts and rows. A failure to write
  // them fails nothing else: the document is stored, and the next change or start writes them again.
  const factsWritten = facts.length && store.putTimeFacts ? store.putTimeFacts(facts).catch(() => undefined) : undefined;
  // Most updates (typing) have neither: then no store call at all.
  const [recorded, indexed] = await Promise.allSettled([signed.length ? store.recordReceipts(signed) : [], rows.length ? store.putIndexes(rows) : undefined]);

  await factsWritten;
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
