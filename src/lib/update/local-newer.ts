// For the local store (src/lib/local/): a database on this device written by a newer build than
// this page — its schema may have changed in ways this build cannot read, and upgrading it "down"
// would corrupt it. The store reports it here instead of opening it; the update banner
// (UpdateBanner.svelte, through update.svelte.ts) then blocks the page with the reason and a reload.
//
// Plain TypeScript, no $app import: the store and its unit tests (Node, fake-indexeddb) import it.
import { localDatabaseNewer } from "./version.ts";

export interface LocalNewer {
  /** The database's name. */
  db: string;
  /** The schema version found on this device (Dexie's numbering: IndexedDB's version / 10). */
  found: number;
  /** The newest this build reads. */
  known: number;
}

type Listener = (n: LocalNewer) => void;
let listener: Listener | null = null;
let reported: LocalNewer | null = null;

/** update.svelte.ts listens (once per page); a report made before it listens is delivered then. */
export function onLocalNewer(fn: Listener): void {
  listener = fn;
  if (reported) fn(reported);
}

/** The last report (tests, and a page that starts listening late). */
export function localNewerReported(): LocalNewer | null {
  return reported;
}

/** Reports `db` at schema `found` as newer than the `known` this build reads; returns whether it is (then do not open it). */
export function reportLocalNewer(db: string, found: number, known: number): boolean {
  if (!localDatabaseNewer(found, known)) return false;
  reported = { db, found, known };
  listener?.(reported);
  return true;
}

/**
 * Right after Dexie opened a database, before anything reads or writes it: Dexie 4 opens a database
 * of a higher version than declared without an error (its `verno` stays the declared one; the
 * IndexedDB connection's version is the one found, ×10), so this is the check that catches a newer
 * build's database. Returns whether it is newer (then close it and use nothing of it).
 */
export function reportIfOpenedNewer(db: { name: string; backendDB(): { version: number } }, known: number): boolean {
  return reportLocalNewer(db.name, db.backendDB().version / 10, known);
}

/**
 * After opening `db` failed with `error` (raw IndexedDB, or a Dexie that refuses a downgrade): whether it failed because the database is newer than this
 * build (IndexedDB's / Dexie's VersionError), and if so reports it. Reads the version found from
 * indexedDB.databases() (never opens the database); `known` is this build's Dexie version.
 */
export async function reportIfNewer(error: unknown, db: string, known: number, idb: IDBFactory = indexedDB): Promise<boolean> {
  const name = (error as { name?: unknown } | null)?.name;
  const inner = (error as { inner?: { name?: unknown } } | null)?.inner?.name;
  if (name !== "VersionError" && inner !== "VersionError") return false;
  let found = Number.NaN;
  try {
    const info = (await idb.databases()).find((d) => d.name === db);
    if (info?.version) found = info.version / 10;
  } catch {
    // databases() missing (an old browser): the error still says the database is newer
  }
  return reportLocalNewer(db, Number.isFinite(found) ? found : known + 1, known);
}
