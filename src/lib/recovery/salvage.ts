// Reading what can still be read from damaged local databases, with raw IndexedDB (no Dexie schema,
// no y-indexeddb load), so a wrong schema, a missing object store or a garbage row cannot stop it.
// Nothing here writes: it only feeds the backups taken before the damaged stores are deleted.
import { freshYDoc } from "@countersign/crdt-model";
import * as Y from "yjs";
import type { PendingUpdate } from "$lib/local/db.ts";

/** Every value of one object store, or null when the database or the store does not exist or cannot be read. */
export function readRawStore(dbName: string, storeName: string): Promise<unknown[] | null> {
  return new Promise((resolve) => {
    let created = false;
    let r: IDBOpenDBRequest;
    try {
      r = indexedDB.open(dbName);
    } catch {
      return resolve(null);
    }
    // Opening a database that does not exist would create it: abort that instead.
    r.onupgradeneeded = () => {
      created = true;
      r.transaction?.abort();
    };
    r.onerror = () => resolve(null);
    r.onblocked = () => resolve(null);
    r.onsuccess = () => {
      const db = r.result;
      if (created || !db.objectStoreNames.contains(storeName)) {
        db.close();
        return resolve(null);
      }
      try {
        const get = db.transaction(storeName, "readonly").objectStore(storeName).getAll();
        get.onsuccess = () => {
          db.close();
          resolve(get.result as unknown[]);
        };
        get.onerror = () => {
          db.close();
          resolve(null);
        };
      } catch {
        db.close();
        resolve(null);
      }
    };
  });
}

const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;

/** The queued changes of a (possibly damaged) local index: rows shaped like a PendingUpdate, others skipped. */
export async function salvagePending(indexDbName: string): Promise<PendingUpdate[] | null> {
  const rows = await readRawStore(indexDbName, "pending");
  if (!rows) return null;
  return rows.filter((r): r is PendingUpdate => typeof r === "object" && r !== null && typeof (r as PendingUpdate).doc === "string" && isBytes((r as PendingUpdate).update));
}

/**
 * The updates of a document's y-indexeddb store that still apply, in order; a row that does not
 * (garbage, not bytes) is skipped. Each row is tried on a scratch copy, so a row that throws halfway
 * cannot leave half of itself in what is kept.
 */
export function applicableUpdates(rows: readonly unknown[]): Uint8Array[] {
  const kept: Uint8Array[] = [];
  for (const row of rows) {
    if (!isBytes(row)) continue;
    const trial = freshYDoc();
    try {
      if (kept.length) Y.applyUpdate(trial, Y.mergeUpdates(kept));
      Y.applyUpdate(trial, row);
      kept.push(row);
    } catch {
      // unreadable: left out
    } finally {
      trial.destroy();
    }
  }
  return kept;
}

/** Names of this person's per-document databases that exist in this browser (where it can list them). */
export async function docStoresOf(prefix: string, known: readonly string[]): Promise<string[]> {
  const names = new Set(known);
  try {
    for (const d of await indexedDB.databases()) if (d.name?.startsWith(prefix)) names.add(d.name);
  } catch {
    // indexedDB.databases() is missing in some browsers: the index's documents are all we know
  }
  return [...names];
}
