// One person's local store: the Dexie index, the persisted documents, and the queue of changes
// made here that the server has not acknowledged. Pages and the sync engine go through it.
import * as Y from "yjs";
import { CountersignDocument, toBase64, type Speed } from "@countersign/crdt-model";
import type { ServerIndexRow } from "$lib/api/types.ts";
import { LocalDb, docStoreName, localDbName, type LocalDocRow } from "./db.ts";
import { DamagedLocalCopy, SYNC_ORIGIN, deletePersistedDoc, openPersistedDoc } from "./ydoc-store.ts";

export interface LocalDoc {
  ydoc: Y.Doc;
  doc: CountersignDocument;
  /** Resolves once the stored copy is loaded. */
  ready: Promise<void>;
  release(): Promise<void>;
}

/** What the local copy says that the server's index row does not (or says later). */
export function localFacts(doc: CountersignDocument): Pick<LocalDocRow, "speed" | "docNumber" | "sv"> & { receiptNumber: string | null; subject: string | null } {
  const meta = doc.metadata();
  return {
    speed: meta.ok ? (meta.value.speed as Speed) : null,
    docNumber: meta.ok ? meta.value.docNumber : null,
    receiptNumber: meta.ok ? meta.value.receiptNumber : null,
    sv: toBase64(doc.stateVector()),
    subject: doc.subject() || null,
  };
}

const DAMAGED = "damaged";
/** Documents applyManyFromServer works on at once. */
const APPLY_LANES = 6;

export interface DamageNote {
  reason: string;
  at: string;
}

export class LocalStore {
  readonly db: LocalDb;

  constructor(
    readonly agency: string,
    readonly person: string,
  ) {
    this.db = new LocalDb(localDbName(agency, person));
  }

  /**
   * Opens a document's local copy. Changes made through it are queued for the server (and kept
   * across reloads) until a sync acknowledges them.
   */
  openDoc(docId: string): LocalDoc {
    const p = openPersistedDoc(docStoreName(this.agency, this.person, docId), (update) => void this.#queue(docId, update));
    const doc = CountersignDocument.wrap(p.ydoc);
    return { ydoc: p.ydoc, doc, ready: p.ready, release: p.release };
  }

  async #queue(doc: string, update: Uint8Array): Promise<void> {
    await this.db.pending.add({ doc, update, at: new Date().toISOString() });
  }

  /**
   * Applies what the server sent to a document's local copy and refreshes its index row. A damaged
   * copy is noted (the inbox and the document page say so) and skipped: one bad document must not
   * stop the others from syncing.
   */
  async applyFromServer(docId: string, update: Uint8Array): Promise<void> {
    await this.applyManyFromServer([{ doc: docId, update }]);
  }

  /**
   * applyFromServer for many documents, their index rows refreshed together in one transaction:
   * the open inbox's live query then re-reads the index once per batch, not once per document
   * (with 10,000 documents, a re-read and re-render after each of 1,000 downloads took many minutes).
   */
  async applyManyFromServer(docs: readonly { doc: string; update: Uint8Array }[]): Promise<void> {
    const facts = new Map<string, ReturnType<typeof localFacts>>();
    const one = async ({ doc: docId, update }: { doc: string; update: Uint8Array }) => {
      const local = this.openDoc(docId);
      try {
        await local.ready;
        Y.applyUpdate(local.ydoc, update, SYNC_ORIGIN);
        facts.set(docId, localFacts(local.doc));
      } catch (e) {
        if (!(e instanceof DamagedLocalCopy)) throw e;
        await this.noteDamaged(docId, e.reason);
      } finally {
        await local.release();
      }
    };
    // A few documents at a time: each is its own IndexedDB database, so their reads and writes overlap.
    let next = 0;
    const lane = async () => {
      while (next < docs.length) await one(docs[next++]!);
    };
    const settled = await Promise.allSettled(Array.from({ length: Math.min(APPLY_LANES, docs.length) }, lane));
    // What was applied is indexed even if another document failed.
    await this.#noteFacts(facts);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }

  /** Documents whose local copy could not be read, with the reason (kept until downloaded again). */
  async damaged(): Promise<Record<string, DamageNote>> {
    const raw = await this.db.getMeta(DAMAGED);
    return raw ? (JSON.parse(raw) as Record<string, DamageNote>) : {};
  }

  async noteDamaged(docId: string, reason: string): Promise<void> {
    await this.db.transaction("rw", this.db.meta, async () => {
      const all = await this.damaged();
      if (all[docId]?.reason === reason) return;
      await this.db.setMeta(DAMAGED, JSON.stringify({ ...all, [docId]: { reason, at: new Date().toISOString() } }));
    });
  }

  /**
   * Throws away this device's copy of a document and its queued changes (the caller has backed
   * them up) and forgets its state vector, so the next pull downloads it whole from the server.
   */
  async dropDoc(docId: string): Promise<void> {
    await deletePersistedDoc(docStoreName(this.agency, this.person, docId));
    await this.db.transaction("rw", this.db.pending, this.db.docs, this.db.meta, async () => {
      await this.db.pending.where("doc").equals(docId).delete();
      await this.db.docs.where("doc").equals(docId).modify({ sv: null });
      const all = await this.damaged();
      if (docId in all) {
        delete all[docId];
        await this.db.setMeta(DAMAGED, JSON.stringify(all));
      }
    });
  }

  /** Records in the index what the local copy of a document now says. */
  async noteLocal(docId: string, doc: CountersignDocument): Promise<void> {
    await this.#noteFacts(new Map([[docId, localFacts(doc)]]));
  }

  async #noteFacts(facts: ReadonlyMap<string, ReturnType<typeof localFacts>>): Promise<void> {
    if (!facts.size) return;
    await this.db.transaction("rw", this.db.docs, async () => {
      const rows = await this.db.docs.bulkGet([...facts.keys()]);
      // A document outside the index (a draft not yet known to the server) is indexed by its creator.
      const next = rows.flatMap((row) => {
        const f = row && facts.get(row.doc);
        // The server's numbers win (its 文號 is the signed 發文字號 once dispatched); the copy's fill the gaps.
        return row && f
          ? [{ ...row, speed: f.speed, docNumber: row.docNumber ?? f.docNumber, receiptNumber: row.receiptNumber ?? f.receiptNumber, sv: f.sv, subject: f.subject ?? row.subject }]
          : [];
      });
      if (next.length) await this.db.docs.bulkPut(next);
    });
  }

