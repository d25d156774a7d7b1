// Bundled by page-bundle.ts into one script the benchmark injects into pages of the app's origin
// (window.__bench). It exposes the app's own local-store code (src/lib/local, src/lib/inbox: the
// same sources the app is built from) to fill the browser's store and make offline edits the way the
// app does, and runs the peers — the same work without the UI — that the app's numbers are compared
// with. Nothing here replaces an app code path that is measured: measured paths run in the app's pages.
import * as Y from "yjs";
import { WebsocketProvider } from "y-websocket";
import { Dexie } from "dexie";
import yDexie, { DexieYProvider } from "y-dexie";
import { CountersignDocument, TrustStore, derive, diffSignedVersions, fromBase64, parseEntry, toBase64, type Sha256Hex } from "@countersign/crdt-model";
// The app's sources, through an alias the bundler maps to src/lib (page-bundle.ts). They are typed
// by svelte-check with the app; here (root tsconfig, no `$lib`) they are declared loosely in
// app-lib.d.ts, and the few shapes used are spelled out below.
import { LocalStore as AppLocalStore } from "app-lib/local/local-store.ts";
import { fetchTicket, ticketedWebSocket } from "app-lib/sync/ticket-socket.ts";
import { LocalDb as AppLocalDb, localDbName as appLocalDbName } from "app-lib/local/db.ts";
import { classify as appClassify, matches as appMatches, taipeiToday } from "app-lib/inbox/classify.ts";

interface Row {
  doc: string;
  subject: string;
  sv: string | null;
  access: "edit" | "metadata";
}
interface Table<T> {
  toArray(): Promise<T[]>;
  count(): Promise<number>;
}
interface Db {
  docs: Table<Row>;
  pending: Table<unknown>;
  getMeta(key: string): Promise<string | undefined>;
  close(): void;
}
interface LocalDoc {
  doc: CountersignDocument;
  ready: Promise<void>;
  release(): Promise<void>;
}
interface LocalStore {
  db: Db & { updates: { where(k: string): { equals(v: string): Table<{ update: Uint8Array }> } } };
  openDoc(id: string): LocalDoc;
  applyFromServer(id: string, update: Uint8Array): Promise<void>;
  applyManyFromServer(docs: readonly { doc: string; update: Uint8Array }[]): Promise<void>;
  mergeIndex(rows: readonly unknown[]): Promise<void>;
}
interface Viewer {
  person: string;
  unit: string;
  agency: string;
  roles: readonly string[];
}
const LocalStoreClass = AppLocalStore as new (agency: string, person: string) => LocalStore;
const LocalDb = AppLocalDb as new (name: string) => Db;
const localDbName = appLocalDbName as (agency: string, person: string) => string;
const classify = appClassify as (rows: readonly Row[], v: Viewer, today: string) => Record<"todo", Row[]>;
const matches = appMatches as (row: Row, f: { query: string; kind: string | null; speed: string | null }) => boolean;
type ServerIndexRow = Row;

const stores = new Map<string, LocalStore>();
const storeOf = (agency: string, person: string): LocalStore => {
  const key = `${agency}\n${person}`;
  let s = stores.get(key);
  if (!s) stores.set(key, (s = new LocalStoreClass(agency, person)));
  return s;
};

/** Waits until `pred` holds, checking after every DOM change; resolves with performance.now() then. */
function when(pred: () => boolean, timeoutMs: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    if (pred()) return resolve(performance.now());
    const timer = setTimeout(() => {
      mo.disconnect();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const mo = new MutationObserver(() => {
      if (!pred()) return;
      const t = performance.now();
      mo.disconnect();
      clearTimeout(timer);
      resolve(t);
    });
    mo.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  });
}

/** The end of the frame that shows the current DOM: the next animation frame, then a task after its rendering. */
function nextFrame(): Promise<number> {
  return new Promise((resolve) =>
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => resolve(performance.now());
      ch.port2.postMessage(null);
    }),
  );
}

