// Batch sync (POST /api/sync) for every document in the user's scope: refresh the index from the
// server (incrementally: what changed since the last listing's cursor), send the changes waiting
// here, tell the server what we hold (state vectors) and apply what it sends back. pushOnce sends
// the queue only (after an action made here). Live co-editing of an open document (y-websocket, $lib/doc/live-doc.svelte.ts) is
// the other path into the same local copies.
import * as Y from "yjs";
import { fromBase64, toBase64, type Code } from "@countersign/crdt-model";
import type { BatchRequest, BatchResponse, ServerIndexRow } from "$lib/api/types.ts";
import type { CallOptions } from "$lib/api/client.ts";
import type { LocalStore } from "./local-store.ts";
import { refusalFromBody } from "$lib/refusals/decode.ts";
import { clearSyncTimings, timed } from "./timing.ts";

export type Api = <T>(path: string, o?: Omit<CallOptions, "token">) => Promise<T>;

/** Documents per request: well under the server's 2,000 and its 64 MiB body limit. */
export const BATCH_DOCS = 500;
/**
 * State vectors asked about per request: the server's most (2,000). They are a few dozen bytes each
 * and an unchanged document is answered with nothing, while every round costs the device a re-read
 * of the index by the open inbox: 20 rounds of 500 took ~1.4 s each for 10,000 documents.
 */
export const HAVE_DOCS = 2000;
const EMPTY_SV = toBase64(Y.encodeStateVector(new Y.Doc()));

export interface SyncReport {
  pushed: number;
  pulled: number;
  refused: { doc: string; code: Code; reason: string }[];
}

/** One page of GET /api/docs or /api/inbox: `next` continues the listing; null means it is complete. */
interface IndexPage {
  docs: ServerIndexRow[];
  next?: string | null;
  /** Send as `?since=` next time (servers before incremental listings send none). */
  cursor?: string;
  /** With `?since=`: documents that have left this person's scope. */
  removed?: string[];
}

/** How far a sync has come, for the header (the first sync of thousands of documents takes a while). */
export interface SyncProgress {
  /** Documents read from the server's listings so far (one listed by both counts once). */
  listed: number;
  /** Documents downloaded so far, of those asked for. */
  pulled: number;
  asked: number;
}

/** Meta keys: the listings' cursor, and when the whole scope was last listed. */
const CURSOR = "listCursor";
const LISTED_ALL_AT = "listedAllAt";
/** The whole scope is listed again this often (a change of this person's unit or roles moves no row). */
export const LIST_ALL_EVERY_MS = 60 * 60_000;

export interface SyncOptions {
  onProgress?: (p: SyncProgress) => void;
  /**
   * Ask the server about every document held (state vectors of all), not only those its listing says
   * changed: on start, on coming back online, and now and then (an edit of the text alone moves no
   * index row, so only this finds it for a document not open here).
   */
  full?: boolean;
  /**
   * Documents whose queued changes the live connection is sending (live-ack.ts): left out of the
   * push, so one change goes out once. Their rows leave the queue when the relay acknowledges them.
   */
  sentLive?: (doc: string) => boolean;
}

/**
 * Reads a whole listing page by page, handing each page over as it arrives (the inbox fills in
 * while the rest is read). Throws if any page fails: a listing read only in part must never be
 * taken for the complete one. `since`: only what changed since that cursor.
 */
async function readListing(api: Api, path: string, since: string | null, onPage: (rows: ServerIndexRow[]) => Promise<void>): Promise<{ cursor: string | null; removed: string[] }> {
  let after: string | null = "";
  const seen = new Set<string>();
  let cursor: string | null = null;
  const removed: string[] = [];
  while (after !== null) {
    const q = [after ? `after=${encodeURIComponent(after)}` : "", since ? `since=${encodeURIComponent(since)}` : ""].filter(Boolean).join("&");
    const page: IndexPage = await api<IndexPage>(q ? `${path}?${q}` : path);
    // The first page's cursor: anything changed while later pages were read is seen next time.
    cursor ??= page.cursor ?? null;
    removed.push(...(page.removed ?? []));
    await onPage(page.docs);
    const next: string | null = page.next ?? null;
    // A server that repeats a cursor would page forever; stop and treat the listing as incomplete.
    if (next !== null && seen.has(next)) throw new Error(`The server's listing ${path} repeated a page.`);
    if (next !== null) seen.add(next);
    after = next;
  }
  return { cursor, removed };
}

