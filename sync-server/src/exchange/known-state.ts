import * as Y from "yjs";
import { unzipSync } from "fflate";
import type { AgencyCode, DocId } from "@countersign/crdt-model";
import type { ExchangeRecord, Store } from "../storage/types.ts";

/**
 * What a peer agency certainly holds of a document, as a Yjs state vector, so an envelope can carry
 * only what it lacks. Two facts prove the peer holds an update's structs: it sent them to us (the
 * newest envelope we imported from it), or it imported them and said so with a receipt (the newest
 * envelope we sent it that a receipt acknowledged). Yjs keeps each client's structs contiguous from
 * clock 0, and `encodeStateVectorFromUpdate` counts only runs that start at 0, so the state vector
 * of such an update is a lower bound of the peer's, also for deltas; the two are merged by maximum.
 *
 * Unsure — nothing exchanged, envelope bytes gone — means undefined: send the full state.
 * A peer restored from an old backup refuses the delta ("depends on changes this agency does not
 * have"); the sender then exports again with `full`.
 */
export async function knownPeerState(store: Store, peer: AgencyCode, doc: DocId): Promise<Uint8Array | undefined> {
  const about = await store.exchanges({ peer, doc, limit: 100 });
  const fromPeer = about.find((r) => r.direction === "in" && r.status === "imported" && r.envelope);
  const acknowledged = await acknowledgedBy(store, peer);
  const toPeer = about.find((r) => r.direction === "out" && (r.status === "exported" || r.status === "delivered") && r.envelope && acknowledged.has(r.envelope));
  const vectors: Map<number, number>[] = [];
  for (const r of [fromPeer, toPeer]) {
    if (!r?.envelope) continue;
    const update = await updateIn(store, r.envelope, doc);
    if (update) vectors.push(Y.decodeStateVector(Y.encodeStateVectorFromUpdate(update)));
  }
  if (vectors.length === 0) return undefined;
  const merged = new Map<number, number>();
  for (const v of vectors) for (const [client, clock] of v) merged.set(client, Math.max(clock, merged.get(client) ?? 0));
  if (merged.size === 0) return undefined;
  return encodeStateVector(merged);
}

/** Ids of our envelopes the peer acknowledged with a receipt. */
export async function acknowledgedBy(store: Store, peer: AgencyCode): Promise<Set<string>> {
  const receipts = await store.exchanges({ peer, direction: "in", limit: 1000 });
  return new Set(receipts.filter(isReceipt).map((r) => r.answers!));
}

function isReceipt(r: ExchangeRecord): boolean {
  return r.status === "imported" && r.purpose === "receipt" && r.answers !== null;
}

/**
 * The update of one document in an envelope this store keeps: bytes we signed or already verified,
 * so fflate may read them; only that entry is inflated.
 */
async function updateIn(store: Store, envelope: string, doc: DocId): Promise<Uint8Array | undefined> {
  const bytes = await store.envelopeBytes(envelope);
  if (!bytes) return undefined;
  const path = `docs/${doc}/update.bin`;
  try {
    return unzipSync(bytes, { filter: (f) => f.name === path })[path];
  } catch {
    // Kept encrypted, or damaged: then we are unsure, and the full state goes.
    return undefined;
  }
}

function encodeStateVector(sv: Map<number, number>): Uint8Array {
  // Y.encodeStateVector takes a doc or a map of client → clock.
  return Y.encodeStateVector(sv);
}
