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
// two-byte empty update), and before it loads, `settle` deletes empty-update rows (the one the
// previous open appended) and, when more than COMPACT_ABOVE rows have accumulated, merges them into
// one — both in a single IndexedDB transaction, merging the rows it read (not our Y.Doc), so a row
// another tab writes concurrently is never lost. Content from the server or the user is applied
// after that, and only real changes produce rows. The same pass finds a damaged store (see `load`).
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
  /** Resolves when every stored update is applied; rejects with DamagedLocalCopy when they cannot be. */
  ready: Promise<void>;
  release(): Promise<void>;
}

interface Entry {
  ydoc: Y.Doc;
  /** Attached once the store is checked and tidied (see `load`). */
  persistence: IndexeddbPersistence | null;
  ready: Promise<void>;
  refs: number;
}

/** One persistence per document per page, shared by everyone who opens it. */
const entries = new Map<string, Entry>();

/**
 * Opens (or shares) the persisted Y.Doc `name`. `onLocal` receives every update made on this
 * device — not loaded from storage, not from a remote origin — so it can be queued for the server.
 * Callers wait for `ready` before touching the Y.Doc.
 */
export function openPersistedDoc(name: string, onLocal?: (update: Uint8Array) => void): PersistedDoc {
  let e = entries.get(name);
  if (!e) {
    const entry: Entry = { ydoc: new Y.Doc(), persistence: null, ready: Promise.resolve(), refs: 0 }; // empty on purpose: see the guard above
    if (onLocal)
      entry.ydoc.on("update", (update: Uint8Array, origin: unknown) => {
        if (origin === entry.persistence || (typeof origin === "object" && origin !== null && remoteOrigins.has(origin))) return;
        onLocal(update);
      });
    entry.ready = load(name, entry);
    e = entry;
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
      await entry.persistence?.destroy(); // closes the database after its pending writes commit
      entry.ydoc.destroy();
    },
  };
}

/**
 * Checks and tidies the store first (`settle`: a row that is not a Yjs update, a missing object
 * store or a database that does not open means the copy is damaged), and only then lets y-indexeddb
 * load it. y-indexeddb's own load fails where nobody can catch it (its whenSynced then never
 * resolves), so damage must be found before; should its load fail anyway, the end of its load
 * transaction tells, and `ready` rejects instead of hanging.
 */
async function load(name: string, entry: Entry): Promise<void> {
  let stats: StoreStats;
  try {
    const db = await openStore(name);
    try {
      stats = await settle(db);
    } finally {
      db.close();
    }
  } catch (e) {
    throw asDamage(name, e);
  }
  const persistence = new IndexeddbPersistence(name, entry.ydoc);
  entry.persistence = persistence;
  try {
    await afterLoad(await persistence._db);
  } catch (e) {
    throw asDamage(name, e);
  }
  if (!persistence.synced) throw new DamagedLocalCopy(name, "The stored updates of this document cannot be applied.");
  persistence._dbsize = stats.rows + 1; // y-indexeddb appended one (empty) row while loading
}

/** Opens a document's database as y-indexeddb would (creating its stores when it is new). */
function openStore(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(name);
    r.onupgradeneeded = () => {
      const db = r.result;
      if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { autoIncrement: true });
      if (!db.objectStoreNames.contains("custom")) db.createObjectStore("custom");
    };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

const asDamage = (name: string, e: unknown): DamagedLocalCopy =>
  e instanceof DamagedLocalCopy ? e : new DamagedLocalCopy(name, e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/** A document's local copy that cannot be read; the server's copy and the local index are unaffected. */
export class DamagedLocalCopy extends Error {
  constructor(
    readonly store: string,
    readonly reason: string,
  ) {
    super(reason);
    this.name = "DamagedLocalCopy";
  }
}

/**
 * Resolves once every transaction on the updates store created before it has ended: IndexedDB
 * runs transactions with overlapping scopes in creation order, and y-indexeddb creates its load
 * transaction in the same `_db.then` we are called from, just before us.
 */
function afterLoad(db: IDBDatabase): Promise<void> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, "readonly"); // throws NotFoundError when the store is gone
    tx.objectStore(STORE).count();
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/**
 * Deletes a document's local copy (to download it again). A copy still open on this page is closed
 * first, without writing: its holders must have let go of it (or be about to be thrown away).
 */
export async function deletePersistedDoc(name: string): Promise<void> {
  const e = entries.get(name);
  if (e) {
    entries.delete(name);
    if (e.persistence) {
      e.persistence._destroyed = true; // no more writes from its timers
      e.persistence.db?.close();
    }
    e.ydoc.destroy();
  }
  await new Promise<void>((resolve, reject) => {
    const r = indexedDB.deleteDatabase(name);
    r.onsuccess = () => resolve();
    r.onerror = () => reject(r.error);
    // "blocked": another tab holds it open; the deletion goes through once that tab closes it.
  });
}

const isEmptyUpdate = (u: Uint8Array): boolean => u.byteLength <= 2 && u.every((b) => b === 0);

export interface StoreStats {
  rows: number;
  bytes: number;
}

/** Why a stored row is not a Yjs update (decoded, not applied: about 3/4 of the cost of applying), or null. */
function unreadable(value: unknown): string | null {
  if (!(value instanceof Uint8Array)) return "is not binary.";
  if (isEmptyUpdate(value)) return null;
  try {
    Y.decodeUpdate(value);
    return null;
  } catch (e) {
    return `does not decode: ${e instanceof Error ? e.message : String(e)}.`;
  }
}

/**
 * Deletes empty-update rows and merges the rest into one when there are many; returns what is left.
 * Rejects with DamagedLocalCopy, changing nothing, when a row is not a Yjs update.
 */
export function settle(db: IDBDatabase): Promise<StoreStats> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, "readwrite");
    const store = tx.objectStore(STORE);
    const kept: { key: IDBValidKey; value: Uint8Array }[] = [];
    const cursor = store.openCursor();
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (c) {
        const value: unknown = c.value;
        const bad = unreadable(value);
        if (bad) {
          damage = new DamagedLocalCopy(db.name, `Stored update ${String(c.primaryKey)} ${bad}`);
          tx.abort(); // nothing deleted, nothing compacted: the rows stay for salvage
          return;
        }
        if (isEmptyUpdate(value as Uint8Array)) c.delete();
        else kept.push({ key: c.primaryKey, value: value as Uint8Array });
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
    let damage: DamagedLocalCopy | null = null;
    tx.oncomplete = () => resolve(stats);
    tx.onerror = () => reject(damage ?? tx.error);
    tx.onabort = () => reject(damage ?? tx.error);
  });
}