const bench = {
  Y,
  toBase64,
  fromBase64,
  when,
  nextFrame,

  /** Index rows the local store holds (what the inbox lists), and how many have a downloaded copy. */
  async counts(agency: string, person: string): Promise<{ rows: number; withCopy: number; pending: number }> {
    const db = storeOf(agency, person).db;
    const rows = await db.docs.toArray();
    return { rows: rows.length, withCopy: rows.filter((r) => r.sv !== null).length, pending: await db.pending.count() };
  },

  /** Documents in the local index without a downloaded copy yet. */
  async withoutCopy(agency: string, person: string): Promise<string[]> {
    return (await storeOf(agency, person).db.docs.toArray()).filter((r) => r.sv === null && r.access === "edit").map((r) => r.doc);
  },

  /** Merges index rows into the local index (LocalStore.mergeIndex, as batch sync does), keeping rows already held. */
  async mergeRows(agency: string, person: string, rows: ServerIndexRow[]): Promise<number> {
    const s = storeOf(agency, person);
    const held = await s.db.docs.toArray();
    const listed = new Set(rows.map((r) => r.doc));
    await s.mergeIndex([...rows, ...held.filter((r) => !listed.has(r.doc))]);
    return s.db.docs.count();
  },

  /** Downloads documents into the local store as batch sync does: LocalStore.applyManyFromServer per batch. */
  async apply(agency: string, person: string, docs: { id: string; update: string }[]): Promise<number> {
    const s = storeOf(agency, person);
    for (let i = 0; i < docs.length; i += 500) await s.applyManyFromServer(docs.slice(i, i + 500).map((d) => ({ doc: d.id, update: fromBase64(d.update) })));
    return docs.length;
  },

  /** Opens one document `times` times through LocalStore.openDoc (no edit): its stored rows and bytes before and after. */
  async reopen(agency: string, person: string, id: string, times: number): Promise<{ before: { rows: number; bytes: number }; after: { rows: number; bytes: number }; ms: number }> {
    const s = storeOf(agency, person);
    const size = async () => {
      const rows = await s.db.updates.where("doc").equals(id).toArray();
      return { rows: rows.length, bytes: rows.reduce((n, r) => n + r.update.byteLength, 0) };
    };
    const before = await size();
    const t0 = performance.now();
    for (let i = 0; i < times; i++) {
      const local = s.openDoc(id);
      await local.ready;
      await local.release();
    }
    const ms = performance.now() - t0;
    return { before, after: await size(), ms };
  },

  /** Local edits made offline through the app's LocalStore (queued for the server like any edit in the app). */
  async editOffline(agency: string, person: string, ids: string[], text: string): Promise<number> {
    const s = storeOf(agency, person);
    const before = await s.db.pending.count();
    for (const id of ids) {
      const local = s.openDoc(id);
      await local.ready;
      const r = local.doc.addItem("explanation", null, text);
      if (!r.ok) throw new Error(`${id}: ${r.reason}`);
      await local.release();
    }
    // The queue is written asynchronously (LocalStore.#queue): wait until every edit is in it.
    const end = Date.now() + 60_000;
    while ((await s.db.pending.count()) < before + ids.length) {
      if (Date.now() > end) throw new Error("the local edits were not all queued");
      await new Promise((r) => setTimeout(r, 50));
    }
    return ids.length;
  },

  /** What the local copies say: 主旨, the 說明 items' text, and the state vector. */
  async states(agency: string, person: string, ids: string[]): Promise<{ id: string; subject: string; items: string[]; sv: string }[]> {
    const s = storeOf(agency, person);
    const out = [];
    for (const id of ids) {
      const local = s.openDoc(id);
      await local.ready;
      out.push({ id, subject: local.doc.subject(), items: itemTexts(local.doc), sv: toBase64(local.doc.stateVector()) });
      await local.release();
    }
    return out;
  },

  /**
   * The choice of item 1, measured: the same documents stored by the app's own provider on Dexie
   * (LocalStore.applyManyFromServer into a fresh store, then one document opened `reopens` times) and
   * by y-dexie (Dexie's Yjs addon: a `content: Y.Doc` property, DexieYProvider.load / applyUpdate /
   * release per document, then the same re-opens). Each on a fresh database of its own.
   */
  async storeCompare(docs: { id: string; update: string }[], reopens: number): Promise<Record<"own" | "yDexie", { applyMs: number; reopenMs: number; before: number; after: number }>> {
    const updates = docs.map((d) => ({ doc: d.id, update: fromBase64(d.update) }));
    const tag = `${Date.now()}`;
    // Own provider.
    const own = new LocalStoreClass(`BENCH-OWN-${tag}`, "p");
    let t0 = performance.now();
    for (let i = 0; i < updates.length; i += 500) await own.applyManyFromServer(updates.slice(i, i + 500));
    const ownApply = performance.now() - t0;
    const probe = updates[0]!.doc;
    const ownSize = async () => (await own.db.updates.where("doc").equals(probe).toArray()).reduce((n, r) => n + r.update.byteLength, 0);
    const ownBefore = await ownSize();
    t0 = performance.now();
    for (let i = 0; i < reopens; i++) {
      const l = own.openDoc(probe);
      await l.ready;
      await l.release();
    }
    const ownReopen = performance.now() - t0;
    const ownAfter = await ownSize();
    own.db.close();
    // y-dexie.
    const ydb = new Dexie(`bench-ydexie-${tag}`, { addons: [yDexie] }) as Dexie & { docs: { bulkPut(rows: { id: string }[]): Promise<unknown> } };
    ydb.version(1).stores({ docs: "id, content: Y.Doc" });
    await ydb.open();
    const updatesTable = () => ydb.tables.find((t) => t.name.startsWith("$") && t.name.includes("content"))!;
    t0 = performance.now();
    await ydb.docs.bulkPut(updates.map((u) => ({ id: u.doc })));
    for (const u of updates) {
      const ydoc = DexieYProvider.getOrCreateDocument(ydb, "docs", "content", u.doc);
      const prov = DexieYProvider.load(ydoc);
      await prov.whenLoaded;
      Y.applyUpdate(ydoc, u.update);
      DexieYProvider.release(ydoc);
    }
    const ydApply = performance.now() - t0;
    const ydSize = async () => (await updatesTable().toArray()).reduce((n: number, r: { u?: Uint8Array }) => n + (r.u?.byteLength ?? 0), 0);
    await new Promise((r) => setTimeout(r, 500)); // its writes are asynchronous
    const ydBefore = await ydSize();
    t0 = performance.now();
    for (let i = 0; i < reopens; i++) {
      const ydoc = DexieYProvider.getOrCreateDocument(ydb, "docs", "content", probe);
      const prov = DexieYProvider.load(ydoc);
      await prov.whenLoaded;
      DexieYProvider.release(ydoc);
    }
    const ydReopen = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 500));
    const ydAfter = await ydSize();
    ydb.close();
    return {
      own: { applyMs: ownApply, reopenMs: ownReopen, before: ownBefore, after: ownAfter },
      yDexie: { applyMs: ydApply, reopenMs: ydReopen, before: ydBefore, after: ydAfter },
    };
  },

  // ---- peers: the same work without the UI ---------------------------------------------------

  /** Cold start's peer: open the same Dexie database (the app's schema) and read every index row. */
  async rawRead(agency: string, person: string): Promise<{ ms: number; rows: number }> {
    const t0 = performance.now();
    const db = new LocalDb(localDbName(agency, person));
    const rows = await db.docs.toArray();
    const ms = performance.now() - t0;
    db.close();
    return { ms, rows: rows.length };
  },

  /** Search's peer: the inbox's own filter (classify's `matches`) over the tab's rows, in memory, no rendering. */
  async rawSearch(agency: string, person: string, viewer: Viewer, tab: "todo", query: string, times: number): Promise<{ ms: number[]; matched: number; tabRows: number }> {
    const db = new LocalDb(localDbName(agency, person));
    const rows = await db.docs.toArray();
    db.close();
    const list = classify(rows, viewer, taipeiToday())[tab];
    const ms: number[] = [];
    let matched = 0;
    for (let i = 0; i < times; i++) {
      const t0 = performance.now();
      matched = list.filter((r) => matches(r, { query, kind: null, speed: null })).length;
      ms.push(performance.now() - t0);
    }
    return { ms, matched, tabRows: list.length };
  },

  /** Opening's peer: the local copy loaded from the local database, then verify + derive with the agency CA — what the page does, minus the page. */
  async rawOpen(agency: string, person: string, id: string, caPem: string, times: number): Promise<{ ms: number[]; valid: number; entries: number }> {
    const s = storeOf(agency, person);
    const delegation = await s.db.getMeta("delegation");
    const ms: number[] = [];
    let valid = 0;
    let entries = 0;
    for (let i = 0; i < times; i++) {
      const t0 = performance.now();
      const local = s.openDoc(id);
      await local.ready;
      const trust = TrustStore.fromPem([caPem], delegation ? [JSON.parse(delegation) as unknown] : []);
      if (!trust.ok) throw new Error(trust.reason);
      const st = await derive(local.doc, trust.value);
      ms.push(performance.now() - t0);
      entries = st.timeline.length;
      valid = st.timeline.filter((e) => e.outcome === "applied").length;
      await local.release();
    }
    return { ms, valid, entries };
  },

  /** What opening the document computes, piece by piece (ms, medians left to the caller): where the page's time could go. */
  async openParts(agency: string, person: string, id: string, caPem: string): Promise<Record<string, number>> {
    const s = storeOf(agency, person);
    const t: Record<string, number> = {};
    let t0 = performance.now();
    const local = s.openDoc(id);
    await local.ready;
    t.openLocalCopy = performance.now() - t0;
    t0 = performance.now();
    const delegation = await s.db.getMeta("delegation");
    await s.db.getMeta("units");
    t.readMeta = performance.now() - t0;
    t0 = performance.now();
    const trust = TrustStore.fromPem([caPem], delegation ? [JSON.parse(delegation) as unknown] : []);
    if (!trust.ok) throw new Error(trust.reason);
    t.trustFromPem = performance.now() - t0;
    t0 = performance.now();
    const st = await derive(local.doc, trust.value);
    t.verifyDerive = performance.now() - t0;
    t0 = performance.now();
    const signed = new Map<string, Sha256Hex>();
    for (const [eid, raw] of local.doc.rawEntries()) {
      const e = parseEntry(raw, eid);
      if (e.ok) signed.set(eid, e.value.entry.payload.content);
    }
    t.parseEntriesAgain = performance.now() - t0;
    t0 = performance.now();
    const order = [...st.timeline].sort((a, b) => (a.at ?? "").localeCompare(b.at ?? "")).filter((e) => signed.has(e.id));
    const d = diffSignedVersions(local.doc, signed.get(order[0]!.id)!, signed.get(order.at(-1)!.id)!);
    if (!d.ok) throw new Error(d.reason);
    t.diffFirstLast = performance.now() - t0;
    await local.release();
    return t;
  },

  /**
   * Reconcile's peer: one stock y-websocket provider per document (in-memory Y.Docs, no IndexedDB,
   * no index) holding the same kind of offline edit, against the same server; done when every
   * provider has synced, every copy shows the server's 主旨 and every socket has sent our edit.
   * Chromium caps a profile's open WebSockets (255), so at most `sockets` are open at once: each
   * provider closes once synced and the next one opens — the best a socket-per-document design can
   * do in a browser.
   */
  async providers(wsBase: string, token: string, docs: { id: string; update: string; want: string }[], text: string, sockets = 200): Promise<{ ms: number; converged: number }> {
    const ydocs = docs.map((d) => {
      const ydoc = new Y.Doc();
      Y.applyUpdate(ydoc, fromBase64(d.update));
      const r = CountersignDocument.wrap(ydoc).addItem("explanation", null, text);
      if (!r.ok) throw new Error(`${d.id}: ${r.reason}`);
      return ydoc;
    });
    const t0 = performance.now();
    let next = 0;
    const one = async (i: number) => {
      // As the app does: each connection takes a single-use ticket (the relay refuses tokens in URLs).
      const WebSocketPolyfill = ticketedWebSocket(WebSocket, () => fetchTicket(wsBase.replace(/^ws/, "http").replace(/\/sync$/, ""), token)) as unknown as typeof WebSocket;
      const p = new WebsocketProvider(wsBase, docs[i]!.id, ydocs[i]!, { WebSocketPolyfill, disableBc: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`provider ${docs[i]!.id} did not sync within 2 minutes`)), 120_000);
        p.once("sync", () => {
          clearTimeout(timer);
          resolve();
        });
      });
      // Our sync step 2 (the offline edit) answers the server's step 1: wait until it has left.
      while (p.ws && p.ws.bufferedAmount > 0) await new Promise((r) => setTimeout(r, 5));
      p.destroy();
    };
    const lane = async () => {
      while (next < docs.length) await one(next++);
    };
    await Promise.all(Array.from({ length: Math.min(sockets, docs.length) }, lane));
    const ms = performance.now() - t0;
    const converged = docs.filter((d, i) => CountersignDocument.wrap(ydocs[i]!).subject() === d.want).length;
    for (const y of ydocs) y.destroy();
    return { ms, converged };
  },
};

function itemTexts(doc: CountersignDocument): string[] {
  const out: string[] = [];
  const walk = (items: ReturnType<CountersignDocument["body"]>) => {
    for (const it of items) {
      out.push(it.text);
      walk(it.children);
    }
  };
  walk(doc.body("explanation"));
  return out;
}

export type Bench = typeof bench;
(globalThis as unknown as { __bench: Bench }).__bench = bench;
