// Each document's Y.Doc persisted in the person's one local database (LocalDb.updates), with
// y-indexeddb's semantics and without its costs:
// - every change made to an open copy is appended as a row (in the same transaction as its place in
//   the queue of unsent changes, when it was made here);
// - rows are merged into one past COMPACT_ABOVE, merging the rows read (not our Y.Doc), so a row
//   another tab appends concurrently is never lost;
// - opening a copy appends nothing (y-indexeddb appended the state it had before loading on every
//   open: the growth this file used to guard against);
// - a row that is not a Yjs update makes the copy damaged (DamagedLocalCopy), changing nothing, so
//   what still reads stays for salvage; the other documents are unaffected.
// Documents that are not open are never instantiated here: batch sync merges their rows as bytes
// (local-store.ts, applyManyFromServer).
import { freshYDoc } from "@countersign/crdt-model";
import { Dexie } from "dexie";
import * as Y from "yjs";
import type { LocalDb, UpdateRow } from "./db.ts";

export const COMPACT_ABOVE = 16;
/** Rows an open copy may append before its rows are merged (y-indexeddb trims at 500). */
const COMPACT_OPEN_ABOVE = 64;

/** Origins whose updates came from elsewhere (the server, a relay): never queued as local changes. */
const remoteOrigins = new WeakSet<object>();
export const SYNC_ORIGIN: object = { source: "batch-sync" };
remoteOrigins.add(SYNC_ORIGIN);
/** Registers an origin (e.g. a y-websocket provider) whose updates are remote. */
export const markRemote = (origin: object): void => void remoteOrigins.add(origin);
/** Whether an update with this origin came from elsewhere (not queued for the server). */
export const isRemote = (origin: unknown): boolean => typeof origin === "object" && origin !== null && remoteOrigins.has(origin);

/** The origin of the stored rows applied on opening: neither stored again nor queued. */
const LOAD_ORIGIN: object = { source: "local-load" };

export interface PersistedDoc {
  ydoc: Y.Doc;
  /** Resolves when every stored update is applied; rejects with DamagedLocalCopy when they cannot be. */
  ready: Promise<void>;
  release(): Promise<void>;
}

interface Entry {
  ydoc: Y.Doc;
  ready: Promise<void>;
  refs: number;
  /** Writes in order (each append, then a compaction when due); released copies wait for them. */
  writes: Promise<void>;
  rows: number;
  /** Set when the copy is damaged or deleted: nothing more is written. */
  dead: boolean;
}

/**
 * This page's count of local changes, in the order they were made (a change's tick is taken when
 * Yjs emits it, before its row is written): the relay's acknowledgement of a full sync step says
 * "everything made up to tick n" (live-ack.ts). PAGE tells this page's ticks from an earlier load's.
 */
let ticks = 0;
export const PAGE: string = Math.random().toString(36).slice(2);
/** The tick of the last local change made on this page (0 before any). */
export const currentTick = (): number => ticks;

/** One Y.Doc per document per page, shared by everyone who opens it. */
const entries = new Map<string, Entry>();
const keyOf = (db: LocalDb, doc: string): string => `${db.name}\n${doc}`;

/** The open copy of a document on this page, if any (batch sync applies to it instead of to the rows). */
export function openCopy(db: LocalDb, doc: string): { ydoc: Y.Doc; ready: Promise<void> } | null {
  return entries.get(keyOf(db, doc)) ?? null;
}

/**
 * Opens (or shares) the persisted Y.Doc of `doc`. `onLocal` — called inside the transaction that
 * stores the row, so it may write to `db.pending` too — receives every update made on this device
 * (not loaded, not from a remote origin). Callers wait for `ready` before touching the Y.Doc.
 */
export function openPersistedDoc(
  db: LocalDb,
  doc: string,
  onLocal?: (update: Uint8Array, tick: number, textOnly: boolean) => Promise<unknown>,
  /** Runs before the rows are read: waits for the migration, and may reject with DamagedLocalCopy. */
  before: () => Promise<void> = () => Promise.resolve(),
): PersistedDoc {
  const key = keyOf(db, doc);
  let e = entries.get(key);
  if (!e) {
    const entry: Entry = { ydoc: freshYDoc(), ready: Promise.resolve(), refs: 0, writes: Promise.resolve(), rows: 0, dead: false };
    entry.ydoc.on("update", (update: Uint8Array, origin: unknown, _doc: Y.Doc, tr: Y.Transaction) => {
      if (origin === LOAD_ORIGIN || entry.dead) return;
      const local = onLocal && !isRemote(origin);
      const tick = local ? ++ticks : 0;
      const textOnly = local ? onlyText(entry.ydoc, tr) : false;
      // Handed to IndexedDB now, not once the previous write has settled: IndexedDB runs read-write
      // transactions over the same stores in the order they were created, so the order is kept, and
      // a page closed or reloaded right after typing has already given the browser every change.
      // Chained one after another in this page they waited here, and the last keystrokes before a
      // reload were lost. Outside any ambient Dexie transaction: an update made while one runs is
      // still stored in a transaction of its own.
      const stored = Dexie.ignoreTransaction(() =>
        db.transaction("rw", db.updates, db.pending, async () => {
          await db.updates.add({ doc, update });
          if (local) await onLocal(update, tick, textOnly);
        }),
      );
      entry.writes = Promise.all([entry.writes, stored])
        .then(async () => {
          if (entry.dead) return;
          if (++entry.rows > COMPACT_OPEN_ABOVE) entry.rows = await compact(db, doc);
        })
        .catch((err: unknown) => console.error(`Storing a change of ${doc} failed:`, err));
    });
    entry.ready = before().then(
      () => load(db, doc, entry),
      (e: unknown) => {
        entry.dead = true;
        throw asDamage(doc, e);
      },
    );
    e = entry;
    entries.set(key, e);
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
      await entry.ready.catch(() => undefined);
      await entry.writes;
      // Reopened meanwhile: the copy stays (it waited for our writes, so a fresh load would miss none).
      if (entry.refs > 0) return;
      if (entries.get(key) === entry) entries.delete(key);
      entry.ydoc.destroy();
    },
  };
}

