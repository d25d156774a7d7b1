// The first start after version 4 of the local database: every document's y-indexeddb database
// (one per document, `docStoreName`) moves into the person's one database (LocalDb.updates), then is
// deleted. What must stay true:
// - nothing is lost: a copy's rows are stored here before its database is deleted; the queue of
//   unsent changes already lives in this database (`pending`) and is untouched, so those changes
//   still reach the server; backups live in their own database and are untouched too;
// - a damaged old copy (a row that is not a Yjs update, no `updates` store, a database that does not
//   open) is noted as damaged exactly as before (`noteDamaged`, shown with the way out) and its old
//   database is KEPT so recovery can still salvage it; it never stops the other copies from moving;
// - a page closed halfway loses nothing: a copy whose rows were stored but whose database was not
//   deleted yet is moved again next time (Yjs updates apply idempotently; the next open compacts).
import * as Y from "yjs";
import { docStoreName, type LocalDb } from "./db.ts";
import { isEmptyUpdate, unreadable } from "./ydoc-store.ts";

const DONE = "docStoresMigrated";
/** Old databases read at once (each is its own IndexedDB database: their opens overlap). */
const LANES = 8;

/** What the migration needs of a LocalStore (not imported: local-store.ts imports this file). */
export interface MigratingStore {
  agency: string;
  person: string;
  db: LocalDb;
  noteDamaged(doc: string, reason: string): Promise<void>;
}

type Read = { ok: true; rows: Uint8Array[] } | { ok: false; reason: string };

/** Moves every old per-document database of this person into the one database (once; see above). */
export async function migrateDocStores(store: MigratingStore): Promise<{ moved: number; damaged: number }> {
  if (await store.db.getMeta(DONE)) return { moved: 0, damaged: 0 };
  const prefix = docStoreName(store.agency, store.person, "");
  let names: string[];
  try {
    names = (await indexedDB.databases()).flatMap((d) => (d.name?.startsWith(prefix) ? [d.name] : []));
  } catch {
    // No indexedDB.databases() (some browsers): the index's documents are the copies there may be.
    names = (await store.db.docs.toCollection().primaryKeys()).map((doc) => prefix + String(doc));
  }
  let moved = 0;
  let damaged = 0;
  let next = 0;
  const lane = async () => {
    while (next < names.length) {
      const name = names[next++]!;
      const doc = name.slice(prefix.length);
      const read = await readOldStore(name);
      if (read === null) continue; // no such database (the index named it): nothing to move
      if (!read.ok) {
        damaged++;
        await store.noteDamaged(doc, read.reason);
        continue; // kept for salvage; dropDoc deletes it when the person downloads the document again
      }
      const kept = read.rows.filter((u) => !isEmptyUpdate(u));
      if (kept.length) await store.db.updates.add({ doc, update: kept.length === 1 ? kept[0]! : Y.mergeUpdates(kept) });
      await deleteDatabase(name);
      moved++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(LANES, names.length) }, lane));
  await store.db.setMeta(DONE, new Date().toISOString());
  return { moved, damaged };
}

/** Deletes the old database of one document, if there is one (after a re-download). */
export async function removeOldStore(store: MigratingStore, doc: string): Promise<void> {
  await deleteDatabase(docStoreName(store.agency, store.person, doc));
}

function deleteDatabase(name: string): Promise<void> {
  return new Promise((resolve) => {
    const r = indexedDB.deleteDatabase(name);
    r.onsuccess = () => resolve();
    r.onerror = () => resolve();
    // Another tab of an earlier version holds it open: the deletion goes through once it closes.
    r.onblocked = () => resolve();
  });
}

/**
 * An old document database's rows, raw (no y-indexeddb): null when it does not exist, a reason when
 * it is damaged — the reasons the earlier version gave for the same damage.
 */
function readOldStore(name: string): Promise<Read | null> {
  return new Promise((resolve) => {
    let created = false;
    let r: IDBOpenDBRequest;
    try {
      r = indexedDB.open(name);
    } catch (e) {
      return resolve({ ok: false, reason: describe(e) });
    }
    r.onupgradeneeded = () => {
      created = true; // it did not exist: opening would create it
      r.transaction?.abort();
    };
    r.onerror = () => resolve(created ? null : { ok: false, reason: describe(r.error) });
    r.onblocked = () => resolve({ ok: false, reason: "The local copy is held open by another tab." });
    r.onsuccess = () => {
      const db = r.result;
      try {
        const tx = db.transaction("updates", "readonly");
        const cursor = tx.objectStore("updates").openCursor();
        const rows: Uint8Array[] = [];
        let bad: string | null = null;
        cursor.onsuccess = () => {
          const c = cursor.result;
          if (!c || bad) return;
          const why = unreadable(c.value);
          if (why) bad = `Stored update ${String(c.primaryKey)} ${why}`;
          else rows.push(c.value as Uint8Array);
          c.continue();
        };
        tx.oncomplete = () => {
          db.close();
          resolve(bad ? { ok: false, reason: bad } : { ok: true, rows });
        };
        tx.onerror = tx.onabort = () => {
          db.close();
          resolve({ ok: false, reason: describe(tx.error) });
        };
      } catch (e) {
        db.close(); // no "updates" store: the earlier version reported NotFoundError the same way
        resolve({ ok: false, reason: describe(e) });
      }
    };
  });
}

const describe = (e: unknown): string => (e instanceof Error || e instanceof DOMException ? `${e.name}: ${e.message}` : String(e));