  /**
   * Merges server index rows (one page of a listing, or several) into the local index, keeping what
   * only this device knows (速別, 文號, its state vector). Removes nothing: a page says which
   * documents exist, never which do not (dropUnlisted does that, after a complete listing).
   */
  async mergeIndex(rows: readonly ServerIndexRow[]): Promise<void> {
    if (!rows.length) return;
    // Read and written in bulk, and rows that did not change are not rewritten: a sync that brings
    // nothing new must not make the open inbox re-read and re-render thousands of rows.
    await this.db.transaction("rw", this.db.docs, async () => {
      const held = new Map((await this.db.docs.bulkGet(rows.map((r) => r.doc))).flatMap((r) => (r ? [[r.doc, r] as const] : [])));
      const changed: LocalDocRow[] = [];
      for (const r of rows) {
        const old = held.get(r.doc);
        const next: LocalDocRow = {
          ...pick(r),
          speed: old?.speed ?? null,
          docNumber: r.docNumber ?? old?.docNumber ?? null,
          receiptNumber: r.receiptNumber ?? old?.receiptNumber ?? null,
          sv: old?.sv ?? null,
          subject: r.subject || old?.subject || "",
          // Denied once, asked again only after the document changed (someone may have added us to it).
          access: old?.access === "metadata" && old.updatedAt === r.updatedAt ? "metadata" : "edit",
        };
        if (!old || !sameRow(old, next)) changed.push(next);
      }
      if (changed.length) await this.db.docs.bulkPut(changed);
    });
  }

  /**
   * Drops the documents that have left this person's scope. `listed` must be every document of a
   * COMPLETE listing (all pages read in one sync): a row missing from a truncated or failed listing
   * says nothing, and dropping it would lose documents. Rows holding unsent changes stay.
   */
  async dropUnlisted(listed: ReadonlySet<string>): Promise<void> {
    await this.db.transaction("rw", this.db.docs, this.db.pending, async () => {
      const pendingDocs = new Set((await this.db.pending.orderBy("doc").uniqueKeys()).map(String));
      const held = (await this.db.docs.toCollection().primaryKeys()).map(String);
      const gone = held.filter((doc) => !listed.has(doc) && !pendingDocs.has(doc));
      if (gone.length) await this.db.docs.bulkDelete(gone);
    });
  }

  /** Unit id → name, as of the last sync (certificates and index rows carry ids only). */
  async unitNames(): Promise<Record<string, string>> {
    const raw = await this.db.getMeta("units");
    return raw ? (JSON.parse(raw) as Record<string, string>) : {};
  }

  /** Documents the server refused to send us: we may see their index row only. */
  async markMetadataOnly(docs: readonly string[]): Promise<void> {
    await this.db.docs.where("doc").anyOf([...docs]).modify({ access: "metadata" });
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

/** Whether a stored row already holds exactly `next` (same fields, same values, arrays element by element). */
function sameRow(old: LocalDocRow, next: LocalDocRow): boolean {
  const a = old as unknown as Record<string, unknown>;
  const b = next as unknown as Record<string, unknown>;
  const keys = Object.keys(b);
  if (Object.keys(a).length !== keys.length) return false;
  return keys.every((k) => {
    const x = a[k];
    const y = b[k];
    if (Array.isArray(x) && Array.isArray(y)) return x.length === y.length && x.every((v, i) => v === y[i]);
    return x === y;
  });
}

/** Only the fields we know (a newer server may add some; they are not stored blindly). */
function pick(r: ServerIndexRow): ServerIndexRow {
  return {
    doc: r.doc,
    kind: r.kind,
    subject: r.subject,
    status: r.status,
    secrecy: r.secrecy,
    unit: r.unit,
    caseOfficer: r.caseOfficer,
    dueDate: r.dueDate,
    participants: [...r.participants],
    holders: [...r.holders],
    updatedAt: r.updatedAt,
    docNumber: r.docNumber ?? null,
    receiptNumber: r.receiptNumber ?? null,
    fileNumber: r.fileNumber ?? null,
    retention: r.retention ?? null,
    decidedAt: r.decidedAt ?? null,
    dispatchedAt: r.dispatchedAt ?? null,
    archivedAt: r.archivedAt ?? null,
  };
}
