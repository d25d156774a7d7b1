import * as Y from "yjs";
import type { DocId } from "@countersign/crdt-model";
import type { AnswerInput, BodyInput } from "@countersign/contract";
import type { ArchiveStore, DocStore } from "../storage/types.ts";
import { access, opens, type Principal } from "../relay/authz.ts";
import type { Rooms } from "../relay/rooms.ts";

/**
 * Batch sync (POST /api/sync, version 1): a device that was offline sends the state vectors of the
 * documents it holds and its pending updates for many documents at once, and gets back what it lacks
 * — hundreds of documents in one request instead of a socket each.
 *   request  { v: 1, push: [{ doc, update }], have: [{ doc, sv }] }        (base64 binary)
 *   response { v: 1, pushed: [{ doc, ok, code?, reason? }], docs: [{ doc, update }], denied: [doc] }
 * The shapes are the contract's (@countersign/contract schemas.docs). Pushed updates go through the
 * same ingest rules as the relay; each document is all-or-nothing.
 */
export type BatchRequest = { v: 1; push: { doc: DocId; update: string }[]; have: { doc: DocId; sv: string; seq?: number }[] };
export type BatchResponse = AnswerInput<"sync">;
/** What a client sends (push and have may be left out). */
export type BatchRequestInput = BodyInput<"sync">;

// Node's own base64 (native, and many times faster than the model's portable one on big batches).
const toBase64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
function fromBase64(s: string): Uint8Array {
  const b = Buffer.from(s, "base64");
  // Buffer.from ignores junk; refuse anything that does not round-trip (modulo padding).
  if (b.toString("base64").replace(/=+$/, "") !== s.replace(/=+$/, "")) throw new Error("not base64");
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** Documents of one batch received at once (enough to fill a group commit; rooms load as they come). */
const PUSH_CONCURRENCY = 32;

export async function batchSync(rooms: Rooms, store: DocStore & ArchiveStore, who: Principal, req: BatchRequest): Promise<BatchResponse> {
  const res = { v: 1 as const, pushed: [] as BatchResponse["pushed"], docs: [] as BatchResponse["docs"], denied: [] as DocId[] };
  const denied = new Set<DocId>();
  // Pushing to a document that does not exist yet ("create") is for the room to decide: it takes
  // only a creation this person is entitled to (relay/authz.ts mayCreate). Reading needs "edit", or
  // "read" with a recorded 調閱 of an archived document (authz.ts opens); pushing needs "edit".
  const now = new Date();
  const allowed = async (doc: DocId, want: "push" | "read") => {
    if (denied.has(doc)) return false;
    const row = await store.getIndex(doc);
    const a = access(who, row);
    const ok = a === "edit" || (want === "push" && a === "create") || (want === "read" && a === "read" && (await opens(store, who, row, now)));
    if (!ok) denied.add(doc);
    return ok;
  };

  // Documents are received side by side, a few dozen at a time: each room's writes (its update, its
  // index row, a new document's 文號) then share group commits with the others' instead of waiting
  // for a commit of their own one document after another (500 new documents took 11 s, nearly all
  // of it idle). One document's pushes stay in their order, on its room's queue; the answer keeps
  // the request's order.
  const results: (BatchResponse["pushed"][number] | undefined)[] = new Array(req.push.length);
  const byDoc = new Map<DocId, number[]>();
  req.push.forEach((p, i) => byDoc.set(p.doc, [...(byDoc.get(p.doc) ?? []), i]));
  const pushDoc = async (doc: DocId, indexes: readonly number[]) => {
    for (const i of indexes) {
      if (!(await allowed(doc, "push"))) return;
      let update: Uint8Array;
      try {
        update = fromBase64(req.push[i]!.update);
      } catch {
        results[i] = { doc, ok: false, code: "http.malformed-request", reason: "The update is not base64." };
        continue;
      }
      const room = await rooms.get(doc);
      const r = await room.receive(update, null, who);
      results[i] = r.ok ? { doc, ok: true } : { doc, ok: false, code: r.code, reason: r.reason };
    }
  };
  const docs = [...byDoc];
  let next = 0;
  let failed = false;
  const worker = async () => {
    // A failure answers the whole request with an error (as before): the other workers take no more.
    while (next < docs.length && !failed) {
      const [doc, indexes] = docs[next++]!;
      await pushDoc(doc, indexes).catch((e: unknown) => {
        failed = true;
        throw e;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(PUSH_CONCURRENCY, docs.length) }, worker));
  for (const r of results) if (r) res.pushed.push(r);

  // Read before the answers are computed: an update stored meanwhile is in the answer but not
  // under its seq, so the client asks about it again rather than never.
  const latest = req.have.length ? await store.latestSeqs(req.have.map((h) => h.doc)) : new Map<DocId, number>();
  for (const h of req.have) {
    const doc = h.doc;
    if (!(await allowed(doc, "read"))) continue;
    const seq = latest.get(doc);
    // Nothing stored since the client's seq: it holds everything (no read, no diff). A full sync of
    // 10,000 documents otherwise re-sent every document with a deletion (a state vector cannot show
    // a deletion is known) and the device re-checked each one.
    if (h.seq !== undefined && seq !== undefined && seq <= h.seq) continue;
    let sv: Uint8Array;
    try {
      sv = fromBase64(h.sv);
    } catch {
      continue;
    }
    const diff = await missing(rooms, store, doc, sv);
    if (diff) res.docs.push(seq === undefined ? { doc, update: toBase64(diff) } : { doc, update: toBase64(diff), seq });
  }
  res.denied = [...denied];
  return res;
}

/**
 * What a client with state vector `sv` lacks. A document not loaded is answered from its stored
 * updates without building a Y.Doc, so a large batch does not fill memory with rooms.
 */
async function missing(rooms: Rooms, store: DocStore, doc: DocId, sv: Uint8Array): Promise<Uint8Array | undefined> {
  const room = await rooms.ifLoaded(doc);
  let diff: Uint8Array;
  try {
    if (room && !room.closed) diff = room.doc.encodeState(sv);
    else {
      const stored = await store.readUpdates(doc);
      if (!stored.length) return undefined;
      diff = Y.diffUpdate(stored.length === 1 ? stored[0]!.data : Y.mergeUpdates(stored.map((u) => u.data)), sv);
    }
  } catch {
    return undefined; // a malformed state vector: nothing can be computed for it
  }
  const d = Y.decodeUpdate(diff);
  return d.structs.length || d.ds.clients.size ? diff : undefined;
}