/** The queued changes, merged per document; the sequence numbers say which rows a request answers. */
async function queued(store: LocalStore, sentLive: (doc: string) => boolean) {
  const pending = (await store.db.pending.toArray()).filter((p) => !p.refused && !sentLive(p.doc));
  const byDoc = new Map<string, { seqs: number[]; updates: Uint8Array[] }>();
  for (const p of pending) {
    const g = byDoc.get(p.doc) ?? { seqs: [], updates: [] };
    g.seqs.push(p.seq!);
    g.updates.push(p.update);
    byDoc.set(p.doc, g);
  }
  return byDoc;
}

/** Takes the server's answer to the pushed changes: acknowledged ones leave the queue, refused ones are kept with the reason. */
async function settlePushed(store: LocalStore, res: BatchResponse, byDoc: Map<string, { seqs: number[] }>, report: SyncReport): Promise<void> {
  // Acknowledged changes leave the queue in one write (the header's pending count follows it live).
  const acknowledged = res.pushed.filter((p) => p.ok).flatMap((p) => byDoc.get(p.doc)?.seqs ?? []);
  if (acknowledged.length) await store.db.pending.bulkDelete(acknowledged);
  for (const p of res.pushed) {
    const seqs = byDoc.get(p.doc)?.seqs ?? [];
    if (p.ok) {
      report.pushed++;
    } else {
      // Kept with the code and reason, never dropped: the document page shows it and offers what to do.
      const { code, reason } = refusalFromBody(p, "refused");
      await store.db.pending.where("seq").anyOf(seqs).modify({ refused: reason, refusedCode: code });
      report.refused.push({ doc: p.doc, code, reason });
    }
  }
}

/**
 * Sends the queued changes only (after an action made here): no listing, no state vectors. Changes
 * the live connection is sending are left to it (`sentLive`).
 */
export async function pushOnce(store: LocalStore, api: Api, o: Pick<SyncOptions, "sentLive"> = {}): Promise<SyncReport> {
  await store.migrated();
  const report: SyncReport = { pushed: 0, pulled: 0, refused: [] };
  const byDoc = await queued(store, o.sentLive ?? (() => false));
  const docs = [...byDoc.keys()];
  for (let i = 0; i < docs.length; i += BATCH_DOCS) {
    const part = docs.slice(i, i + BATCH_DOCS);
    const push = part.map((doc) => ({ doc, update: toBase64(Y.mergeUpdates(byDoc.get(doc)!.updates)) }));
    const res = await api<BatchResponse>("/api/sync", { body: { v: 1, push, have: [] } satisfies BatchRequest, timeoutMs: 120_000 });
    await settlePushed(store, res, byDoc, report);
  }
  return report;
}

