// Each document's Y.Doc persisted with y-indexeddb — with a guard against a known way it grows.
//
// The problem: IndexeddbPersistence's constructor, on every open, appends
// `Y.encodeStateAsUpdate(doc)` — the state the Y.Doc had *before* loading — as a new row of its
// `updates` store (`beforeApplyUpdatesCallback` in y-indexeddb.js), and only trims rows once 500 of
// them pile up, and then only when a new edit arrives. Attached to a document that already holds
// content, every open re-appends the whole document; attached to an empty one, it still adds a row
// per open. Opening a document 50 times without editing it would grow its storage 50 times.
//
// The guard: persistence is only ever attached to a fresh, empty Y.Doc (so the appended row is the
// two-byte empty update), and once loaded, `settle` deletes empty-update rows and, when more than
// COMPACT_ABOVE rows have accumulated, merges them into one — both in a single IndexedDB
// transaction, merging the rows it read (not our Y.Doc), so a row another tab writes concurrently is
// never lost. Content from the server or the user is applied after that, and only real changes
// produce rows.
import * as Y from "yjs";
import { IndexeddbPersistence } from "y-indexeddb";

export const COMPACT_ABOVE = 16;
const STORE = "updates";

/** Origins whose updates came from elsewhere (the server, a relay): never queued as local changes. */
const remoteOrigins = new WeakSet<object>();
export const SYNC_ORIGIN: object = { source: "batch-sync" };
remoteOrigins.add(SYNC_ORIGIN);
/** Registers an origin (e.g. a y-websocket provider) whose updates are remote. */
export const markRemote = (origin: object): void => void remoteOrigins.add(origin);

export interface PersistedDoc {
  ydoc: Y.Doc;
  /** Resolves when every stored update is applied (and the store is tidied). */
  ready: Promise<void>;
  release(): Promise<void>;
}

interface Entry {
  ydoc: Y.Doc;
  persistence: IndexeddbPersistence;
  ready: Promise<void>;
  refs: number;
}

/** One persistence per document per page, shared by everyone who opens it. */
const entries = new Map<string, Entry>();

/**
 * Opens (or shares) the persisted Y.Doc `name`. `onLocal` receives every update made on this
 * device — not loaded from storage, not from a remote origin — so it can be queued for the server.
 */
export function openPersistedDoc(name: string, onLocal?: (update: Uint8Array) => void): PersistedDoc {
  let e = entries.get(name);
  if (!e) {
    const ydoc = new Y.Doc(); // empty on purpose: see the guard above
    const persistence = new IndexeddbPersistence(name, ydoc);
    if (onLocal)
      ydoc.on("update", (update: Uint8Array, origin: unknown) => {
        if (origin === persistence || (typeof origin === "object" && origin !== null && remoteOrigins.has(origin))) return;
        onLocal(update);
      });
    const ready = persistence.whenSynced.then(async () => {
      if (persistence.db) persistence._dbsize = (await settle(persistence.db)).rows;
    });
    e = { ydoc, persistence, ready, refs: 0 };
    entries.set(name, e);
  }
  e.refs++;
  const entry = e;
  let released = false;
  return {
    ydoc: entry.ydoc,
    ready: entry.ready,
    release: async () => {
      if (released) return;
      released = true;
      if (--entry.refs > 0) return;
      entries.delete(name);
      await entry.ready.catch(() => undefined);
      await entry.persistence.destroy(); // closes the database after its pending writes commit
      entry.ydoc.destroy();
    },
  };
}

const isEmptyUpdate = (u: Uint8Array): boolean => u.byteLength <= 2 && u.every((b) => b === 0);

export interface StoreStats {
  rows: number;
  bytes: number;
}

/** Deletes empty-update rows and merges the rest into one when there are many; returns what is left. */
export function settle(db: IDBDatabase): Promise<StoreStats> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, "readwrite");
    const store = tx.objectStore(STORE);
    const kept: { key: IDBValidKey; value: Uint8Array }[] = [];
    const cursor = store.openCursor();
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (c) {
        const value = c.value as Uint8Array;
        if (isEmptyUpdate(value)) c.delete();
        else kept.push({ key: c.primaryKey, value });
        c.continue();
        return;
      }
      if (kept.length > COMPACT_ABOVE) {
        const merged = Y.mergeUpdates(kept.map((k) => k.value));
        for (const k of kept) store.delete(k.key);
        store.add(merged);
        stats = { rows: 1, bytes: merged.byteLength };
      } else stats = { rows: kept.length, bytes: kept.reduce((n, k) => n + k.value.byteLength, 0) };
    };
    let stats: StoreStats = { rows: 0, bytes: 0 };
    tx.oncomplete = () => resolve(stats);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}