/**
 * Whether a transaction changed only the text (主旨, the body's sections): such a change moves no
 * index row's workflow fields (status, holders…), so nothing needs deriving for it.
 */
function onlyText(ydoc: Y.Doc, tr: Y.Transaction | undefined): boolean {
  if (!tr) return false;
  const names = new Map<unknown, string>();
  for (const [name, type] of ydoc.share) names.set(type, name);
  for (const changed of tr.changed.keys()) {
    let t = changed as Y.AbstractType<unknown>;
    while (t._item) t = t._item.parent as Y.AbstractType<unknown>;
    const name = names.get(t);
    if (name === undefined || !(name === "subject" || name.startsWith("body."))) return false;
  }
  return tr.changed.size > 0;
}

/** Resolves once every change made so far to `doc`'s open copy on this page is stored (and queued). */
export async function stored(db: LocalDb, doc: string): Promise<void> {
  const e = entries.get(keyOf(db, doc));
  if (e) await e.writes;
}

/** Resolves once every change made so far to any open copy of `db`'s documents on this page is stored (and queued). */
export async function storedAll(db: LocalDb): Promise<void> {
  const prefix = `${db.name}\n`;
  await Promise.all([...entries].filter(([k]) => k.startsWith(prefix)).map(([, e]) => e.writes));
}

/** Reads, checks and tidies a document's rows (`settle`), then applies them to the fresh Y.Doc. */
async function load(db: LocalDb, doc: string, entry: Entry): Promise<void> {
  let settled: Settled;
  try {
    settled = await settle(db, doc);
  } catch (e) {
    entry.dead = true;
    throw asDamage(doc, e);
  }
  try {
    if (settled.update) Y.applyUpdate(entry.ydoc, settled.update, LOAD_ORIGIN);
  } catch (e) {
    entry.dead = true;
    throw asDamage(doc, e);
  }
  entry.rows = settled.rows;
}

const asDamage = (doc: string, e: unknown): DamagedLocalCopy =>
  e instanceof DamagedLocalCopy ? e : new DamagedLocalCopy(doc, e instanceof Error ? `${e.name}: ${e.message}` : String(e));

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
 * Deletes a document's local copy (to download it again). A copy still open on this page is
 * detached first, without writing: its holders must have let go of it (or be about to be thrown away).
 */
export async function deletePersistedDoc(db: LocalDb, doc: string): Promise<void> {
  const key = keyOf(db, doc);
  const e = entries.get(key);
  if (e) {
    entries.delete(key);
    e.dead = true;
    e.ydoc.destroy();
  }
  await db.updates.where("doc").equals(doc).delete();
}

export const isEmptyUpdate = (u: Uint8Array): boolean => u.byteLength <= 2 && u.every((b) => b === 0);

/** Why a stored row is not a Yjs update (decoded, not applied: about 3/4 of the cost of applying), or null. */
export function unreadable(value: unknown): string | null {
  if (!(value instanceof Uint8Array)) return "is not binary.";
  if (isEmptyUpdate(value)) return null;
  try {
    Y.decodeUpdate(value);
    return null;
  } catch (e) {
    return `does not decode: ${e instanceof Error ? e.message : String(e)}.`;
  }
}

export interface Settled {
  /** The rows merged (null when there are none). */
  update: Uint8Array | null;
  /** Rows left stored. */
  rows: number;
}

/**
 * Deletes empty-update rows and merges the rest into one when there are more than COMPACT_ABOVE,
 * in one transaction; returns what is left. Rejects with DamagedLocalCopy, changing nothing, when a
 * row is not a Yjs update.
 */
export function settle(db: LocalDb, doc: string): Promise<Settled> {
  return db.transaction("rw", db.updates, async () => {
    const rows = await db.updates.where("doc").equals(doc).toArray();
    const kept: UpdateRow[] = [];
    const empty: number[] = [];
    for (const row of rows) {
      const bad = unreadable(row.update);
      if (bad) throw new DamagedLocalCopy(doc, `Stored update ${String(row.id)} ${bad}`); // aborts: nothing deleted
      if (isEmptyUpdate(row.update)) empty.push(row.id!);
      else kept.push(row);
    }
    if (empty.length) await db.updates.bulkDelete(empty);
    if (!kept.length) return { update: null, rows: 0 };
    const update = kept.length === 1 ? kept[0]!.update : Y.mergeUpdates(kept.map((k) => k.update));
    if (kept.length > COMPACT_ABOVE) {
      await db.updates.bulkDelete(kept.map((k) => k.id!));
      await db.updates.add({ doc, update });
      return { update, rows: 1 };
    }
    return { update, rows: kept.length };
  });
}

/** Merges a document's rows into one (those read in the transaction: a concurrent append is kept). */
async function compact(db: LocalDb, doc: string): Promise<number> {
  return db.transaction("rw", db.updates, async () => {
    const rows = await db.updates.where("doc").equals(doc).toArray();
    if (rows.length <= 1 || rows.some((r) => unreadable(r.update))) return rows.length;
    await db.updates.bulkDelete(rows.map((r) => r.id!));
    await db.updates.add({ doc, update: Y.mergeUpdates(rows.map((r) => r.update)) });
    return 1;
  });
}