export async function syncOnce(store: LocalStore, api: Api, onProgressOrOptions: ((p: SyncProgress) => void) | SyncOptions = {}): Promise<SyncReport> {
  const o: SyncOptions = typeof onProgressOrOptions === "function" ? { onProgress: onProgressOrOptions, full: true } : onProgressOrOptions;
  const onProgress = o.onProgress ?? (() => {});
  const progress: SyncProgress = { listed: 0, pulled: 0, asked: 0 };
  clearSyncTimings();
  await store.migrated(); // copies of an earlier version are moved in first (their state vectors are the index's)
  // Incremental ("changed since the cursor") unless the whole scope is due to be listed again.
  const [cursorHeld, listedAllAt] = await Promise.all([store.db.getMeta(CURSOR), store.db.getMeta(LISTED_ALL_AT)]);
  const since = cursorHeld && listedAllAt && Date.now() - Date.parse(listedAllAt) < LIST_ALL_EVERY_MS ? cursorHeld : null;
  // The newest row seen per document in this sync (one may be listed by both listings).
  const newest = new Map<string, string>();
  const onPage = async (rows: ServerIndexRow[]) => {
    const fresh = rows.filter((r) => !newest.has(r.doc) || newest.get(r.doc)! < r.updatedAt);
    for (const r of fresh) newest.set(r.doc, r.updatedAt);
    await timed("merge-index", () => store.mergeIndex(fresh));
    progress.listed = newest.size;
    onProgress({ ...progress });
  };
  const [delegation, deputies, units, docsListing, inboxListing] = await Promise.all([
    api<{ delegation: unknown }>("/api/delegation"),
    // An older server has no deputy table to give (404): then no deputy is trusted on this device.
    api<{ table: unknown }>("/api/deputies/table").catch(() => null),
    api<{ units: { id: string; name: string }[] }>("/api/units"),
    timed("list-docs", () => readListing(api, "/api/docs", since, onPage)),
    timed("list-inbox", () => readListing(api, "/api/inbox", since, onPage)),
  ]);
  await store.db.setMeta("units", JSON.stringify(Object.fromEntries(units.units.map((u) => [u.id, u.name]))));
  if (since === null) {
    // Both listings were read to their last page: a document neither listed has left our scope.
    await store.dropUnlisted(new Set(newest.keys()));
    await store.db.setMeta(LISTED_ALL_AT, new Date().toISOString());
  } else {
    // What changed and is listed by neither listing now has left it (a document listed by one stays).
    await store.dropRemoved([...new Set([...docsListing.removed, ...inboxListing.removed])].filter((d) => !newest.has(d)));
  }
  // The older of the two cursors: nothing changed between them is skipped next time.
  const cursors = [docsListing.cursor, inboxListing.cursor].filter((c): c is string => c !== null).sort();
  if (cursors.length === 2) await store.db.setMeta(CURSOR, cursors[0]!);
  // Kept for verifying offline: 決行 needs the level the agency's delegation table requires.
  if (delegation.delegation) await store.db.setMeta("delegation", JSON.stringify(delegation.delegation));
  // And who acts for whom (職務代理人): deputies come from this table, never from a document's plan.
  if (deputies?.table) await store.db.setMeta("deputies", JSON.stringify(deputies.table));

  const byDoc = await timed("queued", () => queued(store, o.sentLive ?? (() => false)));
  const push = [...byDoc].map(([doc, g]) => ({ doc, update: toBase64(Y.mergeUpdates(g.updates)) }));
  // A damaged local copy cannot take what the server sends; it waits for the user's re-download.
  const damaged = await store.damaged();
  // Asked about: every document held (a full sync, or the whole scope listed), else those the
  // listing says changed and those never downloaded.
  const askAll = o.full || since === null;
  const have = (await timed("read-index", () => store.db.docs.toArray()))
    .filter((r) => r.access === "edit" && !(r.doc in damaged) && (askAll || r.sv === null || newest.has(r.doc)))
    .map((r) => (r.seen && r.sv && r.seen.sv === r.sv ? { doc: r.doc, sv: r.sv, seq: r.seen.seq } : { doc: r.doc, sv: r.sv ?? EMPTY_SV }));

  const report: SyncReport = { pushed: 0, pulled: 0, refused: [] };
  progress.asked = have.length;
  onProgress({ ...progress });
  // The requests: the push with the first state vectors, then the rest of them.
  const bodies: BatchRequest[] = [];
  for (let i = 0; i === 0 || i < have.length; i += HAVE_DOCS) bodies.push({ v: 1, push: i === 0 ? push : [], have: have.slice(i, i + HAVE_DOCS) });
  if (!bodies[0]!.push.length && !bodies[0]!.have.length) bodies.length = 0;
  const ask = (body: BatchRequest) => timed("request", () => api<BatchResponse>("/api/sync", { body, timeoutMs: 120_000 }));
  // One request ahead: the server answers the next state vectors while this answer is applied.
  // Each asks about other documents, so applying one answer changes nothing another asks.
  let next = bodies.length ? ask(bodies[0]!) : null;
  for (let k = 0; next !== null; k++) {
    const res = await next;
    next = k + 1 < bodies.length ? ask(bodies[k + 1]!) : null;
    // If this round fails, the sync fails; the answer already on its way is not awaited.
    next?.catch(() => {});
    await timed("settle", () => settlePushed(store, res, byDoc, report));
    // Applied and noted (facts and the server's seq) in one write of the index.
    await timed("apply", () => store.applyManyFromServer(res.docs.map((d) => ({ doc: d.doc, update: fromBase64(d.update), ...(d.seq === undefined ? {} : { seq: d.seq }) }))));
    report.pulled += res.docs.length;
    progress.pulled = Math.min(have.length, (k + 1) * HAVE_DOCS);
    onProgress({ ...progress });
    if (res.denied.length) await store.markMetadataOnly(res.denied);
  }
  await store.db.setMeta("lastSyncedAt", new Date().toISOString());
  return report;
}

/**
 * Fetches one document's missing updates now (opening a document the background sync has not
 * reached yet): "pulled", or "denied" when the server does not give it to this person (no such
 * document for them, or its summary only). Throws when the server cannot be asked (Unreachable).
 */
export async function pullDoc(store: LocalStore, api: Api, doc: string): Promise<"pulled" | "denied"> {
  const row = await store.db.docs.get(doc);
  const res = await api<BatchResponse>("/api/sync", { body: { v: 1, push: [], have: [{ doc, sv: row?.sv ?? EMPTY_SV }] } satisfies BatchRequest });
  for (const d of res.docs) await store.applyFromServer(d.doc, fromBase64(d.update));
  if (res.denied.length) await store.markMetadataOnly(res.denied);
  return res.denied.some((d) => d === doc) ? "denied" : "pulled";
}
