// Hand-made hostile Yjs updates, shared by the model's structure tests and the relay's attack tests
// and fuzzer: what a modified client can send that a stock Yjs client never would.
import * as Y from "yjs";
import * as encoding from "lib0/encoding";

/**
 * `depth` maps nested in each other under the top-level map `root`, built on a copy of `base`; the
 * update only. With `deleteRoot`, the update also deletes the outermost map — what made applying it
 * overflow the stack of whoever applies it.
 */
export function deepNesting(base: Y.Doc, root: string, depth: number, deleteRoot = false): Uint8Array {
  const d = new Y.Doc();
  Y.applyUpdate(d, Y.encodeStateAsUpdate(base));
  const sv = Y.encodeStateVector(d);
  const first = Y.getState(d.store, d.clientID);
  d.transact(() => {
    let m = new Y.Map<unknown>();
    d.getMap(root).set("x", m);
    for (let i = 1; i < depth; i++) {
      const next = new Y.Map<unknown>();
      m.set("x", next);
      m = next;
    }
  });
  const update = Y.encodeStateAsUpdate(d, sv);
  // Deleting the root in this copy would overflow this copy's own stack: the deletion is written by hand.
  return deleteRoot ? Y.mergeUpdates([update, deletion(d.clientID, first)]) : update;
}

/** An update that only deletes `len` structs of `client` from `clock` on (no structs of its own). */
export function deletion(client: number, clock: number, len = 1): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, 0); // no structs
  encoding.writeVarUint(e, 1); // one client in the delete set
  encoding.writeVarUint(e, client);
  encoding.writeVarUint(e, 1); // one range
  encoding.writeVarUint(e, clock);
  encoding.writeVarUint(e, len);
  return encoding.toUint8Array(e);
}
