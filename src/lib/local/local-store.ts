// One person's local store: the Dexie index, the persisted documents, and the queue of changes
// made here that the server has not acknowledged. Pages and the sync engine go through it.
import * as Y from "yjs";
import { CountersignDocument, toBase64, type Speed } from "@countersign/crdt-model";
import type { ServerIndexRow } from "$lib/api/types.ts";
import { LocalDb, localDbName, type LocalDocRow } from "./db.ts";
import { DamagedLocalCopy, SYNC_ORIGIN, deletePersistedDoc, isEmptyUpdate, openCopy, openPersistedDoc, unreadable } from "./ydoc-store.ts";
import { migrateDocStores, removeOldStore } from "./migrate.ts";

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

  #migrated: Promise<void> | null = null;

  /**
   * Moves the per-document y-indexeddb databases of earlier versions into this database, once per
   * page (migrate.ts). Every read of a copy waits for it; a failure is logged and never blocks work.
   */
  migrated(): Promise<void> {
    this.#migrated ??= migrateDocStores(this).then(
      () => undefined,
      (e: unknown) => console.error("Moving the local copies into one database failed:", e),
    );
    return this.#migrated;
  }

  /**
   * Opens a document's local copy. Changes made through it are queued for the server (and kept
   * across reloads) until a sync acknowledges them.
   */
  openDoc(docId: string): LocalDoc {
    const p = openPersistedDoc(
      this.db,
      docId,
      (update) => this.db.pending.add({ doc: docId, update, at: new Date().toISOString() }),
      // A copy noted damaged stays damaged until downloaded again (an earlier version's damaged
      // copy is not moved in: migrate.ts keeps it aside for salvage).
      async () => {
        await this.migrated();
        const note = (await this.damaged())[docId];
        if (note) throw new DamagedLocalCopy(docId, note.reason);
      },
    );
    const doc = CountersignDocument.wrap(p.ydoc);
    return { ydoc: p.ydoc, doc, ready: p.ready, release: p.release };
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
    await this.migrated();
    const facts = new Map<string, ReturnType<typeof localFacts>>();
    // Documents open on this page take the update through their Y.Doc (which stores it); the others
    // are merged as bytes, never instantiated for storing, all in one transaction per batch.
    const closed: { doc: string; update: Uint8Array }[] = [];
    for (const d of docs) {
      const open = openCopy(this.db, d.doc);
      if (!open) {
        closed.push(d);
        continue;
      }
      try {
        await open.ready;
        Y.applyUpdate(open.ydoc, d.update, SYNC_ORIGIN);
        facts.set(d.doc, localFacts(CountersignDocument.wrap(open.ydoc)));
      } catch (e) {
        if (!(e instanceof DamagedLocalCopy)) throw e;
        await this.noteDamaged(d.doc, e.reason);
      }
    }
    const damaged: [string, string][] = [];
    if (closed.length) {
      const ids = closed.map((d) => d.doc);
      await this.db.transaction("rw", this.db.updates, async () => {
        const rows = await this.db.updates.where("doc").anyOf(ids).toArray();
        const held = new Map<string, Uint8Array[]>();
        const bad = new Map<string, string>();
        for (const r of rows) {
          const why = unreadable(r.update);
          if (why) bad.set(r.doc, `Stored update ${String(r.id)} ${why}`);
          else if (!isEmptyUpdate(r.update)) held.set(r.doc, [...(held.get(r.doc) ?? []), r.update]);
        }
        const adds: { doc: string; update: Uint8Array }[] = [];
        for (const { doc, update } of closed) {
          const why = bad.get(doc);
          if (why) {
            damaged.push([doc, why]);
            continue;
          }
          const mine = held.get(doc) ?? [];
          const before = mine.length === 0 ? null : mine.length === 1 ? mine[0]! : Y.mergeUpdates(mine);
          // Only what this copy lacks is stored: a server that resends what we hold adds nothing.
          const missing = before ? Y.diffUpdate(update, Y.encodeStateVectorFromUpdate(before)) : update;
          const after = before ? Y.mergeUpdates([before, missing]) : missing;
          if (before && sameBytes(Y.encodeStateVectorFromUpdate(after), Y.encodeStateVectorFromUpdate(before)) && deletesCovered(missing, before)) continue;
          adds.push({ doc, update: missing });
          facts.set(doc, factsOfBytes(after));
        }
        if (adds.length) await this.db.updates.bulkAdd(adds);
      });
    }
    for (const [doc, reason] of damaged) await this.noteDamaged(doc, reason);
    await this.#noteFacts(facts);
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
    await deletePersistedDoc(this.db, docId);
    await removeOldStore(this, docId); // a damaged copy of an earlier version, kept until now for salvage
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

/** What a document's stored bytes say (a scratch Y.Doc, thrown away: nothing is stored from it). */
function factsOfBytes(update: Uint8Array): ReturnType<typeof localFacts> {
  const ydoc = new Y.Doc();
  try {
    Y.applyUpdate(ydoc, update);
    return localFacts(CountersignDocument.wrap(ydoc));
  } finally {
    ydoc.destroy();
  }
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.byteLength === b.byteLength && a.every((x, i) => x === b[i]);

/**
 * Whether every deletion `update` carries is already in `held` (deletions change no state vector but
 * are content; Y.diffUpdate always keeps the whole delete set, so this is what says "nothing new").
 */
function deletesCovered(update: Uint8Array, held: Uint8Array): boolean {
  const mine = Y.decodeUpdate(held).ds.clients;
  for (const [client, items] of Y.decodeUpdate(update).ds.clients) {
    const have = mine.get(client) ?? [];
    for (const d of items) {
      // `have` is sorted and merged (a merged update's delete set): one range must cover `d`.
      if (!have.some((h) => h.clock <= d.clock && d.clock + d.len <= h.clock + h.len)) return false;
    }
  }
  return true;
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
