import * as Y from "yjs";
import { errorMessage, type UpdateShape, freshYDoc } from "@countersign/crdt-model";

/**
 * Whether a Yjs copy holds structs or deletions waiting for changes it lacks, and how to keep the
 * room's copies free of them. Yjs keeps what it cannot integrate yet ("pending") and integrates it
 * silently the moment the missing clock arrives — so a struct written ahead of someone's next
 * clock (the server's own, when it next writes a receipt) would later land inside *their* change,
 * past every check. What must stay true: the room's document never holds pending structs or
 * deletions that a client sent; the relay refuses such an update (pendingFrom) and a room loading
 * stored updates drops what cannot be integrated, after logging it (loadStored).
 */

interface PendingStore {
  pendingStructs: { missing: Map<number, number>; update: Uint8Array } | null;
  pendingDs: Uint8Array | null;
}
const pendingOf = (doc: Y.Doc): PendingStore => doc.store as unknown as PendingStore;

/**
 * After `update` (written as `shape` says) was applied to `doc`: what of it Yjs could not integrate,
 * as a phrase, or undefined when all of it was. Only the update's own structs and deletions count
 * (a scaled-out room may briefly hold another process's pending structs).
 */
export function pendingFrom(doc: Y.Doc, update: Uint8Array, shape: UpdateShape): string | undefined {
  const s = pendingOf(doc);
  if (s.pendingStructs) {
    // Yjs keeps what is pending in the v2 update encoding.
    for (const w of Y.decodeUpdateV2(s.pendingStructs.update).structs) {
      if (w instanceof Y.Skip) continue;
      const mine = shape.writes.get(w.id.client);
      if (mine && w.id.clock < mine.to && w.id.clock + w.length > mine.from) {
        const have = Y.getState(doc.store, w.id.client);
        return `Yjs client ${w.id.client} continues at clock ${mine.from} where the server holds ${have}, or refers to changes it lacks`;
      }
    }
  }
  if (s.pendingDs) {
    const waiting = Y.decodeUpdateV2(s.pendingDs).ds.clients;
    const deletes = Y.decodeUpdate(update).ds.clients;
    for (const [client, ranges] of deletes) {
      const other = waiting.get(client);
      if (!other) continue;
      for (const r of ranges) for (const o of other) if (r.clock < o.clock + o.len && r.clock + r.len > o.clock) return `it deletes changes of Yjs client ${client} the server does not hold`;
    }
  }
  return undefined;
}

/**
 * A document from its stored updates, as a room loads it. Normally the merged updates apply in one
 * go with nothing pending. Otherwise (updates an older server stored, a damaged row) each is applied
 * in order, one that throws is skipped, and whatever is still pending at the end is dropped from
 * the copy — it stays in the store for an administrator to look at, but is never served, and
 * nothing later completes it. `problems` says what was left out, for the log.
 */
export function loadStored(updates: readonly Uint8Array[], origin: unknown): { ydoc: Y.Doc; problems: string[] } {
  const problems: string[] = [];
  let ydoc = freshYDoc({ gc: true });
  if (!updates.length) return { ydoc, problems };
  try {
    Y.applyUpdate(ydoc, updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates as Uint8Array[]), origin);
  } catch (e) {
    problems.push(`the stored updates do not apply together (${errorMessage(e)}); applied one by one`);
    ydoc.destroy();
    ydoc = freshYDoc({ gc: true });
    let good = Y.encodeStateAsUpdate(ydoc);
    updates.forEach((u, i) => {
      try {
        Y.applyUpdate(ydoc, u, origin);
        good = Y.encodeStateAsUpdate(ydoc);
      } catch (err) {
        problems.push(`stored update ${i + 1} of ${updates.length} was left out: ${errorMessage(err)}`);
        // A throw may leave the copy mid-transaction: start again from the last good state.
        ydoc.destroy();
        ydoc = freshYDoc({ gc: true });
        Y.applyUpdate(ydoc, good, origin);
      }
    });
  }
  const s = pendingOf(ydoc);
  if (s.pendingStructs) {
    const missing = [...s.pendingStructs.missing].map(([client, clock]) => `client ${client} clock ${clock}`).join(", ");
    problems.push(`stored structs wait for changes nobody stored (${missing}); they are not served`);
    s.pendingStructs = null;
  }
  if (s.pendingDs) {
    problems.push("stored deletions refer to changes nobody stored; they are not served");
    s.pendingDs = null;
  }
  return { ydoc, problems };
}
