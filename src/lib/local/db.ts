// The local index: one Dexie database per agency and person, so the inbox opens instantly, offline,
// and two people sharing a browser never see each other's documents.
import { Dexie, type Table } from "dexie";
import type { CalendarYear, Code, Speed } from "@countersign/crdt-model";
import type { ServerIndexRow } from "$lib/api/types.ts";
import { reportIfOpenedNewer } from "$lib/update/local-newer.ts";

/**
 * A document as this device knows it: the server's index row (every field of the model's IndexRow:
 * the numbers and times too, so the inbox searches and shows them offline) plus what the local copy
 * tells. The numbers and times are not indexed (Dexie keeps any field of a row; only indexes need a
 * new schema version), so rows stored before they were kept simply lack them until the next sync.
 */
export interface LocalDocRow extends ServerIndexRow {
  /** 速別, read from the local copy (the server's index does not carry it). */
  speed: Speed | null;
  /** 文號: the server's (the 發文字號 its 發文 signed, else the metadata's), else the local copy's metadata. */
  docNumber: string | null;
  /** 收文號: the server's, else the local copy's metadata (a registration made here, not yet synced). */
  receiptNumber?: string | null;
  /** This device's copy's state vector (base64): what to tell the server we have. Null before the first download. */
  sv: string | null;
  /** "metadata": the server lets us see the index row only (archives, follow-up), so we never ask for content. */
  access: "edit" | "metadata";
  /**
   * Set when the workflow fields (status, holders, participants…) were derived on this device from
   * its copy (the model's derive and indexRowOf, local-rows.ts) because it holds changes the server
   * has not acknowledged: the time of that derivation. Absent: the row is the server's.
   */
  derivedAt?: string;
  /**
   * The server's seq (batch sync's answer) up to which this copy holds everything the server had,
   * and the copy's state vector when that was noted. Told to the server (`have[].seq`) only while
   * the state vector is still that one: a copy dropped, re-downloaded or changed here asks in full.
   */
  seen?: { seq: number; sv: string };
}

/** A change made on this device that the server has not acknowledged yet. */
export interface PendingUpdate {
  seq?: number;
  doc: string;
  update: Uint8Array;
  at: string;
  /** The server's reason when it refused the change (kept, never dropped: the user decides). */
  refused?: string;
  /** The refusal's code (src/lib/refusals); absent on refusals stored before codes existed. */
  refusedCode?: Code;
  /** The page (ydoc-store PAGE) and its count of local changes when this one was made (the relay's acknowledgement). */
  page?: string;
  tick?: number;
  /** The change wrote only text (主旨, body): it moves no workflow field, so no row is derived for it. */
  text?: true;
}

/**
 * An attachment's bytes kept on this device, by content address. "pending": attached here and not
 * yet on the agency server; "uploaded": attached here and stored there; "cached": downloaded.
 */
export interface BlobRow {
  sha256: string;
  data: Uint8Array;
  mime: string;
  size: number;
  state: "pending" | "uploaded" | "cached";
  at: string;
}

/**
 * An imported year of the office calendar (辦公日曆) as the agency server gave it: kept so that due dates
 * are counted offline on the same calendar as the server's (src/lib/deadline/calendar-cache.ts).
 */
export type CalendarRow = CalendarYear;

/**
 * One stored Yjs update of a document's local copy (y-indexeddb's semantics, in this one database):
 * appended as changes arrive, merged into one row past a threshold (ydoc-store.ts), never appended
 * by merely opening the document.
 */
export interface UpdateRow {
  id?: number;
  doc: string;
  update: Uint8Array;
}

interface MetaRow {
  key: string;
  value: string;
}

export class LocalDb extends Dexie {
  docs!: Table<LocalDocRow, string>;
  pending!: Table<PendingUpdate, number>;
  meta!: Table<MetaRow, string>;
  blobs!: Table<BlobRow, string>;
  calendar!: Table<CalendarRow, number>;
  updates!: Table<UpdateRow, number>;

  constructor(name: string) {
    super(name);
    this.version(1).stores({ docs: "doc, status, dueDate, updatedAt", pending: "++seq, doc", meta: "key" });
    // Version 2 adds attachment bytes; the other tables are unchanged, so existing rows stay as they are.
    this.version(2).stores({ blobs: "sha256, state" });
    // Version 3 adds the office calendar's imported years; the other tables are unchanged.
    this.version(3).stores({ calendar: "year" });
    // Version 4 holds every document's Yjs updates (until then one y-indexeddb database per document,
    // moved in by migrate.ts on the first start and then deleted).
    this.version(4).stores({ updates: "++id, doc" });
    // A database a newer build wrote (Dexie 4 opens it without an error): reported (the update
    // banner blocks the page with a reload) and never read or written by this older build.
    this.on("ready", () => {
      if (reportIfOpenedNewer(this, this.verno)) throw new Error(`The local database ${this.name} was written by a newer version of the app; reload to use it.`);
    });
  }

  async getMeta(key: string): Promise<string | undefined> {
    return (await this.meta.get(key))?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.meta.put({ key, value });
  }
}

export const localDbName = (agency: string, person: string): string => `countersign:${agency}:${person}`;

/**
 * The y-indexeddb database one document had before version 4 of the index (one IndexedDB database
 * per document): read once by the migration (migrate.ts), then deleted.
 */
export const docStoreName = (agency: string, person: string, doc: string): string => `countersign-doc:${agency}:${person}:${doc}`;

/**
 * The rows of a table indexed by `doc` whose document is one of `docs`: one getAll per document,
 * side by side in one transaction (the caller's, if it has one). Dexie's anyOf walks one cursor across the index, a round
 * trip to IndexedDB per step: reading the stored updates of 500 documents took ~1.4 s that way, most
 * of it the page waiting.
 */
export async function rowsOfDocs<R extends { doc: string }, K>(table: Table<R, K>, docs: Iterable<string>): Promise<R[]> {
  const ids = [...new Set(docs)];
  if (!ids.length) return [];
  // One transaction for all (joined to the caller's, when it has one over this table).
  const parts = await table.db.transaction("r", table, () => Promise.all(ids.map((doc) => table.where("doc").equals(doc).toArray())));
  return parts.flat();
}
